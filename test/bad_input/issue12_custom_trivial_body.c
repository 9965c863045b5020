// Issue 12 item 2: a custom derivative of a function with a trivial body
// (a gradient-clipping straight-through estimator) wins at every -O level.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double clip(double x) { return x; }
CT_DERIVATIVE(clip)
void clip_pullback(double x, double seed, double *dx) {
  (void)x;
  *dx += seed > 1 ? 1 : seed < -1 ? -1 : seed;
}

static double f(double x) { return 5 * clip(x * x); }

int main(void) {
  double dx = 0;
  ct_gradient(f, 3.0, &dx); /* seed into clip = 5, clipped to 1; d(x^2) = 6 */
  CHECK_D(dx, 6.0);
  return check_summary("issue12_custom_trivial_body");
}
