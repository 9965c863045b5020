// __int128 integers (parameter, loop counters, arithmetic mixed with
// doubles) carry no derivative; the double parts are differentiated. A loop
// counted in __int128 whose reverse needs a value per iteration (the Horner
// step s = s * x + c) keeps it on the tape. Before the fix: "internal error:
// Cotangent generated invalid code" (the loop's trip count was widened to
// i64 with a zext from i128) at every level.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, __int128 n) {
  double s = 0;
  for (__int128 i = 0; i < n; ++i)
    s += x * (double)(i * i + ((__int128)1 << 70) / ((__int128)1 << 68));
  return s * x;
}

static double horner(double x, __int128 n) {
  double s = 1;
  for (__int128 i = 1; i <= n; ++i)
    s = s * x + (double)i;
  return s;
}

int main(void) {
  double dx = 0, x = 0.8;
  double v = ct_value_with_gradient(f, x, &dx, (__int128)5);
  /* sum_{i<5} (i^2 + 4) = 30 + 20 = 50: f = 50 x^2 */
  CHECK_D(v, 50 * x * x);
  CHECK_D(dx, 100 * x);
  /* horner(x, 4) = x^4 + x^3 + 2x^2 + 3x + 4 */
  dx = 0;
  v = ct_value_with_gradient(horner, x, &dx, (__int128)4);
  CHECK_D(v, x * x * x * x + x * x * x + 2 * x * x + 3 * x + 4);
  CHECK_D(dx, 4 * x * x * x + 3 * x * x + 4 * x + 3);
  return check_summary("type_int128");
}
