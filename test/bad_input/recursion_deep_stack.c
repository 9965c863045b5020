// Deep recursion that the function itself survives: 100,000 frames of
// f(x, n) = x + f(x, n - 1) run in the default 8 MiB stack, but the
// gradient's recursive forward and reverse
// frames are about three times larger. The gradient's recursive functions
// check the stack on entry and stop with a message instead of a segfault.
// EXPECT: runtime-error "gradient of 'f': the recursion is deeper than the stack allows"
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, int n) { return n == 0 ? x * x : x + f(x, n - 1); }

int main(void) {
  CHECK_D(f(1.5, 100000), 100000 * 1.5 + 2.25);
  double dx = 0;
  ct_gradient(f, 1.5, &dx, 100000);
  CHECK_D(dx, 100000 + 3.0);
  return check_summary("recursion_deep_stack");
}
