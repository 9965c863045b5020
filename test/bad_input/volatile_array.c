// Differentiable data read and written through a volatile pointer to the
// argument array: volatile accesses still have derivatives.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double *x, int n) {
  volatile double *v = x;
  for (int i = 0; i < n; ++i)
    v[i] = v[i] * v[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * (i + 1);
  return s;
}

int main(void) {
  double x[3] = {0.5, 1.5, -2}, x0[3] = {0.5, 1.5, -2}, dx[3] = {0};
  ct_gradient(f, x, dx, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 2 * (i + 1) * x0[i]);
  return check_summary("volatile_array");
}
