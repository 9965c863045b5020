// A seed given to the pullback of a function returning nothing, made where
// the compiler cannot see it (a helper): the runtime stops with a message
// saying what the pullback takes.
// EXPECT: runtime-error "cotangent: ct_pullback_apply: the pullback is of a function that returns nothing: it takes no seed"
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static void to_cartesian(double r, double th, double *xy) {
  xy[0] = r * cos(th);
  xy[1] = r * sin(th);
}

__attribute__((noinline)) static void apply_seed(ct_pullback_t pb, double *dr, double *dth) {
  ct_pullback_apply(pb, 1.0, dr, dth);
}

int main(void) {
  double xy[2], dr = 0, dth = 0, dxy[2] = {1, 0};
  ct_pullback_t pb = ct_pullback(to_cartesian, 1.0, 0.5, xy);
  ct_pullback_apply(pb, &dr, &dth, dxy); /* right */
  printf("%g %g\n", dr, dth);
  apply_seed(pb, &dr, &dth);
  printf("applied?! %g\n", dr);
  ct_pullback_free(pb);
  return 0;
}
