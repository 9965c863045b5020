// ct_recompute through a function pointer: which function runs is known
// only at run time, so the pass cannot tell what the call reads and writes
// (nor run it again safely): an error at the ct_recompute.
// EXPECT: error @call "ct_recompute: the first argument must name a function (not a function pointer)"
#include <cotangent.h>

static void step(double s[static 2], double dt) { s[0] += dt * s[1] * s[1]; }
void (*volatile chosen)(double *, double) = step;

static double f(double x) {
  double s[2] = {x, 1.0};
  void (*fp)(double *, double) = chosen;
  for (int i = 0; i < 3; i++)
    ct_recompute(fp, s, 0.1); /*@call*/
  return s[0] * s[0];
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
