// Issue 12 item 15: a float *dx for a double argument: a compile error at
// the operator call (the derivative would be an 8-byte store into 4 bytes).
// EXPECT: error @call:23 "not 'float *'"
#include <cotangent.h>

static double f(double x) { return x * x; }

void use(float *dx) {
  ct_gradient(f, 1.5, dx); /*@call*/
}
