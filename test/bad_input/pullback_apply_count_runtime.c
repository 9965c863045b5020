// ct_pullback_apply with the wrong number of derivative pointers for a
// pullback made elsewhere (passed to a helper the compiler cannot see
// through): the pass gives the runtime the number of pointers the call
// passes, and the runtime stops with a message instead of reading a garbage
// vararg (a segfault at -O0 before) or ignoring extra pointers.
// EXPECT: runtime-error "cotangent: ct_pullback_apply: the pullback takes 2 derivative pointer(s) (one per floating-point argument of its function), given 1"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double f(double x, double y) { return x * sin(y); }

__attribute__((noinline)) static void apply_one(ct_pullback_t pb, double *dx) { ct_pullback_apply(pb, 1.0, dx); }

int main(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  double dx = 0, dy = 0;
  ct_pullback_apply(pb, 1.0, &dx, &dy); /* right */
  printf("%g %g\n", dx, dy);
  apply_one(pb, &dx);
  printf("applied?! %g\n", dx);
  ct_pullback_free(pb);
  return 0;
}
