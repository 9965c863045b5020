// The same array passed for two const pointer parameters, with the same
// shadow for both (f(x, x): legal C, both only read): the two
// contributions must both land in the shared shadow, d/dx_i sum x_i x_i =
// 2 x_i, also where the optimizer assumes distinct shadows do not overlap.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double dot(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += a[i] * b[i];
  return s;
}

int main(void) {
  double x[6] = {1, -2, 0.5, 3, 4, -1.5}, dx[6] = {0};
  ct_gradient(dot, x, dx, x, dx, 6);
  for (int i = 0; i < 6; ++i)
    CHECK_D(dx[i], 2 * x[i]);
  return check_summary("aliased_arguments");
}
