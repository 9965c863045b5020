// A _Thread_local variable receiving a differentiable value: it has no
// shadow either; an error at the store (peek keeps the store alive).
// EXPECT: error @store:3 "cannot differentiate 'f'"
#include <cotangent.h>

static _Thread_local double scratch;

double peek(void) { return scratch; }

static double f(double x) {
  scratch = x * x; /*@store*/
  return scratch * x;
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
