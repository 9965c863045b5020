// CT_CHECKPOINT_LOOP on a loop updating memory through a plain pointer
// parameter: the pass cannot tell the size of what the snapshots would
// have to keep: an error at the use saying how to give it (T p[static N]).
// EXPECT: error @use "its body reads or writes memory through a pointer whose size the pass cannot tell"
#include <cotangent.h>

static double f(double *s, int n) {
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < n; i++)
    s[0] += 0.01 * s[1] * s[0]; /*@use*/
  return s[0];
}

int main(void) {
  double s[2] = {1.0, 2.0}, ds[2] = {0};
  ct_gradient(f, s, ds, 10);
  return 0;
}
