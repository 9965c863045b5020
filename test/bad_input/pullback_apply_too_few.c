// ct_pullback_apply given fewer derivative pointers than the function has
// floating-point parameters (here 1 of 2) for a pullback made in the same
// function: a correct tool says so at the apply, at compile time, or stops
// with a "cotangent:" message. The runtime read a garbage vararg (a
// segfault at -O0, by chance "derivative pointer 2 (of 2) is NULL" at -O2);
// now the pass passes it the count, and where the pullback is in view (here)
// a wrong count is a compile error at the apply
// (pullback_apply_count_runtime.c: the run-time check).
// EXPECT: error @apply:3 "ct_pullback_apply: the pullback of 'f' takes 2 derivative pointer(s) (one per floating-point argument of 'f'), given 1"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double f(double x, double y) { return x * sin(y); }

int main(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  double dx = 0;
  ct_pullback_apply(pb, 1.0, &dx); /*@apply*/
  printf("applied?! %g\n", dx);
  ct_pullback_free(pb);
  return 0;
}
