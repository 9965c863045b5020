// The long double libm functions (sinl, expl, sqrtl) on the differentiated
// path: the rules are those of sin, exp and sqrt (the rule table is
// type-generic and already differentiates llvm.sin.f80), so the gradient
// should be right. Today only the double and float names are in the table:
// "call to 'sinl' has no derivative; Cotangent differentiates libm
// functions, ...".
// XFAIL: rejected: the l-suffixed libm names are not in the rule table (pass/rules.c)
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
