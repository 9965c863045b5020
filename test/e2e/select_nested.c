/* Ternaries that LLVM's -O1..-O3 pipelines turn into selects (so they
 * differentiate at those levels) but that the pass's own preparation of -O0
 * input leaves as branches. The pass promises that -O0 input is brought
 * into the same form as -O2 input, so these must work at -O0 too.
 *   - a nested ternary (clamp written in one expression)
 *   - a ternary with a division in one arm (fdiv speculation needs the
 *     target's cost model) */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double n_clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }
static double n_div_arm(double x, double y, int c) { return c ? x * y : x / y; }
static double n_min3(double x, double y, double z) { return x < y ? (x < z ? x : z) : (y < z ? y : z); }

int main(void) {
  static const double xs[] = {-2.5, 0.4, 3.0};
  for (unsigned i = 0; i < 3; ++i) {
    double x = xs[i], dx = NAN, dlo = NAN, dhi = NAN;
    ct_gradient(n_clamp, x, &dx, -1.0, &dlo, 2.0, &dhi);
    CHECK_AT_D("nested clamp d/dx", x, dx, x > -1.0 && x < 2.0 ? 1.0 : 0.0);
    CHECK_AT_D("nested clamp d/dlo", x, dlo, x < -1.0 ? 1.0 : 0.0);
    CHECK_AT_D("nested clamp d/dhi", x, dhi, x > 2.0 ? 1.0 : 0.0);
    double y = 0.5, z = 1.0, dy = NAN, dz = NAN;
    ct_gradient(n_min3, x, &dx, y, &dy, z, &dz);
    double m = fmin(x, fmin(y, z));
    CHECK_AT_D("min3 d/dx", x, dx, m == x ? 1.0 : 0.0);
    CHECK_AT_D("min3 d/dy", x, dy, m == y ? 1.0 : 0.0);
    CHECK_AT_D("min3 d/dz", x, dz, m == z ? 1.0 : 0.0);
  }
  for (int c = 0; c <= 1; ++c) {
    double x = 1.5, y = -0.8, dx = NAN, dy = NAN;
    ct_gradient(n_div_arm, x, &dx, y, &dy, c);
    CHECK_AT_D("x*y or x/y d/dx", c, dx, c ? y : 1.0 / y);
    CHECK_AT_D("x*y or x/y d/dy", c, dy, c ? x : -x / (y * y));
  }
  return check_summary("select_nested");
}
