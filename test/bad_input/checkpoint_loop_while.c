// CT_CHECKPOINT_LOOP on a while loop to convergence: no counter, so the
// trip count is not known when it starts (an online schedule is not there
// yet): an error at the condition, never a wrong gradient.
// EXPECT: error @cond "its condition must compare a counter (i++ or i-- once per iteration, nowhere else) with a bound: the trip count must be known when the loop starts"
#include <cotangent.h>
#include <math.h>

static double f(double x) {
  double y = 1.0;
  CT_CHECKPOINT_LOOP(4)
  while (fabs(y * y - x) > 1e-12) /*@cond*/
    y = 0.5 * (y + x / y);
  return y;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
