// The differentiated function exits the program (a _Noreturn helper called
// on the path taken): the program's own exit status and output come out,
// the gradient code must not crash on the way.
// EXPECT: runtime-error "fatal: negative input"
#include <cotangent.h>
#include <stdio.h>
#include <stdlib.h>

_Noreturn static void die(const char *why) {
  fprintf(stderr, "fatal: %s\n", why);
  exit(3);
}

static double f(double x) {
  if (x < 0)
    die("negative input");
  return x * x;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, -1.0, &dx);
  printf("not reached %g\n", dx);
  return 0;
}
