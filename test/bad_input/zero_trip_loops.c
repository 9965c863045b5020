// Loops that run zero times (n = 0, and a while loop whose condition is
// false at entry) next to loops that run: derivatives of the empty loops'
// accumulators are exactly their initial values' derivatives.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(const double *x, int n, int m) {
  double s = x[0];
  for (int i = 0; i < n; ++i)
    s *= x[i + 1];
  double t = x[1];
  while (t > 1e9)
    t *= 0.5;
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < n; ++i)
      t += x[i] * x[j];
  return s + t;
}

int main(void) {
  double x[3] = {1.5, 2.5, -0.5};
  for (int n = 0; n < 2; ++n) {
    double dx[3] = {0};
    ct_gradient(f, x, dx, n, 0);
    CHECK_AT_D("dx0, n", n, dx[0], n == 0 ? 1.0 : x[1]);
    CHECK_AT_D("dx1, n", n, dx[1], n == 0 ? 1.0 : 1.0 + x[0]);
    CHECK_AT_D("dx2, n", n, dx[2], 0.0);
  }
  double dx[3] = {0};
  ct_gradient(f, x, dx, 0, 3); /* inner loop runs zero times, outer 3 */
  CHECK_D(dx[0], 1.0);
  CHECK_D(dx[1], 1.0);
  CHECK(dx[2] == 0.0);
  return check_summary("zero_trip_loops");
}
