/* The rows of the derivative rule table (pass/rules.c) that rules_table.h's
 * X-macro tables do not take, in double, float and long double:
 *  - special functions whose float versions are less accurate than the
 *    table's float tolerance allows (lgamma, tgamma, Bessel j0 j1 y0 y1):
 *    their own float tolerance;
 *  - integer operands: scalbn, scalbln, ldexpl; the Bessel functions of
 *    integer order jn, yn (J0' = -J1, Jn' = (J(n-1) - J(n+1)) / 2);
 *  - out-parameters: frexp's exponent, modf's integral part, remquo's
 *    quotient bits, lgamma_r's sign: the values written must be the
 *    library's, in the gradient as in the function, and the derivative
 *    flows through the floating result only (modf's integral part has
 *    derivative 0 and its shadow is cleared);
 *  - fmal;
 *  - complex numbers: cexp, clog, csqrt, cabs and the multiply/divide
 *    helpers __muldc3/__divdc3 (and their float and long double versions),
 *    called directly so that the rules run at finite points (C's z * w
 *    calls them only when the inline product is NaN). A real loss
 *    P Re(w) + Q Im(w) is differentiated with respect to the real and
 *    imaginary parts, against conj(f'(z)) (P + iQ) and central
 *    differences.
 * Included by rules_table.h, which defines the helpers used here. */
#ifndef COTANGENT_TEST_E2E_RULES_SPECIAL_H
#define COTANGENT_TEST_E2E_RULES_SPECIAL_H

#include <complex.h>

/* long double gradients against the double derivative */
#define RT_TOL_L 1e-12
/* glibc's float Bessel and Gamma functions are accurate to a few ulps only */
#define RT_TOL_F_SPECIAL 5e-6

/* ---- special functions: X(name, f(x), f'(x), points) ---- */

static double rt_digamma(double x);
#define SPECIAL_ROWS(X)                                                                                 \
  X(lgamma, FN(lgamma)(x), rt_digamma(x), PTS(-2.5, -0.5, 0.25, 1.0, 2.0, 3.7, 30.0))                   \
  X(tgamma, FN(tgamma)(x), tgamma(x) * rt_digamma(x), PTS(-2.5, -0.5, 0.25, 1.0, 3.7, 10.0))            \
  X(j0, FN(j0)(x), -j1(x), PTS(-1.5, 0.5, 1.5, 2.5, 5.5, 0.0))                                        \
  X(j1, FN(j1)(x), x == 0 ? 0.5 : j0(x) - j1(x) / x, PTS(-1.5, 0.5, 1.5, 2.5, 5.5, EDGE, 0.0))         \
  X(y0, FN(y0)(x), -y1(x), PTS(0.5, 1.5, 2.5, 5.5))                                                   \
  X(y1, FN(y1)(x), y0(x) - y1(x) / x, PTS(0.5, 1.5, 2.5, 5.5))

/* psi(x) for the expected values: the recurrence to x >= 30 and the
 * asymptotic series (independent of the runtime's, which shifts to 20 and
 * computes in long double), reflection for x < 0 */
static double rt_digamma(double x) {
  double acc = 0;
  if (x < 0) {
    acc = -acos(-1.0) / tan(acos(-1.0) * x);
    x = 1 - x;
  }
  for (; x < 30; x += 1)
    acc -= 1 / x;
  double t = 1 / (x * x);
  return acc + log(x) - 0.5 / x - t * (1.0 / 12 - t * (1.0 / 120 - t * (1.0 / 252 - t * (1.0 / 240))));
}

