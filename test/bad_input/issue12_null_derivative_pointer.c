// Issue 12 item 18: a NULL derivative pointer given to ct_gradient stops
// with a "cotangent:" message naming the operator, not a segfault.
// EXPECT: runtime-error "cotangent: ct_gradient"
#include <cotangent.h>
#include <stdio.h>

static double f(double x, double y) { return x * y; }

int main(int argc, char **argv) {
  (void)argv;
  double dy = 0;
  double *dx = argc > 0 ? NULL : &dy; /* NULL, known only at run time */
  ct_gradient(f, 2.0, dx, 3.0, &dy);
  printf("survived?! %g\n", dy);
  return 0;
}
