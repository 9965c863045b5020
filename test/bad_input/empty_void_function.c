// An operator applied to a void function: ct_gradient needs a floating-point
// result to differentiate; a clear error at the call.
// EXPECT: error @call:3 "'f' must return a floating-point value"
#include <cotangent.h>

static void f(double x) { (void)x; }

void use(double *dx) {
  ct_gradient(f, 2.0, dx); /*@call*/
}
