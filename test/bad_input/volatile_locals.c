// volatile locals holding differentiable values (a common way to defeat
// the optimizer in benchmarks): the derivative is unchanged.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, double y) {
  volatile double a = x * y;
  volatile double b = a * x;
  return b + a;
}

int main(void) {
  double dx = 0, dy = 0;
  ct_gradient(f, 2.0, &dx, 3.0, &dy);
  CHECK_D(dx, 2 * 2.0 * 3.0 + 3.0);
  CHECK_D(dy, 2.0 * 2.0 + 2.0);
  return check_summary("volatile_locals");
}
