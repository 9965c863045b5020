// A C99 `inline` definition without an external definition anywhere: at
// -O0 clang emits no body for it (the program would not even link, calls go
// to an external symbol), so there is nothing to differentiate: an error at
// the call. At -O2 the body is inlined and the gradient is right.
// EXPECT-O0: error @call:36 "call to 'sq_inline' has no derivative"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

inline double sq_inline(double x) { return x * x; }
static double f(double x) { return sq_inline(x) * 3; } /*@call*/

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  CHECK_D(dx, 12.0);
  return check_summary("c99_inline");
}
