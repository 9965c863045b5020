// The long double libm functions (sinl, expl, sqrtl) on the differentiated
// path: the rules are those of sin, exp and sqrt (the rule table's rows
// name the l-suffixed functions too, and its expressions compute in the
// operand's type), so the gradient is exact in long double.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static long double f(long double x) { return sinl(x) * expl(x) + sqrtl(x); }

int main(void) {
  long double dx = 0, x = 0.7L;
  ct_gradient(f, x, &dx);
  CHECK_D((double)dx, (double)(cosl(x) * expl(x) + sinl(x) * expl(x) + 0.5L / sqrtl(x)));
  return check_summary("libm_long_double");
}
