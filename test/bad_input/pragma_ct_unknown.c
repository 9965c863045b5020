// A `#pragma ct` other than `checkpoint` is an error at the pragma naming
// it, not an unknown pragma that a build without -Wall ignores silently.
// EXPECT: error @pragma "unknown '#pragma ct unroll'"
#include <cotangent.h>

static double f(double x) {
  double s = x;
#pragma ct unroll /*@pragma*/
  for (int i = 0; i < 100; i++)
    s = s + 0.01 * s * s;
  return s;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx);
  return 0;
}
