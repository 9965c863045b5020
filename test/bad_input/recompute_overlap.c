// ct_recompute of a function whose two array arguments overlap at run time:
// the reverse pass runs the call again on separate copies of its arguments'
// memory, which would not overlap, so the program stops with a message
// naming the function instead of giving a wrong gradient.
// EXPECT: runtime-error "got pointer arguments whose memory overlaps"
#include <cotangent.h>

static void shift(const double a[static 2], double b[static 2]) {
  b[0] = a[0] * a[1];
  b[1] = a[1];
}

static double f(double *x) {
  for (int i = 0; i < 2; i++)
    ct_recompute(shift, x, x + 1);
  return x[1] * x[2];
}

int main(void) {
  double x[3] = {1.0, 2.0, 3.0}, dx[3] = {0};
  ct_gradient(f, x, dx);
  return 0;
}
