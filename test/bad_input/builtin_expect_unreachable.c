// __builtin_expect on branch conditions, __builtin_unreachable after an
// exhaustive switch and __builtin_assume: hints only, the gradient is
// unchanged.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, int k) {
  __builtin_assume(k >= 0);
  double y;
  if (__builtin_expect(x > 0, 1))
    y = x * x;
  else
    y = -x;
  switch (k & 1) {
  case 0: return y * 3;
  case 1: return y * x;
  }
  __builtin_unreachable();
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx, 0);
  CHECK_D(dx, 12.0);
  dx = 0;
  ct_gradient(f, 2.0, &dx, 1);
  CHECK_D(dx, 12.0);
  dx = 0;
  ct_gradient(f, -2.0, &dx, 1);
  CHECK_D(dx, 4.0);
  return check_summary("builtin_expect_unreachable");
}
