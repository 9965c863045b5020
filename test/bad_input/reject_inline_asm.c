// README rejected row 10 / issue 12 item 20: inline assembly on the
// differentiated path is an error that says so (not "indirect call").
// EXPECT: error @asm "inline assembly ('asm' statement) has no derivative"
#include <cotangent.h>

static double f(double x) {
  double y;
  __asm__("movsd %1, %0" : "=x"(y) : "x"(x * x)); /*@asm*/
  return y * x;
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
