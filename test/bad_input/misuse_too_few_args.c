// README rejected row 16: too few arguments for the function's parameters.
// EXPECT: error @call:3 "too few arguments"
#include <cotangent.h>

static double f(double x, double y) { return x * y; }

void use(double *dx) {
  ct_gradient(f, 1.0, dx); /*@call*/
}
