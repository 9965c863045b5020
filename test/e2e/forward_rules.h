/* Every row of the derivative rule table (pass/rules.c) in forward mode:
 * the functions and hand-written derivatives of rules_table.h,
 * rules_special.h and rules_complex.h (whose own checks are reverse
 * mode's, and whose derivatives are checked there against central
 * differences), differentiated with ct_derivative and
 * ct_value_with_derivative: each operand's tangent 1 with the others' 0,
 * a mixed direction (J v = sum of the partials times v), operands held
 * constant (ct_const), one variable in every operand slot, in double,
 * float and long double, at the tables' points including their edge points
 * (ties, kinks, infinite derivatives: the table's own values there, as in
 * reverse mode). Complex rows: the tangent of the real loss P Re(w) +
 * Q Im(w) along the real and imaginary parts of z is the gradient's part.
 *
 * Included by forward_rules_libm.c (-fno-builtin: libm calls) and
 * forward_rules_intrinsics.c (-fno-math-errno: LLVM intrinsics). */
#ifndef COTANGENT_TEST_E2E_FORWARD_RULES_H
#define COTANGENT_TEST_E2E_FORWARD_RULES_H

/* rules_table.h's reverse-mode checks are not run here */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#include "rules_table.h"
#pragma clang diagnostic pop

/* ---- unary rows ---- */

