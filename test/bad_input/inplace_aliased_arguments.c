// One array passed as both the output and the input of a function that
// writes the output and reads the input (in place: y == x, and one shadow
// for both): legal C without restrict. The gradient is that of the in-place
// computation, s = sum (i+1) x_i^2.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double square_into(double *y, const double *x, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * (i + 1);
  return s;
}

int main(void) {
  double x[4] = {1, 2, 3, 4}, x0[4] = {1, 2, 3, 4}, dx[4] = {0};
  ct_gradient(square_into, x, dx, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * (i + 1) * x0[i]);
  return check_summary("inplace_aliased_arguments");
}
