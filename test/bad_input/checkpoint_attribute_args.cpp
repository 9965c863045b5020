// [[ct::checkpoint]] takes no arguments: written with some, it is an error
// at the attribute (not silently accepted).
// EXPECT: error @attr "checkpoint"
#include <cotangent.h>

[[ct::checkpoint(s)]] static void step(double (&s)[2], double dt) { s[0] += dt * s[1]; } /*@attr*/

static double f(double x) {
  double s[2] = {x, 1.0};
  step(s, 0.1);
  return s[0] * s[0];
}

int main() {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
