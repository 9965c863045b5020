// [[ct::derivative(...)]] whose argument names no function (a pointer
// variable holding one): an error at the pullback, not an ignored
// attribute.
// EXPECT: error @arg "'cube_pullback' is declared as the derivative of 'which', which is not a function"
#include <cotangent.hpp>

double cube(double x) { return x * x * x; }
static double (*const which)(double) = cube;

[[ct::derivative(which /*@arg*/)]] void cube_pullback(double x, double seed, double *dx) { *dx += seed * 3 * x * x; }

void grad(double x, double *dx) { ct::gradient(cube, x, dx); }
