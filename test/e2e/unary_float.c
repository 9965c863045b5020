/* Every supported unary libm function in its float variant (sinf, expf,
 * ...) on float arguments with a float result, differentiated with
 * ct_gradient (float derivative pointer) and ct_value_with_gradient, and
 * compared with the derivative written out by hand (evaluated in double at
 * the same float point; tolerance 1e-5). */
#include "check.h"

#include <cotangent.h>
#include <math.h>

/* UNARY(name, f(x), f'(x) in double, points...): `x` is float in the body
 * and double in the derivative. */
#define UNARY(name, body, deriv, ...)                                                                   \
  static float name(float x) { return body; }                                                           \
  static double name##_want(double x) { return deriv; }                                                 \
  static void test_##name(void) {                                                                       \
    static const float pts[] = {__VA_ARGS__};                                                           \
    for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {                                         \
      float x = pts[i], dx = NAN, dx2 = NAN;                                                            \
      ct_gradient(name, x, &dx);                                                                        \
      CHECK_AT_F("d/dx " #body, x, dx, name##_want((double)x));                                         \
      double v = ct_value_with_gradient(name, x, &dx2);                                                 \
      CHECK_AT_F("value of " #body, x, v, name(x));                                                     \
      CHECK_AT_F("d/dx (with value) " #body, x, dx2, name##_want((double)x));                           \
    }                                                                                                   \
  }

static double ln2(void) { return log(2.0); }
static double ln10(void) { return log(10.0); }
static double two_over_sqrt_pi(void) { return 2.0 / sqrt(acos(-1.0)); }

/* ---- algebraic ---- */
UNARY(u_neg, -x, -1.0, -2.0f, 0.5f, 3.0f)
UNARY(u_sqrt, sqrtf(x), 0.5 / sqrt(x), 0.25f, 2.0f, 9.5f)
UNARY(u_cbrt, cbrtf(x), 1.0 / (3.0 * cbrt(x) * cbrt(x)), -8.5f, 0.3f, 27.0f)
UNARY(u_fabs, fabsf(x), x < 0 ? -1.0 : 1.0, -2.5f, -0.125f, 0.75f, 3.0f)

/* ---- trigonometric ---- */
UNARY(u_sin, sinf(x), cos(x), -1.2f, 0.4f, 2.5f)
UNARY(u_cos, cosf(x), -sin(x), -1.2f, 0.4f, 2.5f)
UNARY(u_tan, tanf(x), 1.0 + tan(x) * tan(x), -1.2f, 0.4f, 2.5f)
UNARY(u_asin, asinf(x), 1.0 / sqrt(1.0 - x * x), -0.7f, 0.1f, 0.55f)
UNARY(u_acos, acosf(x), -1.0 / sqrt(1.0 - x * x), -0.7f, 0.1f, 0.55f)
UNARY(u_atan, atanf(x), 1.0 / (1.0 + x * x), -3.0f, 0.2f, 5.0f)

/* ---- hyperbolic ---- */
UNARY(u_sinh, sinhf(x), cosh(x), -1.5f, 0.3f, 2.0f)
UNARY(u_cosh, coshf(x), sinh(x), -1.5f, 0.3f, 2.0f)
UNARY(u_tanh, tanhf(x), 1.0 - tanh(x) * tanh(x), -1.5f, 0.3f, 2.0f)

/* ---- exponential and logarithmic ---- */
UNARY(u_exp, expf(x), exp(x), -2.0f, 0.5f, 3.0f)
UNARY(u_exp2, exp2f(x), exp2(x) * ln2(), -2.0f, 0.5f, 3.0f)
UNARY(u_expm1, expm1f(x), exp(x), -2.0f, 0.5f, 3.0f)
UNARY(u_log, logf(x), 1.0 / x, 0.1f, 1.7f, 50.0f)
UNARY(u_log2, log2f(x), 1.0 / (x * ln2()), 0.1f, 1.7f, 50.0f)
UNARY(u_log10, log10f(x), 1.0 / (x * ln10()), 0.1f, 1.7f, 50.0f)
UNARY(u_log1p, log1pf(x), 1.0 / (1.0 + x), -0.5f, 0.3f, 10.0f)

/* ---- error function ---- */
UNARY(u_erf, erff(x), two_over_sqrt_pi() * exp(-x * x), -1.1f, 0.2f, 1.5f)
UNARY(u_erfc, erfcf(x), -two_over_sqrt_pi() * exp(-x * x), -1.1f, 0.2f, 1.5f)

/* ---- piecewise constant: zero derivative ---- */
UNARY(u_floor, floorf(x), 0.0, -2.7f, 1.3f)
UNARY(u_ceil, ceilf(x), 0.0, -2.7f, 1.3f)
UNARY(u_trunc, truncf(x), 0.0, -2.7f, 1.3f)
UNARY(u_round, roundf(x), 0.0, -2.7f, 1.3f)
UNARY(u_rint, rintf(x), 0.0, -2.7f, 1.3f)
UNARY(u_nearbyint, nearbyintf(x), 0.0, -2.7f, 1.3f)
/* x plus a rounding: the derivative is exactly 1 */
UNARY(u_x_floor, x + floorf(x), 1.0, -2.7f, 1.3f)
UNARY(u_x_ceil, x * 3.0f - ceilf(x), 3.0, -2.7f, 1.3f)
UNARY(u_x_trunc, truncf(x) + x, 1.0, -2.7f, 1.3f)
UNARY(u_x_round, roundf(x) * 2.0f + x, 1.0, -2.7f, 1.3f)
UNARY(u_x_rint, x - rintf(x), 1.0, -2.7f, 1.3f)
UNARY(u_x_nearbyint, x + nearbyintf(x * 0.5f), 1.0, -2.7f, 1.3f)

/* ---- the chain rule through one unary function ---- */
UNARY(u_sin_scaled, sinf(3.0f * x - 1.0f), 3.0 * cos(3.0 * x - 1.0), -0.4f, 0.9f)
UNARY(u_exp_neg, expf(-x), -exp(-x), -1.0f, 2.0f)
UNARY(u_log_sq, logf(x * x), 2.0 / x, -3.0f, 0.5f)
UNARY(u_recip, 1.0f / x, -1.0 / (x * x), -4.0f, 0.25f)

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
  return check_summary("unary_float");
}
