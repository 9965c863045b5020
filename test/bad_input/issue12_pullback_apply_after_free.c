// Issue 12 item 18: ct_pullback_apply on a freed pullback stops with a
// "cotangent:" message naming the operator, not a segfault or garbage.
// EXPECT: runtime-error "cotangent: ct_pullback_apply"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double f(double x, double y) { return x * sin(y); }

int main(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  ct_pullback_free(pb);
  double dx = 0, dy = 0;
  ct_pullback_apply(pb, 1.0, &dx, &dy);
  printf("applied?! %g %g\n", dx, dy);
  return 0;
}
