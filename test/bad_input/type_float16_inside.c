// _Float16 intermediate values in a double function: the rounding to half
// precision keeps the derivative of the rounded operations (d/dx of
// (double)(_Float16)(x*3) * x is 2 * 3x exactly where x*3 is representable).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x) {
  _Float16 h = (_Float16)(x * 3);
  return (double)h * x;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 1.25, &dx);
  CHECK_D(dx, 7.5);
  return check_summary("type_float16_inside");
}
