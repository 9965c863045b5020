// README rejected row 16: an integer literal where a floating-point parameter
// is expected (it would travel through varargs as an int) is an error at the
// operator call.
// EXPECT: error @call:3 "argument for parameter 1 is an integer but the parameter is floating point"
#include <cotangent.h>

static double f(double x, double y) { return x * y; }

void use(double *dx, double *dy) {
  ct_gradient(f, 2, dx, 3.0, dy); /*@call*/
}
