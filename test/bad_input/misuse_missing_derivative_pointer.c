// README rejected row 16: a floating-point argument not followed by the
// pointer that receives its derivative.
// EXPECT: error @call:3 "must be followed by a pointer that receives its derivative"
#include <cotangent.h>

static double f(double x, double y) { return x * y; }

void use(double *dy) {
  ct_gradient(f, 1.0, 2.0, dy); /*@call*/
}