#define DEF_SPECIAL_D(name, body, deriv, pts) static double rf_##name##_d(double x) { return body; }
#define DEF_SPECIAL_L(name, body, deriv, pts) static long double rf_##name##_l(long double x) { return body; }
#define DEF_SPECIAL_F(name, body, deriv, pts)                                                           \
  static float rf_##name##_f(float x) { return body; }                                                  \
  static double want_##name(double x) { return deriv; }                                                 \
  static void test_##name(void) {                                                                       \
    static const double p[] = pts;                                                                      \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i] == EDGE) {                                                                               \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double x = p[i], want = want_##name(x), dx = NAN;                                                 \
      if (!edge) {                                                                                      \
        rt_fd c = {rf_##name##_d, 0, 0, {x, 0, 0}, 0};                                                  \
        rt_check_fd(__LINE__, "derivative", #name, &c, want);                                           \
      }                                                                                                 \
      double v = ct_value_with_gradient(rf_##name##_d, x, &dx);                                         \
      RT_CHECK1("value", #name, x, v, rf_##name##_d(x), RT_TOL_D);                                      \
      RT_CHECK1("d/dx", #name, x, dx, want, RT_TOL_D);                                                  \
      float xf = (float)x, dxf = NAN;                                                                   \
      ct_gradient(rf_##name##_f, xf, &dxf);                                                             \
      RT_CHECK1("d/dx (float)", #name, xf, dxf, want_##name(xf), RT_TOL_F_SPECIAL);                     \
      long double dxl = NAN;                                                                            \
      ct_gradient(rf_##name##_l, (long double)x, &dxl);                                                 \
      RT_CHECK1_L("d/dx (long double)", #name, x, (double)dxl, want, RT_TOL_L);                           \
    }                                                                                                   \
  }
#define RUN_SPECIAL(name, body, deriv, pts) test_##name();

#define FN(n) n
SPECIAL_ROWS(DEF_SPECIAL_D)
#undef FN
#define FN(n) n##l
SPECIAL_ROWS(DEF_SPECIAL_L)
#undef FN
#define FN(n) n##f
SPECIAL_ROWS(DEF_SPECIAL_F)
#undef FN

/* ---- integer operands: scaling by 2^n, Bessel functions of order n ---- */

static double rf_scalbn_d(double x, int n) { return scalbn(x, n); }
static float rf_scalbn_f(float x, int n) { return scalbnf(x, n); }
static long double rf_scalbn_l(long double x, int n) { return scalbnl(x, n); }
static double rf_scalbln_d(double x, long n) { return scalbln(x, n); }
static float rf_scalbln_f(float x, long n) { return scalblnf(x, n); }
static long double rf_scalbln_l(long double x, long n) { return scalblnl(x, n); }
static long double rf_ldexp_l(long double x, int n) { return ldexpl(x, n); }
static double rf_jn_d(int n, double x) { return jn(n, x); }
static float rf_jn_f(int n, float x) { return jnf(n, x); }
static long double rf_jn_l(int n, long double x) { return jnl(n, x); }
static double rf_yn_d(int n, double x) { return yn(n, x); }
static float rf_yn_f(int n, float x) { return ynf(n, x); }
static long double rf_yn_l(int n, long double x) { return ynl(n, x); }
static int rt_order;
static double rt_jn_n(double x) { return jn(rt_order, x); }
static double rt_yn_n(double x) { return yn(rt_order, x); }

static void test_integer_orders(void) {
  static const struct {
    double x;
    int n;
  } p[] = {{1.3, 3}, {-0.7, 5}, {2.0, -2}, {1.7, 0}, {-1.25, 1}, {4.5, 2}, {0.0, 2}, {0.0, 1}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i].x, dx = NAN;
    int n = p[i].n;
    float dxf = NAN;
    long double dxl = NAN;
    double w = ldexp(1.0, n);
    ct_gradient(rf_scalbn_d, x, &dx, n);
    RT_CHECK2("d/dx", "scalbn", x, n, dx, w, RT_TOL_D);
    ct_gradient(rf_scalbn_f, (float)x, &dxf, n);
    RT_CHECK2("d/dx (float)", "scalbn", x, n, dxf, w, RT_TOL_F);
    ct_gradient(rf_scalbn_l, (long double)x, &dxl, n);
    RT_CHECK2_L("d/dx (long double)", "scalbn", x, n, (double)dxl, w, RT_TOL_L);
    double v = ct_value_with_gradient(rf_scalbln_d, x, &dx, (long)n);
    RT_CHECK2("value", "scalbln", x, n, v, scalbln(x, n), RT_TOL_D);
    RT_CHECK2("d/dx", "scalbln", x, n, dx, w, RT_TOL_D);
    ct_gradient(rf_scalbln_f, (float)x, &dxf, (long)n);
    RT_CHECK2("d/dx (float)", "scalbln", x, n, dxf, w, RT_TOL_F);
    ct_gradient(rf_scalbln_l, (long double)x, &dxl, (long)n);
    RT_CHECK2_L("d/dx (long double)", "scalbln", x, n, (double)dxl, w, RT_TOL_L);
    ct_gradient(rf_ldexp_l, (long double)x, &dxl, n);
    RT_CHECK2_L("d/dx (long double)", "ldexp", x, n, (double)dxl, w, RT_TOL_L);
    /* Bessel functions of order n (Y only for x > 0) */
    rt_order = n;
    double wj = x == 0 && n == 1 ? 0.5 : x == 0 ? 0.0 : 0.5 * (jn(n - 1, x) - jn(n + 1, x));
    if (x != 0) {
      rt_fd c = {rt_jn_n, 0, 0, {x, 0, 0}, 0};
      rt_check_fd(__LINE__, "d/dx", "jn", &c, wj);
    }
    v = ct_value_with_gradient(rf_jn_d, n, x, &dx);
    RT_CHECK2("value", "jn", n, x, v, jn(n, x), RT_TOL_D);
    RT_CHECK2("d/dx", "jn", n, x, dx, wj, RT_TOL_D);
    ct_gradient(rf_jn_f, n, (float)x, &dxf);
    RT_CHECK2("d/dx (float)", "jn", n, x, dxf, wj, RT_TOL_F_SPECIAL);
    ct_gradient(rf_jn_l, n, (long double)x, &dxl);
    RT_CHECK2_L("d/dx (long double)", "jn", n, x, (double)dxl, wj, RT_TOL_L);
    if (x <= 0)
      continue;
    double wy = 0.5 * (yn(n - 1, x) - yn(n + 1, x));
    rt_fd c = {rt_yn_n, 0, 0, {x, 0, 0}, 0};
    rt_check_fd(__LINE__, "d/dx", "yn", &c, wy);
    ct_gradient(rf_yn_d, n, x, &dx);
    RT_CHECK2("d/dx", "yn", n, x, dx, wy, RT_TOL_D);
    ct_gradient(rf_yn_f, n, (float)x, &dxf);
    RT_CHECK2("d/dx (float)", "yn", n, x, dxf, wy, RT_TOL_F_SPECIAL);
    ct_gradient(rf_yn_l, n, (long double)x, &dxl);
    RT_CHECK2_L("d/dx (long double)", "yn", n, x, (double)dxl, wy, RT_TOL_L);
  }
}

/* ---- out-parameters ----
 * Each function returns the floating result times a weight, plus the
 * value written through the pointer times another (as a constant: it must
 * be the library's, not whatever the pointer held). */

static double rf_frexp_d(double x, int *e) { return 3.0 * frexp(x, e); }
static float rf_frexp_f(float x, int *e) { return 3.0f * frexpf(x, e); }
static long double rf_frexp_l(long double x, int *e) { return 3.0L * frexpl(x, e); }
/* the exponent read back and used: d/dx (m e) = e 2^-e */
static double rf_frexp_used_d(double x) {
  int e;
  double m = frexp(x, &e);
  return m * e;
}
static double rf_modf_d(double x, double *ip) { return 3.0 * modf(x, ip) + *ip * *ip; }
static float rf_modf_f(float x, float *ip) { return 3.0f * modff(x, ip) + *ip * *ip; }
static long double rf_modf_l(long double x, long double *ip) { return 3.0L * modfl(x, ip) + *ip * *ip; }
static double rf_remquo_d(double a, double b, int *q) { return 3.0 * remquo(a, b, q); }
static float rf_remquo_f(float a, float b, int *q) { return 3.0f * remquof(a, b, q); }
static long double rf_remquo_l(long double a, long double b, int *q) { return 3.0L * remquol(a, b, q); }
static double rf_lgamma_r_d(double x, int *s) { return 3.0 * lgamma_r(x, s); }
static float rf_lgamma_r_f(float x, int *s) { return 3.0f * lgammaf_r(x, s); }
static long double rf_lgamma_r_l(long double x, int *s) { return 3.0L * lgammal_r(x, s); }

static void test_out_parameters(void) {
  static const double p[] = {-2.75, -0.3, 0.2, 1.0, 3.0, 6.5, 0.0};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i], dx = NAN;
    float dxf = NAN;
    long double dxl = NAN;
    /* frexp: dm/dx = 2^-e (1 at 0, where e = 0) */
    int e = -99, we;
    double m = frexp(x, &we), w = x == 0 ? 3.0 : 3.0 * ldexp(1.0, -we);
    double v = ct_value_with_gradient(rf_frexp_d, x, &dx, ct_const(&e));
    RT_CHECK1("value", "frexp", x, v, 3.0 * m, RT_TOL_D);
    CHECK(e == we);
    RT_CHECK1("d/dx", "frexp", x, dx, w, RT_TOL_D);
    e = -99;
    ct_gradient(rf_frexp_f, (float)x, &dxf, ct_const(&e));
    CHECK(e == we);
    RT_CHECK1("d/dx (float)", "frexp", x, dxf, w, RT_TOL_F);
    e = -99;
    ct_gradient(rf_frexp_l, (long double)x, &dxl, ct_const(&e));
    CHECK(e == we);
    RT_CHECK1_L("d/dx (long double)", "frexp", x, (double)dxl, w, RT_TOL_L);
    ct_gradient(rf_frexp_used_d, x, &dx);
    RT_CHECK1("d/dx m e", "frexp", x, dx, x == 0 ? 0.0 : we * ldexp(1.0, -we), RT_TOL_D);
    /* modf: d/dx = 3 (the fractional part); the integral part ip = trunc(x)
       adds ip^2, constant: its shadow (seeded 5) is consumed, not passed on */
    double ip = NAN, dip = 5.0, wip = trunc(x);
    v = ct_value_with_gradient(rf_modf_d, x, &dx, &ip, &dip);
    RT_CHECK1("value", "modf", x, v, 3.0 * (x - wip) + wip * wip, RT_TOL_D);
    CHECK(ip == wip && signbit(ip) == signbit(x));
    RT_CHECK1("d/dx", "modf", x, dx, 3.0, RT_TOL_D);
    RT_CHECK1("shadow of the integral part", "modf", x, dip, 0.0, RT_TOL_D);
    float ipf = NAN, dipf = 5.0f;
    ct_gradient(rf_modf_f, (float)x, &dxf, &ipf, &dipf);
    CHECK(ipf == truncf((float)x));
    RT_CHECK1("d/dx (float)", "modf", x, dxf, 3.0, RT_TOL_F);
    RT_CHECK1("shadow of the integral part (float)", "modf", x, dipf, 0.0, RT_TOL_F);
    long double ipl = NAN, dipl = 5.0L;
    ct_gradient(rf_modf_l, (long double)x, &dxl, &ipl, &dipl);
    CHECK(ipl == truncl(x));
    RT_CHECK1_L("d/dx (long double)", "modf", x, (double)dxl, 3.0, RT_TOL_L);
    RT_CHECK1_L("shadow of the integral part (long double)", "modf", x, (double)dipl, 0.0, RT_TOL_L);
    /* lgamma_r: the sign of Gamma written through the pointer */
    if (x <= 0 && x == trunc(x))
      continue; /* a pole */
    int s = 0, ws;
    double lg = lgamma_r(x, &ws);
    v = ct_value_with_gradient(rf_lgamma_r_d, x, &dx, ct_const(&s));
    RT_CHECK1("value", "lgamma_r", x, v, 3.0 * lg, RT_TOL_D);
    CHECK(s == ws);
    RT_CHECK1("d/dx", "lgamma_r", x, dx, 3.0 * rt_digamma(x), RT_TOL_D);
    s = 0;
    ct_gradient(rf_lgamma_r_f, (float)x, &dxf, ct_const(&s));
    CHECK(s == ws);
    RT_CHECK1("d/dx (float)", "lgamma_r", x, dxf, 3.0 * rt_digamma((float)x), RT_TOL_F_SPECIAL);
    s = 0;
    ct_gradient(rf_lgamma_r_l, (long double)x, &dxl, ct_const(&s));
    CHECK(s == ws);
    RT_CHECK1_L("d/dx (long double)", "lgamma_r", x, (double)dxl, 3.0 * rt_digamma(x), RT_TOL_L);
  }
  /* remquo(a, b) = a - n b, n the nearest integer to a/b (ties to even):
     d/da = 1, d/db = -n; the quotient's low bits and sign through q */
  static const rt_pair r[] = {{7.5, 2.0}, {-7.5, 2.0}, {5.3, -1.2}, {0.3, 2.0}, {0.0, 2.0}, {9.0, 4.0}};
  for (unsigned i = 0; i < sizeof r / sizeof r[0]; ++i) {
    double a = r[i].a, b = r[i].b, n = rint(a / b), da = NAN, db = NAN;
    int q = -99, wq;
    double wr = remquo(a, b, &wq);
    double v = ct_value_with_gradient(rf_remquo_d, a, &da, b, &db, ct_const(&q));
    RT_CHECK2("value", "remquo", a, b, v, 3.0 * wr, RT_TOL_D);
    CHECK(q == wq);
    RT_CHECK2("d/da", "remquo", a, b, da, 3.0, RT_TOL_D);
    RT_CHECK2("d/db", "remquo", a, b, db, -3.0 * n, RT_TOL_D);
    float daf = NAN, dbf = NAN;
    q = -99;
    ct_gradient(rf_remquo_f, (float)a, &daf, (float)b, &dbf, ct_const(&q));
    CHECK(q == wq);
    RT_CHECK2("d/da (float)", "remquo", a, b, daf, 3.0, RT_TOL_F);
    RT_CHECK2("d/db (float)", "remquo", a, b, dbf, -3.0 * n, RT_TOL_F);
    long double dal = NAN, dbl = NAN;
    q = -99;
    ct_gradient(rf_remquo_l, (long double)a, &dal, (long double)b, &dbl, ct_const(&q));
    CHECK(q == wq);
    RT_CHECK2_L("d/da (long double)", "remquo", a, b, (double)dal, 3.0, RT_TOL_L);
    RT_CHECK2_L("d/db (long double)", "remquo", a, b, (double)dbl, -3.0 * n, RT_TOL_L);
  }
}

/* fma in long double */
static long double rf_fma_l(long double a, long double b, long double c) { return fmal(a, b, c); }

static void test_fma_long_double(void) {
  long double g[3] = {NAN, NAN, NAN};
  ct_gradient(rf_fma_l, 1.5L, &g[0], -2.0L, &g[1], 0.25L, &g[2]);
  RT_CHECK1_L("d/da (long double)", "fma", 1.5, (double)g[0], -2.0, RT_TOL_L);
  RT_CHECK1_L("d/db (long double)", "fma", 1.5, (double)g[1], 1.5, RT_TOL_L);
  RT_CHECK1_L("d/dc (long double)", "fma", 1.5, (double)g[2], 1.0, RT_TOL_L);
}

#include "rules_complex.h"

static void rules_special_run(void) {
  SPECIAL_ROWS(RUN_SPECIAL)
  test_integer_orders();
  test_out_parameters();
  test_fma_long_double();
  rules_complex_run();
}

#endif
