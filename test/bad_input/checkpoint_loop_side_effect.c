// CT_CHECKPOINT_LOOP on a loop whose body prints: its iterations run again
// in the reverse pass, so the output would repeat: an error at the call
// naming it, never a silent second output.
// EXPECT: error @call "cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): its body calls a function of another file or library, whose effects would happen again ('printf')"
#include <cotangent.h>
#include <stdio.h>

static double f(double x, int n) {
  double s = x;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < n; i++) {
    s = s + 0.01 * s * s;
    printf("%g\n", s); /*@call*/
  }
  return s;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx, 10);
  return 0;
}
