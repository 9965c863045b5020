/* The derivative rule table of pass/rules.c, row by row: every row's
 * operation, in double and in float, differentiated with ct_gradient and
 * ct_value_with_gradient (all operands active, each one held constant, and
 * one variable in every operand slot: f(x, x)) at several points including
 * zeros, negative values and ties, against the derivative written out by
 * hand; long double gradients (sinl, fmaxl, ...) against the same, to
 * 1e-12. The hand-written derivative is itself checked against central
 * differences with Richardson extrapolation at every smooth point (to 1e-9),
 * so a wrong entry in this table fails too. Gradients must match to 1e-12
 * (double) and 5e-7 (float, derivative evaluated in double at the float
 * point). Edge points (after EDGE: kinks, ties, infinite derivatives,
 * discontinuities) are checked against the table only.
 *
 * Included by rules_libm.c (-fno-builtin: every libm function stays a call
 * of its libm name, e.g. fabs, fmaxf, exp10) and rules_intrinsics.c
 * (-fno-math-errno: the same source gives LLVM intrinsics, llvm.sin.f32,
 * llvm.exp10.f64, frem, ...). Every differentiated function is named rf_*:
 * test/rules_coverage.py compiles both programs and fails when a row of
 * pass/rules.c (each libm name, each intrinsic in f32 and f64, each
 * instruction in float and double) is not called in some rf_ function.
 * The rows these tables do not take (integer and pointer operands, special
 * functions, complex numbers): rules_special.h, rules_complex.h. */
#ifndef COTANGENT_TEST_E2E_RULES_TABLE_H
#define COTANGENT_TEST_E2E_RULES_TABLE_H

#include "check.h"

#include <cotangent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

#define RT_TOL_D 1e-12
#define RT_TOL_F 5e-7
/* finite differences against the table: agreement and convergence */
#define RT_TOL_FD 1e-9
/* in a point list: the points after it are edge points (no FD check) */
#define EDGE (-1.5e300)
#define PTS(...) {__VA_ARGS__}

typedef struct {
  double a, b;
} rt_pair;

/* ---- checks that name the operation and the point ---- */

static void rt_check(int line, const char *what, const char *name, int n, double a, double b,
                     double got, double want, double tol) {
  char expr[200];
  if (n == 1)
    snprintf(expr, sizeof expr, "%s %s at x = %.17g", what, name, a);
  else
    snprintf(expr, sizeof expr, "%s %s at (a, b) = (%.17g, %.17g)", what, name, a, b);
  check_close("rules_table.h", line, expr, got, want, tol);
}
#define RT_CHECK1(what, name, x, got, want, tol) rt_check(__LINE__, what, name, 1, x, 0, got, want, tol)
#define RT_CHECK2(what, name, a, b, got, want, tol) rt_check(__LINE__, what, name, 2, a, b, got, want, tol)

/* long double results: checked only where long double arithmetic has its
 * 64-bit precision (valgrind runs x87 code in double precision, and libm's
 * long double functions go wrong there: cbrtl(0) is not 0); the gradients
 * still run, for memcheck */
static int rt_long_double_exact(void) {
  volatile long double one = 1, eps = LDBL_EPSILON;
  return one + eps != one;
}
#define RT_CHECK1_L(what, name, x, got, want, tol)                                                      \
  (rt_long_double_exact() ? (void)RT_CHECK1(what, name, x, got, want, tol) : (void)0)
#define RT_CHECK2_L(what, name, a, b, got, want, tol)                                                   \
  (rt_long_double_exact() ? (void)RT_CHECK2(what, name, a, b, got, want, tol) : (void)0)

/* ---- central differences, Richardson-extrapolated ---- */

typedef struct {
  double (*f1)(double);
  double (*f2)(double, double);
  double (*f3)(double, double, double);
  double p[3];
  int k; /* the coordinate that varies */
} rt_fd;

static double rt_fd_eval(const rt_fd *c, double t) {
  double q[3] = {c->p[0], c->p[1], c->p[2]};
  q[c->k] = t;
  return c->f1 ? c->f1(q[0]) : c->f2 ? c->f2(q[0], q[1]) : c->f3(q[0], q[1], q[2]);
}

/* D(h) = (f(x+h) - f(x-h)) / 2h has an error series in h^2: the tableau
 * T[i][j] eliminates h^2j. Returns the diagonal entry with the smallest
 * change from its neighbours, and that change as *err. The step starts at
 * 5 % of max(|x|, 1), at most half of |x| (never crossing zero). */
