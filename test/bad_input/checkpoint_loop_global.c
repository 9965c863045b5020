// CT_CHECKPOINT_LOOP on a loop whose state lives in a global variable: the
// snapshots keep only the loop's locals and buffers, so running iterations
// again would start from the wrong state: an error at the use.
// EXPECT: error @use "its body uses a global variable, which the snapshots of the loop's state do not keep"
#include <cotangent.h>

static double acc;

static double f(double x) {
  acc = x;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < 50; i++)
    acc = acc + 0.01 * acc * x; /*@use*/
  return acc;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 0.5, &dx);
  return 0;
}
