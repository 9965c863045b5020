// long double (x86 80-bit) arithmetic and parameters: the derivative is
// exact, in long double, like float and double.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static long double f(long double x, long double y) { return x * x * y + y / x; }

int main(void) {
  long double dx = 0, dy = 0, x = 1.5L, y = -0.75L;
  ct_gradient(f, x, &dx, y, &dy);
  CHECK_D((double)dx, (double)(2 * x * y - y / (x * x)));
  CHECK_D((double)dy, (double)(x * x + 1 / x));
  return check_summary("type_long_double");
}
