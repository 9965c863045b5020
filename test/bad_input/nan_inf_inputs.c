// NaN and infinite inputs: the derivatives are what the rules give,
// propagated as IEEE values, never a crash: d/dx x*y at y = inf is inf,
// d/dx (x + y) at x = NaN is 1 (the adjoint of an add does not read x),
// d/dx sqrt(x) at 0 is +inf, d/dx x*x at NaN is NaN, exp at -inf gives 0.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double mul(double x, double y) { return x * y; }
static double add(double x, double y) { return x + y; }
static double root(double x) { return sqrt(x); }
static double sq(double x) { return x * x; }
static double ex(double x) { return exp(x) * 2; }

int main(void) {
  double dx = 0, dy = 0;
  ct_gradient(mul, 2.0, &dx, INFINITY, &dy);
  CHECK(dx == INFINITY);
  CHECK_D(dy, 2.0);
  ct_gradient(add, NAN, &dx, 1.0, &dy);
  CHECK_D(dx, 1.0);
  CHECK_D(dy, 1.0);
  ct_gradient(root, 0.0, &dx);
  CHECK(dx == INFINITY);
  ct_gradient(sq, NAN, &dx);
  CHECK(isnan(dx));
  ct_gradient(ex, -INFINITY, &dx);
  CHECK(dx == 0.0);
  ct_gradient(sq, INFINITY, &dx);
  CHECK(dx == INFINITY);
  return check_summary("nan_inf_inputs");
}