static double rt_richardson(const rt_fd *c, double *err) {
  enum { N = 10 };
  double t[N][N], x = c->p[c->k], best = NAN;
  double h = 0.05 * fmax(fabs(x), 1.0);
  if (x != 0 && h > 0.5 * fabs(x))
    h = 0.5 * fabs(x);
  *err = INFINITY;
  for (int i = 0; i < N; ++i, h *= 0.5) {
    double xp = x + h, xm = x - h;
    t[i][0] = (rt_fd_eval(c, xp) - rt_fd_eval(c, xm)) / (xp - xm);
    double p4 = 4.0;
    for (int j = 1; j <= i; ++j, p4 *= 4.0)
      t[i][j] = t[i][j - 1] + (t[i][j - 1] - t[i - 1][j - 1]) / (p4 - 1.0);
    if (i == 0)
      continue;
    double e = fmax(fabs(t[i][i] - t[i][i - 1]), fabs(t[i][i] - t[i - 1][i - 1]));
    if (e <= *err) {
      *err = e;
      best = t[i][i];
    } else if (e > 4.0 * *err) {
      break; /* rounding took over */
    }
  }
  return best;
}

/* The table's derivative `want` at a smooth point agrees with finite
 * differences (which must converge there). */
static void rt_check_fd(int line, const char *what, const char *name, const rt_fd *c, double want) {
  double err, fd = rt_richardson(c, &err);
  double scale = fmax(fabs(want), 1.0);
  ++check_count;
  if (err <= RT_TOL_FD * scale && fabs(fd - want) <= RT_TOL_FD * scale)
    return;
  ++check_failures;
  fprintf(stderr, "rules_table.h:%d: FAILED the table's %s of %s at (%.17g, %.17g, %.17g): %.17g, finite "
                  "differences %.17g (error estimate %.2g%s)\n",
          line, what, name, c->p[0], c->p[1], c->p[2], want, fd, err,
          err <= RT_TOL_FD * scale ? "" : ", not converged: an EDGE point?");
}

/* ---- unary rows: X(name, f(x), f'(x), points) ---- */

#define DEF_UNARY_D(name, body, deriv, pts)                                                             \
  static double rf_##name##_d(double x) { return body; }
#define DEF_UNARY_L(name, body, deriv, pts)                                                             \
  static long double rf_##name##_l(long double x) { return body; }
