// long double used inside a double function (a wider accumulator, converted
// back): the derivative flows through the conversions.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(const double *x, int n) {
  long double acc = 0;
  for (int i = 0; i < n; ++i)
    acc += (long double)x[i] * x[i] * (i + 1);
  return (double)acc;
}

int main(void) {
  double x[4] = {0.5, -1.25, 2, 3.5}, dx[4] = {0};
  ct_gradient(f, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * (i + 1) * x[i]);
  return check_summary("type_long_double_inside");
}
