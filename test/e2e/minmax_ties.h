/* Which operand of a max or min gets the gradient at a tie (equal values):
 * the one the source's comparison chooses, at every -O level, with and
 * without -ffast-math (which lets LLVM turn `a > b ? a : b` and
 * `a >= b ? a : b` alike into llvm.maxnum(a, b); Cotangent keeps the
 * select, libm_calls.c):
 *  - a > b ? a : b  and  a < b ? a : b: b at a tie (the comparison is
 *    false); a >= b ? a : b  and  a <= b ? a : b: a;
 *  - fmax(a, b), fmin(a, b) (libm calls, or llvm.maxnum/minnum): a, the
 *    first operand (README, "Ties");
 *  - a ReLU written x > 0 ? x : 0: slope 0 at x = 0; x >= 0 ? x : 0:
 *    slope 1;
 *  - the running max of an array with repeated values: with `>` the first
 *    index of the maximum gets the gradient, with `>=` the last; if
 *    (x[i] > m) m = x[i] likewise;
 *  - a clamp fmin(fmax(x, lo), hi) at both bounds;
 *  - float versions.
 * Points: ties of positive, negative and zero values, and no tie.
 * Included by minmax_ties.c and minmax_ties_fast_math.c. */
#ifndef COTANGENT_TEST_E2E_MINMAX_TIES_H
#define COTANGENT_TEST_E2E_MINMAX_TIES_H

#include "check.h"

#include <cotangent.h>
#include <math.h>

static double max_gt(double a, double b) { return a > b ? a : b; }
static double max_ge(double a, double b) { return a >= b ? a : b; }
static double max_lt(double a, double b) { return a < b ? b : a; }
static double min_lt(double a, double b) { return a < b ? a : b; }
static double min_le(double a, double b) { return a <= b ? a : b; }
static double min_gt(double a, double b) { return a > b ? b : a; }
static double lib_max(double a, double b) { return fmax(a, b); }
static double lib_min(double a, double b) { return fmin(a, b); }
static float max_gt_f(float a, float b) { return a > b ? a : b; }
static float max_ge_f(float a, float b) { return a >= b ? a : b; }
static float lib_max_f(float a, float b) { return fmaxf(a, b); }
static float lib_min_f(float a, float b) { return fminf(a, b); }

static double relu_gt(double x) { return 3 * (x > 0 ? x : 0); }
static double relu_ge(double x) { return 3 * (x >= 0 ? x : 0); }

static double running_max_gt(const double *x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  return m;
}
static double running_max_ge(const double *x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i)
    m = x[i] >= m ? x[i] : m;
  return m;
}
static double running_max_if(const double *x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i)
    if (x[i] > m)
      m = x[i];
  return m;
}
static double running_min_fmin(const double *x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i)
    m = fmin(m, x[i]);
  return m;
}

static double clamp(double x, double lo, double hi) { return fmin(fmax(x, lo), hi); }

typedef double (*binary_fn)(double, double);

/* the gradient of f at (a, b) must be (wa, wb) */
static void check_pair(const char *name, double a, double b, double da, double db, double wa, double wb) {
  char what[120];
  snprintf(what, sizeof what, "d/da %s(%g, %g)", name, a, b);
  check_close(__FILE__, __LINE__, what, da, wa, 0);
  snprintf(what, sizeof what, "d/db %s(%g, %g)", name, a, b);
  check_close(__FILE__, __LINE__, what, db, wb, 0);
}

