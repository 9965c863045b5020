// An int variable (not a literal) where a double parameter is expected:
// varargs pass it as an int; an error at the operator call, as for a
// literal.
// EXPECT: error @call:3 "argument for parameter 1 is an integer but the parameter is floating point"
#include <cotangent.h>

static double f(double x) { return x * x; }

void use(int k, double *dx) {
  ct_gradient(f, k, dx); /*@call*/
}
