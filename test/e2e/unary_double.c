/* Every supported unary libm function (double), differentiated with
 * ct_gradient and ct_value_with_gradient at several points of its domain and
 * compared with the derivative written out by hand. Also: negation, and the
 * piecewise-constant rounding functions (zero derivative, both alone and
 * added to x so that a stray non-zero contribution shows). */
#include "check.h"

#include <cotangent.h>
#include <math.h>

/* UNARY(name, f(x), f'(x), points...) defines the function `name`, its
 * hand-written derivative and a test that checks the gradient and the value
 * at every point. */
#define UNARY(name, body, deriv, ...)                                                                   \
  static double name(double x) { return body; }                                                         \
  static double name##_want(double x) { return deriv; }                                                 \
  static void test_##name(void) {                                                                       \
    static const double pts[] = {__VA_ARGS__};                                                          \
    for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {                                         \
      double x = pts[i], dx = NAN, dx2 = NAN;                                                           \
      ct_gradient(name, x, &dx);                                                                        \
      CHECK_AT_D("d/dx " #body, x, dx, name##_want(x));                                                 \
      double v = ct_value_with_gradient(name, x, &dx2);                                                 \
      CHECK_AT_D("value of " #body, x, v, name(x));                                                     \
      CHECK_AT_D("d/dx (with value) " #body, x, dx2, name##_want(x));                                   \
    }                                                                                                   \
  }

/* 1/ln(2), ln(2), ln(10), 2/sqrt(pi) computed at run time (no M_ constants
 * in strict C17) */
static double ln2(void) { return log(2.0); }
static double ln10(void) { return log(10.0); }
static double two_over_sqrt_pi(void) { return 2.0 / sqrt(acos(-1.0)); }

/* ---- algebraic ---- */
UNARY(u_neg, -x, -1.0, -2.0, 0.5, 3.0)
UNARY(u_sqrt, sqrt(x), 0.5 / sqrt(x), 0.25, 2.0, 9.5)
UNARY(u_cbrt, cbrt(x), 1.0 / (3.0 * cbrt(x) * cbrt(x)), -8.5, 0.3, 27.0)
UNARY(u_fabs, fabs(x), x < 0 ? -1.0 : 1.0, -2.5, -0.125, 0.75, 3.0)

/* ---- trigonometric ---- */
UNARY(u_sin, sin(x), cos(x), -1.2, 0.4, 2.5)
UNARY(u_cos, cos(x), -sin(x), -1.2, 0.4, 2.5)
UNARY(u_tan, tan(x), 1.0 + tan(x) * tan(x), -1.2, 0.4, 2.5)
UNARY(u_asin, asin(x), 1.0 / sqrt(1.0 - x * x), -0.7, 0.1, 0.55)
UNARY(u_acos, acos(x), -1.0 / sqrt(1.0 - x * x), -0.7, 0.1, 0.55)
UNARY(u_atan, atan(x), 1.0 / (1.0 + x * x), -3.0, 0.2, 5.0)

/* ---- hyperbolic ---- */
UNARY(u_sinh, sinh(x), cosh(x), -1.5, 0.3, 2.0)
UNARY(u_cosh, cosh(x), sinh(x), -1.5, 0.3, 2.0)
UNARY(u_tanh, tanh(x), 1.0 - tanh(x) * tanh(x), -1.5, 0.3, 2.0)

/* ---- exponential and logarithmic ---- */
UNARY(u_exp, exp(x), exp(x), -2.0, 0.5, 3.0)
UNARY(u_exp2, exp2(x), exp2(x) * ln2(), -2.0, 0.5, 3.0)
UNARY(u_expm1, expm1(x), exp(x), -2.0, 0.5, 3.0)
UNARY(u_log, log(x), 1.0 / x, 0.1, 1.7, 50.0)
UNARY(u_log2, log2(x), 1.0 / (x * ln2()), 0.1, 1.7, 50.0)
UNARY(u_log10, log10(x), 1.0 / (x * ln10()), 0.1, 1.7, 50.0)
UNARY(u_log1p, log1p(x), 1.0 / (1.0 + x), -0.5, 0.3, 10.0)

/* ---- error function ---- */
UNARY(u_erf, erf(x), two_over_sqrt_pi() * exp(-x * x), -1.1, 0.2, 1.5)
UNARY(u_erfc, erfc(x), -two_over_sqrt_pi() * exp(-x * x), -1.1, 0.2, 1.5)

/* ---- piecewise constant: zero derivative ---- */
UNARY(u_floor, floor(x), 0.0, -2.7, 1.3)
UNARY(u_ceil, ceil(x), 0.0, -2.7, 1.3)
UNARY(u_trunc, trunc(x), 0.0, -2.7, 1.3)
UNARY(u_round, round(x), 0.0, -2.7, 1.3)
UNARY(u_rint, rint(x), 0.0, -2.7, 1.3)
UNARY(u_nearbyint, nearbyint(x), 0.0, -2.7, 1.3)
/* x plus a rounding: the derivative is exactly 1 */
UNARY(u_x_floor, x + floor(x), 1.0, -2.7, 1.3)
UNARY(u_x_ceil, x * 3.0 - ceil(x), 3.0, -2.7, 1.3)
UNARY(u_x_trunc, trunc(x) + x, 1.0, -2.7, 1.3)
UNARY(u_x_round, round(x) * 2.0 + x, 1.0, -2.7, 1.3)
UNARY(u_x_rint, x - rint(x), 1.0, -2.7, 1.3)
UNARY(u_x_nearbyint, x + nearbyint(x * 0.5), 1.0, -2.7, 1.3)

/* ---- the chain rule through one unary function ---- */
UNARY(u_sin_scaled, sin(3.0 * x - 1.0), 3.0 * cos(3.0 * x - 1.0), -0.4, 0.9)
UNARY(u_exp_neg, exp(-x), -exp(-x), -1.0, 2.0)
UNARY(u_log_sq, log(x * x), 2.0 / x, -3.0, 0.5)
UNARY(u_recip, 1.0 / x, -1.0 / (x * x), -4.0, 0.25)

int main(void) {
  test_u_neg();
  test_u_sqrt();
  test_u_cbrt();
  test_u_fabs();
  test_u_sin();
  test_u_cos();
  test_u_tan();
  test_u_asin();
  test_u_acos();
  test_u_atan();
  test_u_sinh();
  test_u_cosh();
  test_u_tanh();
  test_u_exp();
  test_u_exp2();
  test_u_expm1();
  test_u_log();
  test_u_log2();
  test_u_log10();
  test_u_log1p();
  test_u_erf();
  test_u_erfc();
  test_u_floor();
  test_u_ceil();
  test_u_trunc();
  test_u_round();
  test_u_rint();
  test_u_nearbyint();
  test_u_x_floor();
  test_u_x_ceil();
  test_u_x_trunc();
  test_u_x_round();
  test_u_x_rint();
  test_u_x_nearbyint();
  test_u_sin_scaled();
  test_u_exp_neg();
  test_u_log_sq();
  test_u_recip();
  return check_summary("unary_double");
}
