// A NaN in one element of an array does not leak into the derivatives of
// the others where the function does not combine them (a sum of squares:
// d/dx_i = 2 x_i, NaN only at the NaN element).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

int main(void) {
  double x[4] = {1, NAN, -2, 0.5}, dx[4] = {0};
  double v = ct_value_with_gradient(f, x, dx, 4);
  CHECK(isnan(v));
  CHECK_D(dx[0], 2.0);
  CHECK(isnan(dx[1]));
  CHECK_D(dx[2], -4.0);
  CHECK_D(dx[3], 1.0);
  return check_summary("nan_in_array");
}
