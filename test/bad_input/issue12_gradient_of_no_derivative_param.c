// Issue 12 item 5: ct_gradient_of on a function with a CT_NO_DERIVATIVE
// parameter (between two differentiated ones) returns a gradient function
// without a derivative pointer for that parameter, as the header documents,
// for a static function and a CT_DIFFERENTIABLE one (before, for the static
// one: it expected a pointer there and wrote through one never passed, or
// stopped with "the derivative pointer of parameter 3 is NULL").
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, CT_NO_DERIVATIVE double k, double y) { return k * x * x * y; }
CT_DIFFERENTIABLE double h(double x, CT_NO_DERIVATIVE double k, double y) { return k * x * y * y; }

int main(void) {
  double (*g)(double, double *, double, double, double *) = ct_gradient_of(f);
  double dx = 0, dy = 0;
  double v = g(3.0, &dx, 2.0, 0.5, &dy);
  CHECK_D(v, 9.0);
  CHECK_D(dx, 6.0);
  CHECK_D(dy, 18.0);
  g = ct_gradient_of(h);
  dx = dy = 0;
  v = g(3.0, &dx, 2.0, 0.5, &dy);
  CHECK_D(v, 1.5);
  CHECK_D(dx, 0.5);
  CHECK_D(dy, 6.0);
  return check_summary("issue12_gradient_of_no_derivative_param");
}
