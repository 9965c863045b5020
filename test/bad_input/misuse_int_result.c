// Operator misuse: differentiating a function whose result is an int (no
// derivative to take) is an error at the call.
// EXPECT: error @call:3 "ct_gradient"
#include <cotangent.h>

static int f(double x) { return (int)(x * x); }

void use(double *dx) {
  ct_gradient(f, 1.5, dx); /*@call*/
}
