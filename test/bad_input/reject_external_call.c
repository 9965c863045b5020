// README rejected row 1: a call of a function that has neither a body in this
// file nor a derivative, on the differentiated path, is an error at the call.
// EXPECT: error @call:14 "call to 'mystery' has no derivative"
#include <cotangent.h>

double mystery(double);

static double f(double x) {
  double y = x * x;
  return y + mystery(y); /*@call*/
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
