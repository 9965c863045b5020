// Issue 12 item 8: a function that deliberately returns
// ct_without_derivative(...) gets no zero-derivative warning (the warning
// itself recommends ct_without_derivative); the derivative is 0.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double g(double x) { return exp(x); }
static double frozen(double x) { return ct_without_derivative(g(x)); }

int main(void) {
  double dx = 7;
  double v = ct_value_with_gradient(frozen, 1.0, &dx);
  CHECK_D(v, exp(1.0));
  CHECK(dx == 0.0);
  return check_summary("issue12_without_derivative_silences");
}
