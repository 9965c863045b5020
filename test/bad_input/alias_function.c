// A function alias (double scaled_sin(double) __attribute__((alias(...))),
// as libraries export one body under two names), called in differentiated
// code and differentiated itself: the same gradient as the function it
// names. Before the fix, at -O0 only (GlobalOpt resolves aliases from -O1
// on): the call was "an indirect call through a function pointer" (a
// compile error) and the operator stopped the program at run time with
// "the function at 0x... is not differentiable".
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

double x_sin_x(double x) { return sin(x) * x; }
double scaled_sin(double x) __attribute__((alias("x_sin_x")));

static double g(double x) { return scaled_sin(x) * 2; }

int main(void) {
  double x = 2.0, want = cos(x) * x + sin(x), dx = 0;
  ct_gradient(g, x, &dx);
  CHECK_D(dx, 2 * want);
  dx = 0;
  ct_gradient(scaled_sin, x, &dx);
  CHECK_D(dx, want);
  return check_summary("alias_function");
}
