// A recomputed call (ct_recompute) of a function that prints: the reverse
// pass would run it again and print twice, so it cannot be recomputed: an
// error at the call naming what the function does (its call of printf).
// EXPECT: error @call "calls a function of another file or library"
#include <cotangent.h>
#include <stdio.h>

static void step(double s[static 2], double dt) {
  s[0] += dt * s[1];
  printf("%g\n", s[0]);
}

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
