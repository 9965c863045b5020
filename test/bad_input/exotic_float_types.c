// __float128 (x86 quad precision, soft-float library calls) parameters and
// result: the derivative is computed in quad precision. (__bf16 is left
// out: at -O0 its conversions need __truncsfbf2, which Debian 12's libgcc
// lacks, for the function itself too.)
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static __float128 fq(__float128 x, __float128 y) { return x * x * y + y / x; }

int main(void) {
  __float128 dx = 0, dy = 0;
  ct_gradient(fq, (__float128)2, &dx, (__float128)3, &dy);
  CHECK_D((double)dx, 2 * 2.0 * 3 - 3 / 4.0);
  CHECK_D((double)dy, 4 + 0.5);
  return check_summary("exotic_float_types");
}
