// A local table of function pointers chosen by an integer at run time
// inside the differentiated function: the call dispatches at run time to
// the gradient of the function the pointer holds (all three have their
// address taken here). Before run-time dispatch this was the error
// "indirect call through a function pointer cannot be differentiated".
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double sq(double x) { return x * x; }
static double cube(double x) { return x * x * x; }
static double sine(double x) { return sin(x); }

static double f(double x, int k) {
  double (*const ops[3])(double) = {sq, cube, sine};
  return ops[k % 3](x) * x; /*@call*/
}

int main(void) {
  double x = 0.7, want[3] = {3 * x * x, 4 * x * x * x, cos(x) * x + sin(x)};
  for (int k = 0; k < 6; ++k) {
    double dx = 0;
    ct_gradient(f, x, &dx, k);
    CHECK_D(dx, want[k % 3]);
  }
  return check_summary("function_pointer_table");
}
