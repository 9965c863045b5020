// README rejected row 2: a global variable receiving a differentiable value
// has no shadow; an error at the store, never a dropped derivative.
// EXPECT: error @store:8 "stores a differentiable value into memory that has no shadow"
#include <cotangent.h>

double last;

static double f(double x) {
  last = x * 3; /*@store*/
  return last * x;
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
