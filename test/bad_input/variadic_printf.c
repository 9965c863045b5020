// Variadic libc calls known to be inactive (printf, fprintf, snprintf of
// differentiable values) inside the differentiated function: they print,
// and the gradient is unaffected.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdio.h>

static double f(double x, double y) {
  double p = x * y;
  printf("p = %g\n", p);
  fprintf(stderr, "x = %g, y = %g\n", x, y);
  return p * x;
}

int main(void) {
  double dx = 0, dy = 0;
  ct_gradient(f, 2.0, &dx, 3.0, &dy);
  CHECK_D(dx, 12.0);
  CHECK_D(dy, 4.0);
  return check_summary("variadic_printf");
}
