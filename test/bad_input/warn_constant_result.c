// README warnings: a differentiated function whose result does not depend on
// its active arguments gets a warning at its return; the derivative is 0.
// EXPECT: warning @ret:3 "does not depend on its differentiable arguments"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double k(double x, int n) {
  (void)x;
  return 2.0 * n; /*@ret*/
}

int main(void) {
  double dx = 42;
  double v = ct_value_with_gradient(k, 1.5, &dx, 3);
  CHECK_D(v, 6.0);
  CHECK(dx == 0.0);
  return check_summary("warn_constant_result");
}
