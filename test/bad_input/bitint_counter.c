// _BitInt(37) and _BitInt(200) loop counters (C23 bit-precise integers,
// a clang extension in C17): the trip count of the 200-bit loop is wider
// than 64 bits (see type_int128). Horner: x^3 + x^2 + x + 1.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, _BitInt(37) n) {
  double s = 0;
  for (_BitInt(37) i = 0; i < n; ++i)
    s = s * x + 1;
  return s;
}

static double g(double x, int n) {
  double s = 0;
  for (_BitInt(200) i = 0; i < (_BitInt(200))n; ++i)
    s = s * x + 1;
  return s;
}

int main(void) {
  double dx = 0, x = 0.5;
  ct_gradient(f, x, &dx, (_BitInt(37))4);
  CHECK_D(dx, 3 * x * x + 2 * x + 1);
  dx = 0;
  ct_gradient(g, x, &dx, 4);
  CHECK_D(dx, 3 * x * x + 2 * x + 1);
  return check_summary("bitint_counter");
}
