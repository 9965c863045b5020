// CT_CHECKPOINT_LOOP on a loop that can leave early (break): its trip count
// is not known when it starts, so no binomial schedule can be planned: an
// error at the loop naming why, never a wrong gradient.
// EXPECT: error @break "cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): its body leaves the loop (break, return or goto)"
#include <cotangent.h>

static double f(double x) {
  double s = x;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < 100; i++) {
    s = s + 0.01 * s * s;
    if (s > 10.0) /*@break*/
      break;
  }
  return s;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx);
  return 0;
}
