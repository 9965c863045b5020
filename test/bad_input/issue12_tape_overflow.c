// Issue 12 item 16: a trip count so large that the tape size (n x record
// bytes) overflows 64 bits stops with the out-of-memory message, not a
// segfault after a wrapped size.
// EXPECT: runtime-error "cotangent: out of memory"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double chain(const double *x, unsigned long n) {
  double r = 1;
  for (unsigned long i = 0; i < n; ++i)
    r = r * x[i & 3] + sin(r);
  return r;
}

int main(void) {
  double x[4] = {0.1, 0.2, 0.3, 0.4}, dx[4] = {0};
  ct_gradient(chain, x, dx, 1ul << 60);
  printf("finished?! %g\n", dx[0]);
  return 0;
}
