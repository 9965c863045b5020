// A function pointer parameter of the differentiated function (a higher-
// order integrator given its right-hand side), passed as is: a function
// pointer has no shadow, so it is constant by default, and the calls
// through it dispatch at run time to the gradient of the function it holds.
// Before, the operator took the next argument (y0, a double) for the
// function pointer's shadow and said "ct_gradient: the shadow of parameter
// 1 must be a pointer". Checked against central differences, through a
// variable holding the pointer too (which nothing proves differentiable at
// compile time: a warning naming it at the operator call), and with
// Enzyme's ABI.
// EXPECT: warning @volatile:22 "ct_gradient: the function pointer 'rhs' cannot be proven differentiable at compile time"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

extern int enzyme_const;
double __enzyme_autodiff(void *, ...);

CT_DIFFERENTIABLE double field(double t, double y) { return -y * y + sin(t); }

static double euler(double (*rhs)(double, double), double y0, int steps) {
  double y = y0, h = 0.1;
  for (int i = 0; i < steps; ++i)
    y += h * rhs(i * h, y);
  return y;
}

int main(void) {
  double y0 = 0.7, e = 1e-6, dy0 = 0;
  double fd = (euler(field, y0 + e, 5) - euler(field, y0 - e, 5)) / (2 * e);
  ct_gradient(euler, field, y0, &dy0, 5); /*@call*/
  CHECK_TOL(dy0, fd, 1e-8);
  double (*volatile rhs)(double, double) = field;
  dy0 = 0;
  ct_gradient(euler, rhs, y0, &dy0, 5); /*@volatile*/
  CHECK_TOL(dy0, fd, 1e-8);
  CHECK_TOL(__enzyme_autodiff((void *)euler, field, y0, enzyme_const, 5), fd, 1e-8);
  return check_summary("function_pointer_argument");
}
