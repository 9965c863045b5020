// CT_CHECKPOINT_LOOP on a loop that returns from inside its body: the loop
// is left for two places (after it, and the function's end), which one
// recomputed run of the loop cannot stand for: an error at the loop
// naming why (at the branch to the return, or with clang's cleanups at -O1
// and up the return itself), never a wrong gradient. (A break, which leaves for the
// place after the loop, is accepted: checkpoint_loop_while.c.)
// EXPECT-O0: error @ret "cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): it is left for more than one place (a return or goto out of its body)"
// EXPECT-O2: error @retval "cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): it is left for more than one place (a return or goto out of its body)"
#include <cotangent.h>

static double f(double x) {
  double s = x;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < 100; i++) {
    s = s + 0.01 * s * s;
    if (s > 10.0) /*@ret*/
      return s * 2.0; /*@retval*/
  }
  return s;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx);
  return 0;
}
