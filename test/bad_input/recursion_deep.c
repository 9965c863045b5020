// Deep recursion: 20,000 frames of a call in tail position after an add
// (LLVM may turn it into a loop at -O2, not at -O0). f(x, n) = n x + x^2.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, int n) { return n == 0 ? x * x : x + f(x, n - 1); }

int main(void) {
  double dx = 0;
  ct_gradient(f, 1.5, &dx, 20000);
  CHECK_D(dx, 20000 + 3.0);
  return check_summary("recursion_deep");
}
