// A local table of function pointers chosen by an integer at run time
// inside the differentiated function: calls through pointers are not
// differentiated; a clear error at the indirect call.
// EXPECT: error @call:10 "indirect call through a function pointer cannot be differentiated"
#include <cotangent.h>
#include <math.h>

static double sq(double x) { return x * x; }
static double cube(double x) { return x * x * x; }
static double sine(double x) { return sin(x); }

static double f(double x, int k) {
  double (*const ops[3])(double) = {sq, cube, sine};
  return ops[k % 3](x) * x; /*@call*/
}

void use(double x, double *dx, int k) { ct_gradient(f, x, dx, k); }
