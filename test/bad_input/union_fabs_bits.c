// |y| by clearing the sign bit of a union's uint64_t view (a common
// fabs-by-hand): LLVM recognizes it as fabs, and the derivative is the sign,
// d/dx |3x| = -3 at x = -2, 3 at x = 1.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdint.h>

typedef union { double d; uint64_t bits; } pun;

static double f(double x) {
  pun p = {.d = x * 3};
  p.bits &= ~(1ull << 63);
  return p.d;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, -2.0, &dx);
  CHECK_D(dx, -3.0);
  ct_gradient(f, 1.0, &dx);
  CHECK_D(dx, 3.0);
  return check_summary("union_fabs_bits");
}
