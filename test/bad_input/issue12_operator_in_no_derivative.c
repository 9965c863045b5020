// Issue 12 item 12: an operator call inside a CT_NO_DERIVATIVE function
// computes the right derivative when that function is called directly and
// from differentiated code (before: x instead of 2x).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double sq(double x) { return x * x; }

CT_NO_DERIVATIVE double slope_of_sq(double x) {
  double d = 0;
  ct_gradient(sq, x, &d);
  return d;
}

static double g(double x) { return x * slope_of_sq(x); }

int main(void) {
  CHECK_D(slope_of_sq(1.5), 3.0);
  double dx = 0;
  ct_gradient(g, 1.5, &dx);
  CHECK_D(dx, 3.0); /* slope_of_sq(x) is a constant: d/dx x*c = c = 2*1.5 */
  return check_summary("issue12_operator_in_no_derivative");
}
