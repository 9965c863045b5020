// ct_recompute of a function taking a plain pointer: the size of the memory
// it reads is unknown, so no snapshot can be kept for the run again: an
// error at the call saying how to give the size (T p[static N], CT_ACCESS).
// EXPECT: error @call "the size of the memory parameter 1 of 'step' points to is unknown"
#include <cotangent.h>

static void step(double *s, double dt) { s[0] += dt * s[1] * s[1]; }

static double f(double x) {
  double s[2] = {x, 1.0};
  for (int i = 0; i < 3; i++)
    ct_recompute(step, s, 0.1); /*@call*/
  return s[0] * s[0];
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
