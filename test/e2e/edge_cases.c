/* Derivatives at points where a rule's formula divides by zero although the
 * function is smooth there:
 *   - x^n with n == 0 is the constant 1, so d/dx is 0 everywhere, also at
 *     x == 0 (the rule n * x^(n-1) gives 0 * inf = NaN there)
 *   - pow(x, y) with y == 0 is 1 for every x (C's pow(x, +-0) == 1), so
 *     d/dx is 0, also at x == 0
 * and the same functions just next to those points, where the rule is fine. */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double e_powi(double x, int n) { return __builtin_powi(x, n); }
static float e_powif(float x, int n) { return __builtin_powif(x, n); }
static double e_pow(double x, double y) { return pow(x, y); }

int main(void) {
  static const double xs[] = {0.0, 1e-3, -0.5};
  for (unsigned i = 0; i < 3; ++i) {
    double x = xs[i], dx = NAN, dy = NAN;
    for (int n = 0; n <= 2; ++n) {
      double want = n == 0 ? 0.0 : n * pow(x, n - 1);
      ct_gradient(e_powi, x, &dx, n);
      CHECK_AT_D(n == 0 ? "d/dx powi(x, 0)" : n == 1 ? "d/dx powi(x, 1)" : "d/dx powi(x, 2)", x, dx, want);
      float fdx = NAN;
      ct_gradient(e_powif, (float)x, &fdx, n);
      CHECK_AT_F(n == 0 ? "d/dx powif(x, 0)" : n == 1 ? "d/dx powif(x, 1)" : "d/dx powif(x, 2)", x, fdx,
                 n == 0 ? 0.0 : n * pow((float)x, n - 1));
    }
    /* pow(x, 0): only d/dx is defined at x == 0 */
    ct_gradient(e_pow, x, &dx, ct_const(0.0));
    CHECK_AT_D("d/dx pow(x, 0)", x, dx, 0.0);
    if (x != 0.0) {
      ct_gradient(e_pow, x, &dx, 0.0, &dy);
      CHECK_AT_D("d/dx pow(x, y) at y = 0", x, dx, 0.0);
    }
    if (x > 0.0) {
      ct_gradient(e_pow, x, &dx, 0.0, &dy);
      CHECK_AT_D("d/dy pow(x, y) at y = 0", x, dy, log(x));
    }
  }
  return check_summary("edge_cases");
}