#define FWD_UNARY(name, body, deriv, pts)                                                               \
  static void fwd_##name(void) {                                                                        \
    static const double p[] = pts;                                                                      \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i] == EDGE) {                                                                               \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double x = p[i], want = want_##name(x), t = NAN;                                                  \
      RT_CHECK1("tangent", #name, x, ct_derivative(rf_##name##_d, x, 1.0), want, RT_TOL_D);              \
      if (!edge)                                                                                        \
        RT_CHECK1("tangent along -2.5", #name, x, ct_derivative(rf_##name##_d, x, -2.5), -2.5 * want,    \
                  RT_TOL_D);                                                                            \
      double v = ct_value_with_derivative(rf_##name##_d, &t, x, 1.0);                                   \
      RT_CHECK1("value", #name, x, v, rf_##name##_d(x), RT_TOL_D);                                      \
      RT_CHECK1("tangent (with value)", #name, x, t, want, RT_TOL_D);                                   \
      CHECK(ct_derivative(rf_##name##_d, x, 0.0) == 0.0); /* a zero tangent gives zero */               \
      float xf = (float)x;                                                                              \
      RT_CHECK1("tangent (float)", #name, xf, ct_derivative(rf_##name##_f, xf, 1.0f), want_##name(xf),   \
                RT_TOL_F);                                                                              \
      RT_CHECK1_L("tangent (long double)", #name, x, ct_derivative(rf_##name##_l, (long double)x, 1.0),  \
                  want, RT_TOL_D);                                                                      \
    }                                                                                                   \
  }
#define RUN_FWD(name, ...) fwd_##name();
UNARY_ROWS(FWD_UNARY)

/* ---- binary rows ---- */

#define FWD_BINARY(name, body, da_expr, db_expr, pairs, same)                                           \
  static void fwd_##name(void) {                                                                        \
    static const rt_pair p[] = pairs;                                                                   \
    static const double s[] = same;                                                                     \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i].a == EDGE) {                                                                             \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double a = p[i].a, b = p[i].b, wa = want_##name##_a(a, b), wb = want_##name##_b(a, b), t = NAN;   \
      RT_CHECK2("d/da", #name, a, b, ct_derivative(rf_##name##_d, a, 1.0, b, 0.0), wa, RT_TOL_D);        \
      RT_CHECK2("d/db", #name, a, b, ct_derivative(rf_##name##_d, a, 0.0, b, 1.0), wb, RT_TOL_D);        \
      if (!edge)                                                                                        \
        RT_CHECK2("J v", #name, a, b, ct_derivative(rf_##name##_d, a, 0.5, b, -2.0), 0.5 * wa - 2.0 * wb, \
                  RT_TOL_D);                                                                            \
      RT_CHECK2("d/da (b constant)", #name, a, b, ct_derivative(rf_##name##_d, a, 1.0, ct_const(b)), wa, \
                RT_TOL_D);                                                                              \
      double v = ct_value_with_derivative(rf_##name##_d, &t, ct_const(a), b, 1.0);                      \
      RT_CHECK2("value", #name, a, b, v, rf_##name##_d(a, b), RT_TOL_D);                                \
      RT_CHECK2("d/db (a constant)", #name, a, b, t, wb, RT_TOL_D);                                     \
      float af = (float)a, bf = (float)b;                                                               \
      RT_CHECK2("d/da (float)", #name, af, bf, ct_derivative(rf_##name##_f, af, 1.0f, bf, 0.0f),         \
                want_##name##_a(af, bf), RT_TOL_F);                                                     \
      RT_CHECK2("d/db (float)", #name, af, bf, ct_derivative(rf_##name##_f, af, 0.0f, ct_const(bf)) +    \
                                                  ct_derivative(rf_##name##_f, ct_const(af), bf, 1.0f), \
                want_##name##_b(af, bf), RT_TOL_F);                                                     \
      long double al = a, bl = b;                                                                       \
      RT_CHECK2_L("d/da (long double)", #name, a, b, ct_derivative(rf_##name##_l, al, 1.0, bl, 0.0), wa, \
                  RT_TOL_D);                                                                            \
      RT_CHECK2_L("d/db (long double)", #name, a, b, ct_derivative(rf_##name##_l, al, 0.0, bl, 1.0), wb, \
                  RT_TOL_D);                                                                            \
    }                                                                                                   \
    for (unsigned i = 0; i < sizeof s / sizeof s[0]; ++i) {                                             \
      if (s[i] == EDGE)                                                                                 \
        continue;                                                                                       \
      double x = s[i], want = want_##name##_a(x, x) + want_##name##_b(x, x);                            \
      RT_CHECK1("d/dx f(x, x)", #name, x, ct_derivative(rf_##name##_xx_d, x, 1.0), want, RT_TOL_D);     \
      float xf = (float)x;                                                                              \
      RT_CHECK1("d/dx f(x, x) (float)", #name, xf, ct_derivative(rf_##name##_xx_f, xf, 1.0f),           \
                want_##name##_a(xf, xf) + want_##name##_b(xf, xf), RT_TOL_F);                           \
      RT_CHECK1_L("d/dx f(x, x) (long double)", #name, x,                                               \
                  ct_derivative(rf_##name##_xx_l, (long double)x, 1.0), want, RT_TOL_D);                \
    }                                                                                                   \
  }
BINARY_ROWS(FWD_BINARY)

/* ---- integer operands, three operands, conversions, kinks ---- */

static void fwd_int_operands(void) {
  static const struct {
    double x;
    int n;
  } p[] = {{1.3, 3}, {-0.7, 5}, {2.0, -2}, {1.7, 0}, {-1.25, 1}, {0.0, 2}, {0.0, 1}, {0.0, 0}, {0.0, 3}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i].x, t = NAN;
    int n = p[i].n;
    float xf = (float)x;
    double w_ldexp = ldexp(1.0, n), w_powi = n == 0 ? 0.0 : n * pow(x, n - 1);
    double v = ct_value_with_derivative(rf_ldexp_d, &t, x, 1.0, n);
    RT_CHECK2("value", "ldexp", x, n, v, ldexp(x, n), RT_TOL_D);
    RT_CHECK2("tangent", "ldexp", x, n, t, w_ldexp, RT_TOL_D);
    RT_CHECK2("tangent (float)", "ldexp", xf, n, ct_derivative(rf_ldexp_f, xf, 1.0f, n), w_ldexp, RT_TOL_F);
    RT_CHECK2("tangent", "powi", x, n, ct_derivative(rf_powi_d, x, 1.0, n), w_powi, RT_TOL_D);
    RT_CHECK2("tangent (float)", "powi", xf, n, ct_derivative(rf_powi_f, xf, 1.0f, n),
              n == 0 ? 0.0 : n * pow(xf, n - 1), RT_TOL_F);
    RT_CHECK2("tangent", "scalbn", x, n, ct_derivative(rf_scalbn_d, x, 1.0, n), w_ldexp, RT_TOL_D);
    RT_CHECK2("tangent (float)", "scalbn", x, n, ct_derivative(rf_scalbn_f, xf, 1.0f, n), w_ldexp, RT_TOL_F);
    RT_CHECK2_L("tangent (long double)", "scalbn", x, n, ct_derivative(rf_scalbn_l, (long double)x, 1.0, n),
                w_ldexp, RT_TOL_L);
    RT_CHECK2("tangent", "scalbln", x, n, ct_derivative(rf_scalbln_d, x, 1.0, (long)n), w_ldexp, RT_TOL_D);
    RT_CHECK2("tangent (float)", "scalbln", x, n, ct_derivative(rf_scalbln_f, xf, 1.0f, (long)n), w_ldexp,
              RT_TOL_F);
    RT_CHECK2_L("tangent (long double)", "ldexp", x, n, ct_derivative(rf_ldexp_l, (long double)x, 1.0, n),
                w_ldexp, RT_TOL_L);
    double wj = x == 0 && n == 1 ? 0.5 : x == 0 ? 0.0 : 0.5 * (jn(n - 1, x) - jn(n + 1, x));
    RT_CHECK2("tangent", "jn", n, x, ct_derivative(rf_jn_d, n, x, 1.0), wj, RT_TOL_D);
    RT_CHECK2("tangent (float)", "jn", n, x, ct_derivative(rf_jn_f, n, xf, 1.0f), wj, RT_TOL_F_SPECIAL);
    RT_CHECK2_L("tangent (long double)", "jn", n, x, ct_derivative(rf_jn_l, n, (long double)x, 1.0), wj, RT_TOL_L);
    if (x <= 0)
      continue;
    double wy = 0.5 * (yn(n - 1, x) - yn(n + 1, x));
    RT_CHECK2("tangent", "yn", n, x, ct_derivative(rf_yn_d, n, x, 1.0), wy, RT_TOL_D);
    RT_CHECK2("tangent (float)", "yn", n, x, ct_derivative(rf_yn_f, n, xf, 1.0f), wy, RT_TOL_F_SPECIAL);
  }
}

static void fwd_ternary(void) {
  static const double p[][3] = {{1.5, -2.0, 0.25}, {-0.5, 3.0, 7.0}, {0.0, 0.0, 1.0}, {2.0, 0.0, -1.0}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i][0], b = p[i][1], c = p[i][2], v[3] = {0.5, -1.0, 2.0};
    double want = b * v[0] + a * v[1] + v[2];
    RT_CHECK2("J v", "fma", a, b, ct_derivative(rf_fma_d, a, v[0], b, v[1], c, v[2]), want, RT_TOL_D);
    RT_CHECK2("J v", "a * b + c", a, b, ct_derivative(rf_muladd_d, a, v[0], b, v[1], c, v[2]), want, RT_TOL_D);
    RT_CHECK2("d/db (a, c constant)", "fma", a, b, ct_derivative(rf_fma_d, ct_const(a), b, 1.0, ct_const(c)), a,
              RT_TOL_D);
    float af = (float)a, bf = (float)b, cf = (float)c;
    double wf = bf * v[0] + af * v[1] + v[2];
    RT_CHECK2("J v (float)", "fma", af, bf, ct_derivative(rf_fma_f, af, 0.5f, bf, -1.0f, cf, 2.0f), wf, RT_TOL_F);
    RT_CHECK2("J v (float)", "a * b + c", af, bf, ct_derivative(rf_muladd_f, af, 0.5f, bf, -1.0f, cf, 2.0f), wf,
              RT_TOL_F);
    RT_CHECK1("d/dx fma(x, x, x)", "fma", a, ct_derivative(rf_fma_xx_d, a, 1.0), 2.0 * a + 1.0, RT_TOL_D);
    RT_CHECK1("d/dx x * x + x", "a * b + c", a, ct_derivative(rf_muladd_xx_d, a, 1.0), 2.0 * a + 1.0, RT_TOL_D);
    RT_CHECK1("d/dx fma(x, x, x) (float)", "fma", af, ct_derivative(rf_fma_xx_f, af, 1.0f), 2.0 * af + 1.0,
              RT_TOL_F);
    RT_CHECK1_L("J v (long double)", "fma", a,
                ct_derivative(rf_fma_l, (long double)a, 0.5, (long double)b, -1.0, (long double)c, 2.0), want,
                RT_TOL_L);
  }
  static const double q[] = {-1.25, 0.0, 0.5, 3.0};
  for (unsigned i = 0; i < sizeof q / sizeof q[0]; ++i) {
    double t = NAN;
    RT_CHECK1("tangent", "fpext", q[i], ct_derivative(rf_fpext, (float)q[i], 1.0f), 3.0, RT_TOL_D);
    double v = ct_value_with_derivative(rf_fptrunc, &t, q[i], 0.5);
    RT_CHECK1("value", "fptrunc", q[i], v, (float)q[i] * -2.0f, RT_TOL_D);
    RT_CHECK1("tangent", "fptrunc", q[i], t, -1.0, RT_TOL_D);
  }
  /* fabs at 0: within [-1, 1]; pow with a negative base: d/da */
  CHECK(fabs(ct_derivative(rf_fabs_d, 0.0, 1.0)) <= 1.0 && fabs(ct_derivative(rf_fabs_d, -0.0, 1.0)) <= 1.0);
  static const rt_pair neg[] = {{-2.0, 3.0}, {-1.5, 2.0}, {-0.5, -3.0}, {-3.0, 0.0}, {0.0, 0.0}};
  for (unsigned i = 0; i < sizeof neg / sizeof neg[0]; ++i) {
    double a = neg[i].a, b = neg[i].b, want = b == 0 ? 0.0 : b * pow(a, b - 1.0);
    RT_CHECK2("d/da (b constant)", "pow", a, b, ct_derivative(rf_pow_d, a, 1.0, ct_const(b)), want, RT_TOL_D);
    RT_CHECK2("d/da (float, b constant)", "pow", a, b, ct_derivative(rf_pow_f, (float)a, 1.0f, ct_const((float)b)),
              want, RT_TOL_F);
  }
}

/* ---- special functions and out-parameters (rules_special.h) ---- */

#define FWD_SPECIAL(name, body, deriv, pts)                                                             \
  static void fwd_##name(void) {                                                                        \
    static const double p[] = pts;                                                                      \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i] == EDGE)                                                                                 \
        continue;                                                                                       \
      double x = p[i], want = want_##name(x);                                                           \
      RT_CHECK1("tangent", #name, x, ct_derivative(rf_##name##_d, x, 1.0), want, RT_TOL_D);              \
      float xf = (float)x;                                                                              \
      RT_CHECK1("tangent (float)", #name, xf, ct_derivative(rf_##name##_f, xf, 1.0f), want_##name(xf),   \
                RT_TOL_F_SPECIAL);                                                                      \
      RT_CHECK1_L("tangent (long double)", #name, x, ct_derivative(rf_##name##_l, (long double)x, 1.0),  \
                  want, RT_TOL_L);                                                                      \
    }                                                                                                   \
  }
SPECIAL_ROWS(FWD_SPECIAL)

static void fwd_out_parameters(void) {
  static const double p[] = {-2.75, -0.3, 0.2, 1.0, 3.0, 6.5, 0.0};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i], t = NAN;
    int e = -99, we;
    double m = frexp(x, &we), w = x == 0 ? 3.0 : 3.0 * ldexp(1.0, -we);
    double v = ct_value_with_derivative(rf_frexp_d, &t, x, 1.0, ct_const(&e));
    RT_CHECK1("value", "frexp", x, v, 3.0 * m, RT_TOL_D);
    CHECK(e == we);
    RT_CHECK1("tangent", "frexp", x, t, w, RT_TOL_D);
    e = -99;
    RT_CHECK1("tangent (float)", "frexp", x, ct_derivative(rf_frexp_f, (float)x, 1.0f, ct_const(&e)), w, RT_TOL_F);
    CHECK(e == we);
    RT_CHECK1_L("tangent (long double)", "frexp", x, ct_derivative(rf_frexp_l, (long double)x, 1.0, ct_const(&e)),
                w, RT_TOL_L);
    RT_CHECK1("tangent of m e", "frexp", x, ct_derivative(rf_frexp_used_d, x, 1.0),
              x == 0 ? 0.0 : we * ldexp(1.0, -we), RT_TOL_D);
    /* modf: the integral part's tangent array is written 0 (a constant) */
    double ip = NAN, dip = 5.0, wip = trunc(x);
    v = ct_value_with_derivative(rf_modf_d, &t, x, 1.0, &ip, &dip);
    RT_CHECK1("value", "modf", x, v, 3.0 * (x - wip) + wip * wip, RT_TOL_D);
    CHECK(ip == wip && dip == 0.0);
    RT_CHECK1("tangent", "modf", x, t, 3.0, RT_TOL_D);
    float ipf = NAN, dipf = 5.0f;
    RT_CHECK1("tangent (float)", "modf", x, ct_derivative(rf_modf_f, (float)x, 1.0f, &ipf, &dipf), 3.0, RT_TOL_F);
    CHECK(ipf == truncf((float)x) && dipf == 0.0f);
    long double ipl = NAN, dipl = 5.0L;
    RT_CHECK1_L("tangent (long double)", "modf", x, ct_derivative(rf_modf_l, (long double)x, 1.0, &ipl, &dipl),
                3.0, RT_TOL_L);
    if (x <= 0 && x == trunc(x))
      continue; /* lgamma's pole */
    int s = 0, ws;
    double lg = lgamma_r(x, &ws);
    v = ct_value_with_derivative(rf_lgamma_r_d, &t, x, 1.0, ct_const(&s));
    RT_CHECK1("value", "lgamma_r", x, v, 3.0 * lg, RT_TOL_D);
    CHECK(s == ws);
    RT_CHECK1("tangent", "lgamma_r", x, t, 3.0 * rt_digamma(x), RT_TOL_D);
    RT_CHECK1("tangent (float)", "lgamma_r", x, ct_derivative(rf_lgamma_r_f, (float)x, 1.0f, ct_const(&s)),
              3.0 * rt_digamma((float)x), RT_TOL_F_SPECIAL);
  }
  static const rt_pair r[] = {{7.5, 2.0}, {-7.5, 2.0}, {5.3, -1.2}, {0.3, 2.0}, {0.0, 2.0}, {9.0, 4.0}};
  for (unsigned i = 0; i < sizeof r / sizeof r[0]; ++i) {
    double a = r[i].a, b = r[i].b, n = rint(a / b);
    int q = -99, wq;
    remquo(a, b, &wq);
    RT_CHECK2("J v", "remquo", a, b, ct_derivative(rf_remquo_d, a, 0.5, b, 2.0, ct_const(&q)), 1.5 - 6.0 * n,
              RT_TOL_D);
    CHECK(q == wq);
    RT_CHECK2("J v (float)", "remquo", a, b, ct_derivative(rf_remquo_f, (float)a, 0.5f, (float)b, 2.0f, ct_const(&q)),
              1.5 - 6.0 * n, RT_TOL_F);
    RT_CHECK2_L("J v (long double)", "remquo", a, b,
                ct_derivative(rf_remquo_l, (long double)a, 0.5, (long double)b, 2.0, ct_const(&q)), 1.5 - 6.0 * n,
                RT_TOL_L);
  }
}

/* ---- complex rows (rules_complex.h) ---- */

/* the tangents along Re z and Im z, in double and in float */
#define FWD_CUNARY(name)                                                                                \
  static void fwd_cunary_##name(double a, double b, double *t) {                                        \
    t[0] = ct_derivative(rf_##name##_d, a, 1.0, b, 0.0);                                                \
    t[1] = ct_derivative(rf_##name##_d, a, 0.0, b, 1.0);                                                \
    t[2] = ct_derivative(rf_##name##_f, (float)a, 1.0f, (float)b, 0.0f);                                \
    t[3] = ct_derivative(rf_##name##_f, (float)a, 0.0f, (float)b, 1.0f);                                \
  }
FWD_CUNARY(cexp)
FWD_CUNARY(clog)
FWD_CUNARY(csqrt)
FWD_CUNARY(cabs)

static void fwd_complex(void) {
  void (*const unary[4])(double, double, double *) = {fwd_cunary_cexp, fwd_cunary_clog, fwd_cunary_csqrt,
                                                      fwd_cunary_cabs};
  double complex (*const deriv[4])(double complex) = {rt_dexp, rt_dlog, rt_dsqrt, rt_dabs};
  static const char *const names[4] = {"cexp", "clog", "csqrt", "cabs"};
  static const rt_pair p[] = {{0.3, 0.7}, {-1.2, 0.5}, {2.0, -1.5}, {0.5, 0.0}, {-0.75, -2.25}, {1.5, 3.0}};
  const double complex s = RT_CMPLX(RT_P, RT_Q);
  for (int f = 0; f < 4; ++f)
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
      double a = p[i].a, b = p[i].b;
      double complex z = RT_CMPLX(a, b), d = deriv[f](z), want = f == 3 ? RT_P * conj(d) : conj(d) * s;
      double scale = cabs(d) * (f == 3 ? RT_P : cabs(s));
      /* the tangents along the real and imaginary parts: the gradient */
      double t[4];
      unary[f](a, b, t);
      rt_check_c(__LINE__, "tangents", names[f], z, t[0], t[1], want, scale, RT_TOL_D);
      double complex zf = RT_CMPLX((float)a, (float)b), df = deriv[f](zf);
      double complex wantf = f == 3 ? RT_P * conj(df) : conj(df) * s;
      rt_check_c(__LINE__, "tangents (float)", names[f], zf, t[2], t[3], wantf, scale, 2e-6);
    }
  CHECK(ct_derivative(rf_cabs_d, 0.0, 1.0, 0.0, 1.0) == 0.0); /* cabs at 0 */
  static const double q[][4] = {{0.3, 0.7, -1.2, 0.5}, {2.0, -1.5, 0.25, 3.0}, {-0.5, 0.0, 1.5, -2.0},
                                {1.0, 1.0, 1.0, -1.0}, {0.0, 0.0, 2.0, 0.5}};
  for (unsigned i = 0; i < sizeof q / sizeof q[0]; ++i)
    for (int mul = 0; mul < 2; ++mul) {
      double complex z1 = RT_CMPLX(q[i][0], q[i][1]), z2 = RT_CMPLX(q[i][2], q[i][3]);
      double complex d1 = mul ? z2 : 1.0 / z2, d2 = mul ? z1 : -z1 / (z2 * z2);
      double complex w1 = conj(d1) * s, w2 = conj(d2) * s;
      double scale = (cabs(d1) + cabs(d2)) * cabs(s), g[4];
      for (int k = 0; k < 4; ++k) {
        double e[4] = {k == 0, k == 1, k == 2, k == 3};
        g[k] = mul ? ct_derivative(rf_muldc3_d, q[i][0], e[0], q[i][1], e[1], q[i][2], e[2], q[i][3], e[3])
                   : ct_derivative(rf_divdc3_d, q[i][0], e[0], q[i][1], e[1], q[i][2], e[2], q[i][3], e[3]);
      }
      rt_check_c(__LINE__, "tangents along z1", mul ? "__muldc3" : "__divdc3", z1, g[0], g[1], w1, scale, RT_TOL_D);
      rt_check_c(__LINE__, "tangents along z2", mul ? "__muldc3" : "__divdc3", z2, g[2], g[3], w2, scale, RT_TOL_D);
      long double l0 = q[i][0], l1 = q[i][1], l2 = q[i][2], l3 = q[i][3];
      double l = mul ? ct_derivative(rf_muldc3_l, l0, 1.0, l1, 0.0, l2, 0.0, l3, 0.0)
                     : ct_derivative(rf_divdc3_l, l0, 1.0, l1, 0.0, l2, 0.0, l3, 0.0);
      if (rt_long_double_exact())
        check_scaled("forward_rules.h", __LINE__, "tangent along Re z1 (long double)", l, creal(w1), scale,
                     RT_TOL_L);
    }
  for (unsigned i = 0; i < 3; ++i) { /* conj: the loss P a - Q b */
    double a = 0.3 * i, b = 0.7 - i;
    CHECK(ct_derivative(rf_conj_d, a, 1.0, b, 0.0) == RT_P && ct_derivative(rf_conj_d, a, 0.0, b, 1.0) == -RT_Q);
    CHECK(ct_derivative(rf_conj_f, (float)a, 0.0f, (float)b, 1.0f) == (float)-RT_Q);
  }
}

static void forward_rules_run(void) {
  UNARY_ROWS(RUN_FWD)
  BINARY_ROWS(RUN_FWD)
  fwd_int_operands();
  fwd_ternary();
  SPECIAL_ROWS(RUN_FWD)
  fwd_out_parameters();
  fwd_complex();
}

#endif
