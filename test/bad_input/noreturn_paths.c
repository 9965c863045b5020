// Functions that never return (abort, exit, a _Noreturn helper, an infinite
// loop) on error paths of the differentiated function that are not taken:
// the gradient of the path taken is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdio.h>
#include <stdlib.h>

_Noreturn static void die(const char *why, double v) {
  fprintf(stderr, "fatal: %s (%g)\n", why, v);
  exit(3);
}

static double f(double x, int mode) {
  if (mode < 0)
    die("negative mode", x);
  if (mode > 100)
    abort();
  if (mode == 99)
    for (;;) {
    }
  double y = x * x;
  if (y > 1e300)
    die("overflow", y);
  return y * mode;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 1.5, &dx, 4);
  CHECK_D(dx, 12.0);
  return check_summary("noreturn_paths");
}