#define DEF_UNARY_F(name, body, deriv, pts)                                                             \
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
      double x = p[i], want = want_##name(x), dx = NAN, dx2 = NAN;                                      \
      if (!edge) {                                                                                      \
        rt_fd c = {rf_##name##_d, 0, 0, {x, 0, 0}, 0};                                                  \
        rt_check_fd(__LINE__, "derivative", #name, &c, want);                                           \
      }                                                                                                 \
      ct_gradient(rf_##name##_d, x, &dx);                                                               \
      RT_CHECK1("d/dx", #name, x, dx, want, RT_TOL_D);                                                  \
      double v = ct_value_with_gradient(rf_##name##_d, x, &dx2);                                        \
      RT_CHECK1("value", #name, x, v, rf_##name##_d(x), RT_TOL_D);                                      \
      RT_CHECK1("d/dx (with value)", #name, x, dx2, want, RT_TOL_D);                                    \
      float xf = (float)x, dxf = NAN, dxf2 = NAN;                                                       \
      ct_gradient(rf_##name##_f, xf, &dxf);                                                             \
      RT_CHECK1("d/dx (float)", #name, xf, dxf, want_##name(xf), RT_TOL_F);                             \
      double vf = ct_value_with_gradient(rf_##name##_f, xf, &dxf2);                                     \
      RT_CHECK1("value (float)", #name, xf, vf, rf_##name##_f(xf), RT_TOL_F);                           \
      RT_CHECK1("d/dx (float, with value)", #name, xf, dxf2, want_##name(xf), RT_TOL_F);                \
      long double dxl = NAN;                                                                            \
      ct_gradient(rf_##name##_l, (long double)x, &dxl);                                                 \
      RT_CHECK1_L("d/dx (long double)", #name, x, (double)dxl, want, RT_TOL_D);                           \
    }                                                                                                   \
  }
#define RUN_UNARY(name, body, deriv, pts) test_##name();

static double rt_ln2(void) { return log(2.0); }
static double rt_ln10(void) { return log(10.0); }
static double rt_two_over_sqrt_pi(void) { return 2.0 / sqrt(acos(-1.0)); }

/* FN(sin) is sin in the double functions and sinf in the float ones.
 * Rounding rows add x (the derivative 1 shows a stray contribution). */
#define UNARY_ROWS(X)                                                                                   \
  X(neg, -x, -1.0, PTS(-2.0, 0.0, 0.5, 3.0))                                                            \
  X(sqrt, FN(sqrt)(x), 0.5 / sqrt(x), PTS(0.25, 2.0, 9.5, EDGE, 0.0))                                  \
  X(cbrt, FN(cbrt)(x), 1.0 / (3.0 * cbrt(x) * cbrt(x)), PTS(-8.5, 0.3, 27.0, EDGE, 0.0))                \
  X(sin, FN(sin)(x), cos(x), PTS(-1.2, 0.0, 0.4, 2.5))                                                  \
  X(cos, FN(cos)(x), -sin(x), PTS(-1.2, 0.0, 0.4, 2.5))                                                 \
  X(tan, FN(tan)(x), 1.0 + tan(x) * tan(x), PTS(-1.2, 0.0, 0.4, 2.5))                                   \
  X(asin, FN(asin)(x), 1.0 / sqrt(1.0 - x * x), PTS(-0.7, 0.0, 0.55, EDGE, 1.0, -1.0))                  \
  X(acos, FN(acos)(x), -1.0 / sqrt(1.0 - x * x), PTS(-0.7, 0.0, 0.55, EDGE, 1.0))                       \
  X(atan, FN(atan)(x), 1.0 / (1.0 + x * x), PTS(-3.0, 0.0, 0.2, 5.0))                                   \
  X(sinh, FN(sinh)(x), cosh(x), PTS(-1.5, 0.0, 0.3, 2.0))                                               \
  X(cosh, FN(cosh)(x), sinh(x), PTS(-1.5, 0.0, 0.3, 2.0))                                               \
  X(tanh, FN(tanh)(x), 1.0 - tanh(x) * tanh(x), PTS(-1.5, 0.0, 0.3, 2.0))                               \
  X(asinh, FN(asinh)(x), 1.0 / sqrt(1.0 + x * x), PTS(-1.5, 0.0, 0.3, 2.0))                              \
  X(acosh, FN(acosh)(x), 1.0 / sqrt(x * x - 1.0), PTS(1.25, 2.0, 7.5, EDGE, 1.0))                        \
  X(atanh, FN(atanh)(x), 1.0 / (1.0 - x * x), PTS(-0.7, 0.0, 0.3, 0.9, EDGE, 1.0))                       \
  X(exp, FN(exp)(x), exp(x), PTS(-2.0, 0.0, 0.5, 3.0))                                                  \
  X(exp2, FN(exp2)(x), exp2(x) * rt_ln2(), PTS(-2.0, 0.0, 0.5, 3.0))                                    \
  X(exp10, FN(__builtin_exp10)(x), pow(10.0, x) * rt_ln10(), PTS(-2.0, 0.0, 0.5, 3.0))                  \
  X(expm1, FN(expm1)(x), exp(x), PTS(-2.0, 0.0, 0.5, 3.0))                                              \
  X(log, FN(log)(x), 1.0 / x, PTS(0.1, 1.0, 1.7, 50.0, EDGE, 0.0))                                      \
  X(log2, FN(log2)(x), 1.0 / (x * rt_ln2()), PTS(0.1, 1.0, 1.7, 50.0, EDGE, 0.0))                       \
  X(log10, FN(log10)(x), 1.0 / (x * rt_ln10()), PTS(0.1, 1.0, 1.7, 50.0, EDGE, 0.0))                    \
  X(log1p, FN(log1p)(x), 1.0 / (1.0 + x), PTS(-0.5, 0.0, 0.3, 10.0, EDGE, -1.0))                        \
  X(erf, FN(erf)(x), rt_two_over_sqrt_pi() * exp(-x * x), PTS(-1.1, 0.0, 0.2, 1.5))                     \
  X(erfc, FN(erfc)(x), -rt_two_over_sqrt_pi() * exp(-x * x), PTS(-1.1, 0.0, 0.2, 1.5))                  \
  X(fabs, FN(fabs)(x), x < 0 ? -1.0 : 1.0, PTS(-2.5, -0.125, 0.75, 3.0))                                \
  X(floor, x + 2.0f * FN(floor)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))           \
  X(ceil, x + 2.0f * FN(ceil)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))             \
  X(trunc, x + 2.0f * FN(trunc)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))           \
  X(round, x + 2.0f * FN(round)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))           \
  X(rint, x + 2.0f * FN(rint)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))             \
  X(nearbyint, x + 2.0f * FN(nearbyint)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))   \
  X(roundeven, x + 2.0f * FN(roundeven)(x), 1.0, PTS(-2.7, -0.3, 1.3, 2.2, EDGE, 0.0, 2.0, -0.5, 2.5))   \
  X(logb, x + 2.0f * FN(logb)(x), 1.0, PTS(-5.0, 0.3, 3.0, EDGE, 4.0, -0.5))                            \
  /* a zero seed gives zero, also where the derivative is infinite */                                   \
  X(log_unused, FN(fmax)(FN(log)(x), 1.0f), 0.0, PTS(0.5, EDGE, 0.0))                   \
  X(sqrt_unused, FN(fmin)(FN(sqrt)(x), -1.0f), 0.0, PTS(0.5, EDGE, 0.0))

/* ---- binary rows: X(name, f(a, b), df/da, df/db, {a, b} points, x points of f(x, x)) ---- */

#define DEF_BINARY_D(name, body, da_expr, db_expr, pairs, same)                                         \
  static double rf_##name##_d(double a, double b) { return body; }                                      \
  static double rf_##name##_xx_d(double a) {                                                            \
    double b = a;                                                                                       \
    return body;                                                                                        \
  }
#define DEF_BINARY_L(name, body, da_expr, db_expr, pairs, same)                                         \
  static long double rf_##name##_l(long double a, long double b) { return body; }                       \
  static long double rf_##name##_xx_l(long double a) {                                                  \
    long double b = a;                                                                                  \
    return body;                                                                                        \
  }
#define DEF_BINARY_F(name, body, da_expr, db_expr, pairs, same)                                         \
  static float rf_##name##_f(float a, float b) { return body; }                                         \
  static float rf_##name##_xx_f(float a) {                                                              \
    float b = a;                                                                                        \
    return body;                                                                                        \
  }                                                                                                     \
  static double want_##name##_a(double a, double b) { return (void)a, (void)b, (da_expr); }            \
  static double want_##name##_b(double a, double b) { return (void)a, (void)b, (db_expr); }            \
  static void test_##name(void) {                                                                       \
    static const rt_pair p[] = pairs;                                                                   \
    static const double s[] = same;                                                                     \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i].a == EDGE) {                                                                             \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double a = p[i].a, b = p[i].b, wa = want_##name##_a(a, b), wb = want_##name##_b(a, b);           \
      if (!edge) {                                                                                      \
        rt_fd c = {0, rf_##name##_d, 0, {a, b, 0}, 0};                                                  \
        rt_check_fd(__LINE__, "d/da", #name, &c, wa);                                                   \
        c.k = 1;                                                                                        \
        rt_check_fd(__LINE__, "d/db", #name, &c, wb);                                                   \
      }                                                                                                 \
      double da = NAN, db = NAN;                                                                        \
      ct_gradient(rf_##name##_d, a, &da, b, &db);                                                       \
      RT_CHECK2("d/da", #name, a, b, da, wa, RT_TOL_D);                                                 \
      RT_CHECK2("d/db", #name, a, b, db, wb, RT_TOL_D);                                                 \
      da = db = NAN;                                                                                    \
      double v = ct_value_with_gradient(rf_##name##_d, a, &da, ct_const(b));                            \
      RT_CHECK2("value", #name, a, b, v, rf_##name##_d(a, b), RT_TOL_D);                                \
      RT_CHECK2("d/da (b constant)", #name, a, b, da, wa, RT_TOL_D);                                    \
      ct_gradient(rf_##name##_d, ct_const(a), b, &db);                                                  \
      RT_CHECK2("d/db (a constant)", #name, a, b, db, wb, RT_TOL_D);                                    \
      float af = (float)a, bf = (float)b, daf = NAN, dbf = NAN;                                         \
      ct_gradient(rf_##name##_f, af, &daf, bf, &dbf);                                                   \
      RT_CHECK2("d/da (float)", #name, af, bf, daf, want_##name##_a(af, bf), RT_TOL_F);                 \
      RT_CHECK2("d/db (float)", #name, af, bf, dbf, want_##name##_b(af, bf), RT_TOL_F);                 \
      daf = dbf = NAN;                                                                                  \
      double vf = ct_value_with_gradient(rf_##name##_f, ct_const(af), bf, &dbf);                        \
      RT_CHECK2("value (float)", #name, af, bf, vf, rf_##name##_f(af, bf), RT_TOL_F);                   \
      RT_CHECK2("d/db (float, a constant)", #name, af, bf, dbf, want_##name##_b(af, bf), RT_TOL_F);     \
      ct_gradient(rf_##name##_f, af, &daf, ct_const(bf));                                               \
      RT_CHECK2("d/da (float, b constant)", #name, af, bf, daf, want_##name##_a(af, bf), RT_TOL_F);     \
      long double dal = NAN, dbl = NAN;                                                                 \
      ct_gradient(rf_##name##_l, (long double)a, &dal, (long double)b, &dbl);                           \
      RT_CHECK2_L("d/da (long double)", #name, a, b, (double)dal, wa, RT_TOL_D);                          \
      RT_CHECK2_L("d/db (long double)", #name, a, b, (double)dbl, wb, RT_TOL_D);                          \
    }                                                                                                   \
    edge = 0;                                                                                           \
    for (unsigned i = 0; i < sizeof s / sizeof s[0]; ++i) {                                             \
      if (s[i] == EDGE) {                                                                               \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double x = s[i], want = want_##name##_a(x, x) + want_##name##_b(x, x), dx = NAN;                  \
      if (!edge) {                                                                                      \
        rt_fd c = {rf_##name##_xx_d, 0, 0, {x, 0, 0}, 0};                                               \
        rt_check_fd(__LINE__, "d/dx f(x, x)", #name, &c, want);                                         \
      }                                                                                                 \
      ct_gradient(rf_##name##_xx_d, x, &dx);                                                            \
      RT_CHECK1("d/dx f(x, x)", #name, x, dx, want, RT_TOL_D);                                          \
      float xf = (float)x, dxf = NAN;                                                                   \
      ct_gradient(rf_##name##_xx_f, xf, &dxf);                                                          \
      RT_CHECK1("d/dx f(x, x) (float)", #name, xf, dxf,                                                 \
                want_##name##_a(xf, xf) + want_##name##_b(xf, xf), RT_TOL_F);                           \
      long double dxl = NAN;                                                                            \
      ct_gradient(rf_##name##_xx_l, (long double)x, &dxl);                                              \
      RT_CHECK1_L("d/dx f(x, x) (long double)", #name, x, (double)dxl, want, RT_TOL_D);                   \
    }                                                                                                   \
  }
#define RUN_BINARY(name, body, da_expr, db_expr, pairs, same) test_##name();

/* Ties (fmin, fmax): the first operand gets the adjoint (README, "Ties of
 * max and min"; any split that sums to 1 is a subgradient; this pins the
 * rule's, so that a doubled or dropped adjoint at a tie fails). pow: x^0
 * is constant (d/da = 0 at b = 0, also at a = 0) and 0^b = 0 for b > 0
 * (d/db = 0 at a = 0). hypot(0, 0): the zero subgradient. atan2(0, b < 0)
 * lies on the branch cut. remainder(5, 2): a tie of the quotient 2.5 (a
 * jump). fdim(2, 2): the kink. */
#define BINARY_ROWS(X)                                                                                  \
  X(add, a + b, 1.0, 1.0, PTS({1.5, -2.0}, {-0.25, 3.0}, {0.0, 0.0}), PTS(-1.5, 0.0, 2.0))               \
  X(sub, a - b, 1.0, -1.0, PTS({1.5, -2.0}, {-0.25, 3.0}, {0.0, 0.0}), PTS(-1.5, 0.0, 2.0))              \
  X(mul, a * b, b, a, PTS({1.5, -2.0}, {-0.25, 3.0}, {0.0, 2.0}, {3.0, 0.0}), PTS(-1.5, 0.0, 2.0))       \
  X(div, a / b, 1.0 / b, -a / (b * b), PTS({1.5, -2.0}, {-0.25, 3.0}, {7.0, 0.5}, {0.0, 2.0}),          \
    PTS(-1.5, 2.0))                                                                                     \
  X(fmod, FN(fmod)(a, b), 1.0, -trunc(a / b),                                                           \
    PTS({7.5, 2.0}, {-7.5, 2.0}, {5.3, -1.2}, {0.3, 2.0}, {0.0, 2.0}), PTS(1.5, -2.5))                  \
  X(remainder, FN(remainder)(a, b), 1.0, -rint(a / b),                                                 \
    PTS({7.5, 2.0}, {-7.5, 2.0}, {5.3, -1.2}, {0.3, 2.0}, {0.0, 2.0}, {EDGE, EDGE}, {5.0, 2.0}, {7.0, 2.0}), \
    PTS(1.5, -2.5))                                                                                     \
  X(fdim, FN(fdim)(a, b), a > b ? 1.0 : 0.0, a > b ? -1.0 : 0.0,                                        \
    PTS({3.0, 1.0}, {1.0, 3.0}, {-2.0, -5.0}, {0.5, -0.25}, {EDGE, EDGE}, {2.0, 2.0}), PTS(1.5, -2.0))   \
  X(atan2, FN(atan2)(a, b), b / (a * a + b * b), -a / (a * a + b * b),                                  \
    PTS({1.0, 2.0}, {-0.5, -1.5}, {2.0, -0.3}, {-3.0, 0.7}, {0.0, 1.0}, {1.0, 0.0}, {EDGE, EDGE},       \
        {0.0, -1.0}),                                                                                   \
    PTS(1.5, -2.0))                                                                                     \
  X(pow, FN(pow)(a, b), b == 0 ? 0.0 : b * pow(a, b - 1.0), pow(a, b) == 0 ? 0.0 : pow(a, b) * log(a),  \
    PTS({1.5, 2.3}, {0.4, -1.7}, {3.0, 0.5}, {2.0, 3.0}, {1.7, 0.0}, {0.5, -2.0}, {EDGE, EDGE},          \
        {0.0, 2.0}, {0.0, 1.0}, {0.0, 0.5}, {0.0, 3.0}),                                                \
    PTS(1.5, 0.7))                                                                                      \
  X(hypot, FN(hypot)(a, b), hypot(a, b) == 0 ? 0.0 : a / hypot(a, b),                                   \
    hypot(a, b) == 0 ? 0.0 : b / hypot(a, b),                                                           \
    PTS({3.0, 4.0}, {-1.5, 0.2}, {0.3, -2.0}, {0.0, 2.0}, {EDGE, EDGE}, {0.0, 0.0}), PTS(1.5, -2.0))    \
  X(fmin, FN(fmin)(a, b), a <= b ? 1.0 : 0.0, a <= b ? 0.0 : 1.0,                                       \
    PTS({1.0, 2.0}, {3.0, -1.0}, {-4.0, -3.5}, {EDGE, EDGE}, {1.5, 1.5}, {0.0, 0.0}, {-2.0, -2.0}),      \
    PTS(1.5, 0.0, -2.0))                                                                                \
  X(fmax, FN(fmax)(a, b), a >= b ? 1.0 : 0.0, a >= b ? 0.0 : 1.0,                                       \
    PTS({1.0, 2.0}, {3.0, -1.0}, {-4.0, -3.5}, {EDGE, EDGE}, {1.5, 1.5}, {0.0, 0.0}, {-2.0, -2.0}),      \
    PTS(1.5, 0.0, -2.0))                                                                                \
  X(copysign, FN(copysign)(a, b), signbit(a) == signbit(b) ? 1.0 : -1.0, 0.0,                           \
    PTS({2.0, -3.0}, {-2.0, -3.0}, {-2.0, 5.0}, {1.5, 0.5}, {EDGE, EDGE}, {2.0, -0.0}, {-2.0, 0.0}),     \
    PTS(1.5, -2.0))

/* ---- the functions, double then float ---- */
#define FN(n) n
UNARY_ROWS(DEF_UNARY_D)
BINARY_ROWS(DEF_BINARY_D)
#undef FN
#define FN(n) n##l
UNARY_ROWS(DEF_UNARY_L)
BINARY_ROWS(DEF_BINARY_L)
#undef FN
#define FN(n) n##f
UNARY_ROWS(DEF_UNARY_F)
BINARY_ROWS(DEF_BINARY_F)
#undef FN

/* ---- operations with integer operands, three operands, conversions ---- */

static double rf_ldexp_d(double x, int n) { return __builtin_ldexp(x, n); }
static float rf_ldexp_f(float x, int n) { return __builtin_ldexpf(x, n); }
static double rf_powi_d(double x, int n) { return __builtin_powi(x, n); }
static float rf_powi_f(float x, int n) { return __builtin_powif(x, n); }
static int rt_n;
static double rt_ldexp_n(double x) { return rf_ldexp_d(x, rt_n); }
static double rt_powi_n(double x) { return rf_powi_d(x, rt_n); }

static void test_int_operands(void) {
  static const struct {
    double x;
    int n, edge;
  } p[] = {{1.3, 3, 0}, {-0.7, 5, 0}, {2.0, -2, 0}, {1.7, 0, 0}, {-1.25, 1, 0},
           {0.0, 2, 1}, {0.0, 1, 1},  {0.0, 0, 1},  {0.0, 3, 1}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i].x, dx = NAN;
    int n = rt_n = p[i].n;
    float xf = (float)x, dxf = NAN;
    /* d/dx ldexp(x, n) = 2^n; d/dx x^n = n x^(n-1) (0 for n = 0) */
    double w_ldexp = ldexp(1.0, n), w_powi = n == 0 ? 0.0 : n * pow(x, n - 1);
    if (!p[i].edge) {
      rt_fd c = {rt_ldexp_n, 0, 0, {x, 0, 0}, 0};
      rt_check_fd(__LINE__, "d/dx", "ldexp", &c, w_ldexp);
      c.f1 = rt_powi_n;
      rt_check_fd(__LINE__, "d/dx", "powi", &c, w_powi);
    }
    double v = ct_value_with_gradient(rf_ldexp_d, x, &dx, n);
    RT_CHECK2("value", "ldexp", x, n, v, ldexp(x, n), RT_TOL_D);
    RT_CHECK2("d/dx", "ldexp", x, n, dx, w_ldexp, RT_TOL_D);
    ct_gradient(rf_ldexp_f, xf, &dxf, n);
    RT_CHECK2("d/dx (float)", "ldexp", xf, n, dxf, w_ldexp, RT_TOL_F);
    v = ct_value_with_gradient(rf_powi_d, x, &dx, n);
    RT_CHECK2("value", "powi", x, n, v, pow(x, n), RT_TOL_D);
    RT_CHECK2("d/dx", "powi", x, n, dx, w_powi, RT_TOL_D);
    ct_gradient(rf_powi_f, xf, &dxf, n);
    RT_CHECK2("d/dx (float)", "powi", xf, n, dxf, n == 0 ? 0.0 : n * pow(xf, n - 1), RT_TOL_F);
  }
}

/* fma and a*b + c (contracted to llvm.fmuladd) */
static double rf_fma_d(double a, double b, double c) { return fma(a, b, c); }
static float rf_fma_f(float a, float b, float c) { return fmaf(a, b, c); }
static double rf_muladd_d(double a, double b, double c) { return a * b + c; }
static float rf_muladd_f(float a, float b, float c) { return a * b + c; }
static double rf_fma_xx_d(double x) { return fma(x, x, x); }
static float rf_fma_xx_f(float x) { return fmaf(x, x, x); }
static double rf_muladd_xx_d(double x) { return x * x + x; }
static float rf_muladd_xx_f(float x) { return x * x + x; }

static void test_ternary(void) {
  static const double p[][3] = {{1.5, -2.0, 0.25}, {-0.5, 3.0, 7.0}, {0.0, 0.0, 1.0}, {2.0, 0.0, -1.0}};
  double (*const fd[2])(double, double, double) = {rf_fma_d, rf_muladd_d};
  const char *names[2] = {"fma", "a * b + c"};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i][0], b = p[i][1], c = p[i][2], want[3] = {b, a, 1.0};
    for (int f = 0; f < 2; ++f)
      for (int k = 0; k < 3; ++k) {
        rt_fd e = {0, 0, fd[f], {a, b, c}, k};
        rt_check_fd(__LINE__, k == 0 ? "d/da" : k == 1 ? "d/db" : "d/dc", names[f], &e, want[k]);
      }
    double g[3] = {NAN, NAN, NAN};
    double v = ct_value_with_gradient(rf_fma_d, a, &g[0], b, &g[1], c, &g[2]);
    RT_CHECK2("value (a, b)", "fma", a, b, v, fma(a, b, c), RT_TOL_D);
    for (int k = 0; k < 3; ++k)
      RT_CHECK2(k == 0 ? "d/da" : k == 1 ? "d/db" : "d/dc", "fma", a, b, g[k], want[k], RT_TOL_D);
    ct_gradient(rf_muladd_d, a, &g[0], b, &g[1], c, &g[2]);
    for (int k = 0; k < 3; ++k)
      RT_CHECK2(k == 0 ? "d/da" : k == 1 ? "d/db" : "d/dc", "a * b + c", a, b, g[k], want[k], RT_TOL_D);
    g[1] = NAN;
    ct_gradient(rf_fma_d, ct_const(a), b, &g[1], ct_const(c));
    RT_CHECK2("d/db (a, c constant)", "fma", a, b, g[1], a, RT_TOL_D);
    float af = (float)a, bf = (float)b, cf = (float)c, h[3] = {NAN, NAN, NAN};
    double wf[3] = {bf, af, 1.0};
    ct_gradient(rf_fma_f, af, &h[0], bf, &h[1], cf, &h[2]);
    for (int k = 0; k < 3; ++k)
      RT_CHECK2(k == 0 ? "d/da (float)" : k == 1 ? "d/db (float)" : "d/dc (float)", "fma", af, bf, h[k],
                wf[k], RT_TOL_F);
    ct_gradient(rf_muladd_f, af, &h[0], bf, &h[1], cf, &h[2]);
    for (int k = 0; k < 3; ++k)
      RT_CHECK2(k == 0 ? "d/da (float)" : k == 1 ? "d/db (float)" : "d/dc (float)", "a * b + c", af, bf,
                h[k], wf[k], RT_TOL_F);
    /* one variable in all three slots: d/dx (x x + x) = 2x + 1 */
    double dx = NAN;
    float dxf = NAN;
    ct_gradient(rf_fma_xx_d, a, &dx);
    RT_CHECK1("d/dx fma(x, x, x)", "fma", a, dx, 2.0 * a + 1.0, RT_TOL_D);
    ct_gradient(rf_muladd_xx_d, a, &dx);
    RT_CHECK1("d/dx x * x + x", "a * b + c", a, dx, 2.0 * a + 1.0, RT_TOL_D);
    ct_gradient(rf_fma_xx_f, af, &dxf);
    RT_CHECK1("d/dx fma(x, x, x) (float)", "fma", af, dxf, 2.0 * af + 1.0, RT_TOL_F);
    ct_gradient(rf_muladd_xx_f, af, &dxf);
    RT_CHECK1("d/dx x * x + x (float)", "a * b + c", af, dxf, 2.0 * af + 1.0, RT_TOL_F);
  }
}

/* float -> double (fpext) and double -> float (fptrunc) */
static double rf_fpext(float x) { return 3.0 * x; }
static float rf_fptrunc(double x) { return (float)x * -2.0f; }

static void test_conversions(void) {
  static const double p[] = {-1.25, 0.0, 0.5, 3.0};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    float xf = (float)p[i], dxf = NAN;
    double x = p[i], dx = NAN;
    double v = ct_value_with_gradient(rf_fpext, xf, &dxf);
    RT_CHECK1("value", "fpext", xf, v, 3.0 * xf, RT_TOL_D);
    RT_CHECK1("d/dx", "fpext", xf, dxf, 3.0, RT_TOL_D);
    v = ct_value_with_gradient(rf_fptrunc, x, &dx);
    RT_CHECK1("value", "fptrunc", x, v, (float)x * -2.0f, RT_TOL_D);
    RT_CHECK1("d/dx", "fptrunc", x, dx, -2.0, RT_TOL_D);
  }
}

/* fabs at 0 (a kink): the derivative lies in [-1, 1]. pow with a negative
 * base: d/da only (d/db is not real). */
static void test_kinks(void) {
  static const double zeros[] = {0.0, -0.0};
  for (unsigned i = 0; i < 2; ++i) {
    double dx = NAN;
    float dxf = NAN;
    ct_gradient(rf_fabs_d, zeros[i], &dx);
    CHECK(fabs(dx) <= 1.0);
    ct_gradient(rf_fabs_f, (float)zeros[i], &dxf);
    CHECK(fabsf(dxf) <= 1.0f);
  }
  static const rt_pair neg[] = {{-2.0, 3.0}, {-1.5, 2.0}, {-0.5, -3.0}, {-3.0, 0.0}};
  for (unsigned i = 0; i < sizeof neg / sizeof neg[0]; ++i) {
    double a = neg[i].a, b = neg[i].b, da = NAN, want = b == 0 ? 0.0 : b * pow(a, b - 1.0);
    ct_gradient(rf_pow_d, a, &da, ct_const(b));
    RT_CHECK2("d/da (b constant)", "pow", a, b, da, want, RT_TOL_D);
    float daf = NAN;
    ct_gradient(rf_pow_f, (float)a, &daf, ct_const((float)b));
    RT_CHECK2("d/da (float, b constant)", "pow", a, b, daf, want, RT_TOL_F);
  }
  /* 0^0: d/da = 0 */
  double da = NAN;
  ct_gradient(rf_pow_d, 0.0, &da, ct_const(0.0));
  RT_CHECK2("d/da (b constant)", "pow", 0.0, 0.0, da, 0.0, RT_TOL_D);
}

#include "rules_special.h"

static void rules_table_run(void) {
  UNARY_ROWS(RUN_UNARY)
  BINARY_ROWS(RUN_BINARY)
  test_int_operands();
  test_ternary();
  test_conversions();
  test_kinks();
  rules_special_run();
}

#endif
