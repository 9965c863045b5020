// `#pragma ct checkpoint` before a loop (loop checkpointing, issue 21) is
// not implemented yet: an error at the pragma naming it and saying how to
// bound the tape today (CT_CHECKPOINT on a function holding the loop's
// body), instead of an unknown pragma that a build without -Wall ignores
// silently.
// EXPECT: error @pragma "'#pragma ct checkpoint' is not supported yet"
#include <cotangent.h>

static double f(double x) {
  double s = x;
#pragma ct checkpoint /*@pragma*/
  for (int i = 0; i < 100; i++)
    s = s + 0.01 * s * s;
  return s;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx);
  return 0;
}
