/* Binary (and ternary) operations: the arithmetic operators, atan2, pow,
 * __builtin_powi, hypot, fmin, fmax, copysign, fma (and a*b+c contracted to
 * fmuladd), fmod, ldexp, in double and float, each partial derivative
 * compared with the one written out by hand. Every function is also
 * differentiated with one argument held constant (ct_const), which must
 * leave the other partial unchanged. */
#include "check.h"

#include <cotangent.h>
#include <math.h>

typedef struct {
  double a, b;
} pair;

/* BINARY(name, f(a,b), df/da, df/db, {a,b} points...) */
#define BINARY(name, body, da_expr, db_expr, ...)                                                       \
  static double name(double a, double b) { return body; }                                               \
  static double name##_da(double a, double b) { (void)a, (void)b; return da_expr; }                     \
  static double name##_db(double a, double b) { (void)a, (void)b; return db_expr; }                     \
  static void test_##name(void) {                                                                       \
    static const pair pts[] = {__VA_ARGS__};                                                            \
    for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {                                         \
      double a = pts[i].a, b = pts[i].b, da = NAN, db = NAN;                                            \
      ct_gradient(name, a, &da, b, &db);                                                                \
      CHECK_AT_D("d/da " #body, a, da, name##_da(a, b));                                                \
      CHECK_AT_D("d/db " #body, b, db, name##_db(a, b));                                                \
      double da2 = NAN, db2 = NAN;                                                                      \
      double v = ct_value_with_gradient(name, a, &da2, ct_const(b));                                    \
      CHECK_AT_D("value " #body, a, v, name(a, b));                                                     \
      CHECK_AT_D("d/da (b const) " #body, a, da2, name##_da(a, b));                                     \
      ct_gradient(name, ct_const(a), b, &db2);                                                          \
      CHECK_AT_D("d/db (a const) " #body, b, db2, name##_db(a, b));                                     \
    }                                                                                                   \
  }

/* the same for float: derivatives written in double at the float point */
#define BINARY_F(name, body, da_expr, db_expr, ...)                                                     \
  static float name(float a, float b) { return body; }                                                  \
  static double name##_da(double a, double b) { (void)a, (void)b; return da_expr; }                     \
  static double name##_db(double a, double b) { (void)a, (void)b; return db_expr; }                     \
  static void test_##name(void) {                                                                       \
    static const pair pts[] = {__VA_ARGS__};                                                            \
    for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {                                         \
      float a = (float)pts[i].a, b = (float)pts[i].b, da = NAN, db = NAN;                               \
      ct_gradient(name, a, &da, b, &db);                                                                \
      CHECK_AT_F("d/da " #body, a, da, name##_da(a, b));                                                \
      CHECK_AT_F("d/db " #body, b, db, name##_db(a, b));                                                \
      float da2 = NAN;                                                                                  \
      double v = ct_value_with_gradient(name, a, &da2, ct_const(b));                                    \
      CHECK_AT_F("value " #body, a, v, name(a, b));                                                     \
      CHECK_AT_F("d/da (b const) " #body, a, da2, name##_da(a, b));                                     \
    }                                                                                                   \
  }

/* ---- arithmetic ---- */
BINARY(b_add, a + b, 1.0, 1.0, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_sub, a - b, 1.0, -1.0, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_mul, a * b, b, a, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_div, a / b, 1.0 / b, -a / (b * b), {1.5, -2.0}, {-0.25, 3.0}, {7.0, 0.5})
BINARY(b_square, a * a + b, 2.0 * a, 1.0, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_self_div, a / a + b * b * b, 0.0, 3.0 * b * b, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_self_sub, (a - a) + 2.0 * b, 0.0, 2.0, {1.5, -2.0}, {-0.25, 3.0})
BINARY(b_poly, 3.0 * a * a * b - b / a + 0.5, 6.0 * a * b + b / (a * a), 3.0 * a * a - 1.0 / a,
       {1.5, -2.0}, {-0.25, 3.0})

/* ---- libm binary functions ---- */
BINARY(b_atan2, atan2(a, b), b / (a * a + b * b), -a / (a * a + b * b),
       {1.0, 2.0}, {-0.5, -1.5}, {2.0, -0.3}, {-3.0, 0.7})
BINARY(b_pow, pow(a, b), b * pow(a, b - 1.0), pow(a, b) * log(a),
       {1.5, 2.3}, {0.4, -1.7}, {3.0, 0.5}, {2.0, 3.0})
BINARY(b_pow_zero_base, pow(a * 0.0, b) + a, 1.0, 0.0, {1.5, 2.5}, {2.0, 3.0})
BINARY(b_hypot, hypot(a, b), a / hypot(a, b), b / hypot(a, b), {3.0, 4.0}, {-1.5, 0.2}, {0.3, -2.0})
BINARY(b_fmin, fmin(a, b), a < b ? 1.0 : 0.0, a < b ? 0.0 : 1.0, {1.0, 2.0}, {3.0, -1.0}, {-4.0, -3.5})
BINARY(b_fmax, fmax(a, b), a > b ? 1.0 : 0.0, a > b ? 0.0 : 1.0, {1.0, 2.0}, {3.0, -1.0}, {-4.0, -3.5})
/* d/da copysign(a, b) = sign(a) * sign(b); d/db = 0 */
BINARY(b_copysign, copysign(a, b), (a < 0) == (b < 0) ? 1.0 : -1.0, 0.0,
       {2.0, -3.0}, {-2.0, -3.0}, {-2.0, 5.0}, {1.5, 0.5})
BINARY(b_copysign2, copysign(a, b) + 0.5 * b, (a < 0) == (b < 0) ? 1.0 : -1.0, 0.5, {2.0, -3.0}, {-2.0, 5.0})
/* d/db fmod(a, b) = -trunc(a / b) */
BINARY(b_fmod, fmod(a, b), 1.0, -trunc(a / b), {7.5, 2.0}, {-7.5, 2.0}, {5.3, -1.2}, {0.3, 2.0})
/* constant second operands, which LLVM may rewrite (pow(x, 2) -> x * x) */
BINARY(b_pow2, pow(a, 2.0) + b, 2.0 * a, 1.0, {1.5, 1.0}, {-0.75, 2.0})
BINARY(b_pow_const, pow(a, 3.5) * b, 3.5 * pow(a, 2.5) * b, pow(a, 3.5), {1.5, 1.0}, {0.75, -2.0})
BINARY(b_exp_base, pow(2.0, a) * b, pow(2.0, a) * log(2.0) * b, pow(2.0, a), {1.5, 1.0}, {-0.75, -2.0})

/* ---- float variants ---- */
BINARY_F(bf_div, a / b, 1.0 / b, -a / (b * b), {1.5, -2.0}, {-0.25, 3.0})
BINARY_F(bf_atan2, atan2f(a, b), b / (a * a + b * b), -a / (a * a + b * b), {1.0, 2.0}, {-0.5, -1.5})
BINARY_F(bf_pow, powf(a, b), b * pow(a, b - 1.0), pow(a, b) * log(a), {1.5, 2.3}, {0.4, -1.7})
BINARY_F(bf_hypot, hypotf(a, b), a / hypot(a, b), b / hypot(a, b), {3.0, 4.0}, {-1.5, 0.2})
BINARY_F(bf_fmin, fminf(a, b), a < b ? 1.0 : 0.0, a < b ? 0.0 : 1.0, {1.0, 2.0}, {3.0, -1.0})
BINARY_F(bf_fmax, fmaxf(a, b), a > b ? 1.0 : 0.0, a > b ? 0.0 : 1.0, {1.0, 2.0}, {3.0, -1.0})
BINARY_F(bf_copysign, copysignf(a, b), (a < 0) == (b < 0) ? 1.0 : -1.0, 0.0, {2.0, -3.0}, {-2.0, -3.0})
BINARY_F(bf_fmod, fmodf(a, b), 1.0, -trunc(a / b), {7.5, 2.0}, {5.3, -1.2})

/* ---- fma and contraction: three arguments ---- */
static double t_fma(double a, double b, double c) { return fma(a, b, c); }
static double t_muladd(double a, double b, double c) { return a * b + c; } /* fmuladd */
static float t_fmaf(float a, float b, float c) { return fmaf(a, b, c); }
static float t_muladdf(float a, float b, float c) { return a * b - c; }

static void test_fma(void) {
  static const double pts[][3] = {{1.5, -2.0, 0.25}, {-0.5, 3.0, 7.0}};
  for (unsigned i = 0; i < 2; ++i) {
    double a = pts[i][0], b = pts[i][1], c = pts[i][2], da = NAN, db = NAN, dc = NAN;
    ct_gradient(t_fma, a, &da, b, &db, c, &dc);
    CHECK_AT_D("d/da fma", a, da, b);
    CHECK_AT_D("d/db fma", b, db, a);
    CHECK_AT_D("d/dc fma", c, dc, 1.0);
    ct_gradient(t_muladd, a, &da, b, &db, c, &dc);
    CHECK_AT_D("d/da a*b+c", a, da, b);
    CHECK_AT_D("d/db a*b+c", b, db, a);
    CHECK_AT_D("d/dc a*b+c", c, dc, 1.0);
    float fa = (float)a, fb = (float)b, fc = (float)c, fda = NAN, fdb = NAN, fdc = NAN;
    ct_gradient(t_fmaf, fa, &fda, fb, &fdb, fc, &fdc);
    CHECK_AT_F("d/da fmaf", fa, fda, fb);
    CHECK_AT_F("d/db fmaf", fb, fdb, fa);
    CHECK_AT_F("d/dc fmaf", fc, fdc, 1.0);
    ct_gradient(t_muladdf, fa, &fda, fb, &fdb, fc, &fdc);
    CHECK_AT_F("d/da a*b-c (float)", fa, fda, fb);
    CHECK_AT_F("d/db a*b-c (float)", fb, fdb, fa);
    CHECK_AT_F("d/dc a*b-c (float)", fc, fdc, -1.0);
    /* only the middle one active */
    double v = ct_value_with_gradient(t_fma, ct_const(a), b, &db, ct_const(c));
    CHECK_AT_D("value fma", b, v, fma(a, b, c));
    CHECK_AT_D("d/db fma (a, c const)", b, db, a);
  }
}

/* ---- integer second operands: __builtin_powi and ldexp ---- */
static double i_powi(double x, int n) { return __builtin_powi(x, n); }
static float i_powif(float x, int n) { return __builtin_powif(x, n); }
static double i_ldexp(double x, int n) { return ldexp(x, n); }
static float i_ldexpf(float x, int n) { return ldexpf(x, n); }
static double i_powi_mix(double x, double y, int n) { return __builtin_powi(x * y, n) + y; }

static void test_int_exponents(void) {
  static const struct {
    double x;
    int n;
  } pts[] = {{1.3, 3}, {-0.7, 5}, {2.0, -2}, {1.7, 0}, {-1.25, 1}, {0.9, 4}};
  for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
    double x = pts[i].x, dx = NAN;
    int n = pts[i].n;
    /* d/dx x^n = n x^(n-1) */
    double want = n == 0 ? 0.0 : n * pow(x, n - 1);
    ct_gradient(i_powi, x, &dx, n);
    CHECK_AT_D("d/dx powi(x, n)", x, dx, want);
    float fx = (float)x, fdx = NAN;
    ct_gradient(i_powif, fx, &fdx, n);
    CHECK_AT_F("d/dx powif(x, n)", fx, fdx, n == 0 ? 0.0 : n * pow(fx, n - 1));
    /* d/dx ldexp(x, n) = 2^n */
    double v = ct_value_with_gradient(i_ldexp, x, &dx, n);
    CHECK_AT_D("value ldexp", x, v, ldexp(x, n));
    CHECK_AT_D("d/dx ldexp(x, n)", x, dx, ldexp(1.0, n));
    ct_gradient(i_ldexpf, fx, &fdx, n);
    CHECK_AT_F("d/dx ldexpf(x, n)", fx, fdx, ldexp(1.0, n));
    /* (xy)^n + y: d/dx = n (xy)^(n-1) y, d/dy = n (xy)^(n-1) x + 1 */
    double y = 0.5 + 0.1 * i, dy = NAN;
    double p = n == 0 ? 0.0 : n * pow(x * y, n - 1);
    ct_gradient(i_powi_mix, x, &dx, y, &dy, n);
    CHECK_AT_D("d/dx powi(xy, n) + y", x, dx, p * y);
    CHECK_AT_D("d/dy powi(xy, n) + y", y, dy, p * x + 1.0);
  }
}

int main(void) {
  test_b_add();
  test_b_sub();
  test_b_mul();
  test_b_div();
  test_b_square();
  test_b_self_div();
  test_b_self_sub();
  test_b_poly();
  test_b_atan2();
  test_b_pow();
  test_b_pow_zero_base();
  test_b_hypot();
  test_b_fmin();
  test_b_fmax();
  test_b_copysign();
  test_b_copysign2();
  test_b_fmod();
  test_b_pow2();
  test_b_pow_const();
  test_b_exp_base();
  test_bf_div();
  test_bf_atan2();
  test_bf_pow();
  test_bf_hypot();
  test_bf_fmin();
  test_bf_fmax();
  test_bf_copysign();
  test_bf_fmod();
  test_fma();
  test_int_exponents();
  return check_summary("binary");
}
