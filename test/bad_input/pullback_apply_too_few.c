// ct_pullback_apply given fewer derivative pointers than the function has
// floating-point parameters (here 1 of 2) for a pullback made in the same
// function: a correct tool says so at the apply, at compile time, or stops
// with a "cotangent:" message. Today the runtime reads a garbage vararg:
// a segfault at -O0, and at -O2 (by chance) "derivative pointer 2 (of 2) is
// NULL".
// XFAIL-O0: segfault (the missing pointer is read as a vararg)
// EXPECT: runtime-error "cotangent: ct_pullback_apply"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double f(double x, double y) { return x * sin(y); }

int main(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  double dx = 0;
  ct_pullback_apply(pb, 1.0, &dx);
  printf("applied?! %g\n", dx);
  ct_pullback_free(pb);
  return 0;
}
