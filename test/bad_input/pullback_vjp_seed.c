// The pullback of a function returning nothing (results through pointers)
// applied with a seed as if it had a floating-point result: its
// applications take one pointer per argument (the shadows and derivative
// pointers), no seed. A compile error at the apply where the pullback is in
// view.
// EXPECT: error @apply:3 "ct_pullback_apply: 'to_cartesian' returns nothing: its pullback takes no seed"
#include <cotangent.h>
#include <math.h>

static void to_cartesian(double r, double th, double *xy) {
  xy[0] = r * cos(th);
  xy[1] = r * sin(th);
}

int main(void) {
  double xy[2], dr, dth;
  ct_pullback_t pb = ct_pullback(to_cartesian, 1.0, 0.5, xy);
  ct_pullback_apply(pb, 1.0, &dr, &dth); /*@apply*/
  ct_pullback_free(pb);
  return 0;
}
