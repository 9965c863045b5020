// An operator applied to a variadic function itself: its derivative
// pointers cannot be laid out, so a correct tool gives an error at the call.
// EXPECT: error @call:3 "variadic functions are not supported"
#include <cotangent.h>
#include <stdarg.h>

static double first_sq(double x, ...) { return x * x; }

void use(double *dx) {
  ct_gradient(first_sq, 2.0, dx); /*@call*/
}
