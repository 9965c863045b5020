// A [[clang::musttail]] self call (an accumulator loop written as guaranteed
// tail recursion) in a differentiated helper: differentiated like the loop
// it is. acc(x, 0, 4) = x^3 + x^2 + x + 1.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double acc(double x, double s, int n) {
  if (n == 0)
    return s;
  [[clang::musttail]] return acc(x, s * x + 1, n - 1);
}

static double f(double x) { return acc(x, 0, 4); }

int main(void) {
  double dx = 0, x = 0.5;
  ct_gradient(f, x, &dx);
  CHECK_D(dx, 3 * x * x + 2 * x + 1);
  return check_summary("musttail_recursion");
}
