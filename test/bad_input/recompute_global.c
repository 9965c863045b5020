// A checkpointed function (CT_CHECKPOINT) that reads a global variable the
// caller writes: the memory of a global is not kept for the run again, so a
// recomputed call would read the value of the end of the forward pass: an
// error at the call naming the global.
// EXPECT: error @call "uses a global variable"
#include <cotangent.h>

double gain = 1.0;

CT_CHECKPOINT static void step(double s[static 2], double dt) { s[0] += dt * gain * s[1]; }

static double f(double x) {
  double s[2] = {x, 1.0};
  for (int i = 0; i < 3; i++) {
    gain = 1.0 + i;
    step(s, 0.1); /*@call*/
  }
  return s[0] * s[0];
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
