// Type punning that computes on the bits: one ulp up (bits += 1, a
// hand-written nextafter) of 3x. The derivative cannot flow through the
// integer add; a correct tool warns where it is lost, as for (int)x, and the
// rest of the gradient stays right (d/dx of x is 1). Before: no warning
// at all (with only the punned part returned: "does not depend on its
// differentiable arguments" at the return).
// EXPECT: warning @bits:10 "the gradient flows through integer arithmetic on the bits of a floating-point value"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdint.h>

typedef union { double d; uint64_t bits; } pun;

static double f(double x) {
  pun p = {.d = x * 3};
  p.bits += 1; /*@bits*/
  return p.d + x;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, -2.0, &dx);
  CHECK_D(dx, 1.0); /* what the warning says: no derivative through the bits */
  return check_summary("union_pun_bits");
}