#define CHECK_BINARY(f, a, b, tie_to_a, bigger_wins)                                                    \
  do {                                                                                                  \
    double da_ = -7, db_ = -7;                                                                          \
    double v_ = ct_value_with_gradient(f, a, &da_, b, &db_);                                            \
    CHECK_D(v_, f(a, b));                                                                               \
    int a_wins_ = (a) == (b) ? (tie_to_a) : ((a) > (b)) == (bigger_wins);                                \
    check_pair(#f, a, b, da_, db_, a_wins_ ? 1.0 : 0.0, a_wins_ ? 0.0 : 1.0);                            \
  } while (0)

#define CHECK_BINARY_F(f, a, b, tie_to_a, bigger_wins)                                                  \
  do {                                                                                                  \
    float da_ = -7, db_ = -7;                                                                           \
    ct_gradient(f, (float)(a), &da_, (float)(b), &db_);                                                 \
    int a_wins_ = (a) == (b) ? (tie_to_a) : ((a) > (b)) == (bigger_wins);                                \
    check_pair(#f, a, b, da_, db_, a_wins_ ? 1.0 : 0.0, a_wins_ ? 0.0 : 1.0);                            \
  } while (0)

static void test_pairs(void) {
  static const double p[][2] = {{1.5, 1.5}, {-2.0, -2.0}, {0.0, 0.0}, {3.0, -1.0}, {-4.0, 2.5}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i][0], b = p[i][1];
    CHECK_BINARY(max_gt, a, b, 0, 1);
    CHECK_BINARY(max_ge, a, b, 1, 1);
    CHECK_BINARY(max_lt, a, b, 1, 1);
    CHECK_BINARY(min_lt, a, b, 0, 0);
    CHECK_BINARY(min_le, a, b, 1, 0);
    CHECK_BINARY(min_gt, a, b, 1, 0);
    CHECK_BINARY(lib_max, a, b, 1, 1);
    CHECK_BINARY(lib_min, a, b, 1, 0);
    CHECK_BINARY_F(max_gt_f, a, b, 0, 1);
    CHECK_BINARY_F(max_ge_f, a, b, 1, 1);
    CHECK_BINARY_F(lib_max_f, a, b, 1, 1);
    CHECK_BINARY_F(lib_min_f, a, b, 1, 0);
  }
}

static void test_relu(void) {
  static const double p[] = {0.0, 1.25, -0.5};
  for (unsigned i = 0; i < 3; ++i) {
    double x = p[i], d = -7;
    ct_gradient(relu_gt, x, &d);
    CHECK_AT_D("d/dx 3 relu (x > 0)", x, d, x > 0 ? 3.0 : 0.0);
    ct_gradient(relu_ge, x, &d);
    CHECK_AT_D("d/dx 3 relu (x >= 0)", x, d, x >= 0 ? 3.0 : 0.0);
  }
}

enum { NX = 9 };

static void check_one_hot(const char *what, const double *dx, int at) {
  for (int i = 0; i < NX; ++i)
    CHECK_AT_D(what, i, dx[i], i == at ? 1.0 : 0.0);
}

static void test_running(void) {
  /* the maximum 3 at 1, 3, 5, 7; the minimum -1 at 2 and 6 */
  double x[NX] = {1, 3, -1, 3, 0, 3, -1, 3, 2}, dx[NX];
  for (int i = 0; i < NX; ++i)
    dx[i] = 0;
  ct_gradient(running_max_gt, x, dx, NX);
  check_one_hot("d/dx running max (>)", dx, 1);
  for (int i = 0; i < NX; ++i)
    dx[i] = 0;
  ct_gradient(running_max_ge, x, dx, NX);
  check_one_hot("d/dx running max (>=)", dx, 7);
  for (int i = 0; i < NX; ++i)
    dx[i] = 0;
  ct_gradient(running_max_if, x, dx, NX);
  check_one_hot("d/dx running max (if >)", dx, 1);
  for (int i = 0; i < NX; ++i)
    dx[i] = 0;
  /* fmin(m, x[i]): the running minimum m is the first operand */
  ct_gradient(running_min_fmin, x, dx, NX);
  check_one_hot("d/dx running min (fmin)", dx, 2);
}

static void test_clamp(void) {
  static const double p[][3] = {{-1.0, -1.0, 2.0}, {2.0, -1.0, 2.0}, {0.5, -1.0, 2.0}, {-3.0, -1.0, 2.0}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i][0], lo = p[i][1], hi = p[i][2], dx = -7, dlo = -7, dhi = -7;
    ct_gradient(clamp, x, &dx, lo, &dlo, hi, &dhi);
    /* fmax(x, lo): x at a tie; fmin(m, hi): m at a tie */
    int below = x < lo, above = fmax(x, lo) > hi;
    CHECK_AT_D("d/dx clamp", x, dx, !below && !above ? 1.0 : 0.0);
    CHECK_AT_D("d/dlo clamp", x, dlo, below && !above ? 1.0 : 0.0);
    CHECK_AT_D("d/dhi clamp", x, dhi, above ? 1.0 : 0.0);
  }
}

static int minmax_ties_run(const char *name) {
  test_pairs();
  test_relu();
  test_running();
  test_clamp();
  return check_summary(name);
}

#endif
