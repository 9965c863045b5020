/* Control flow driven by the data: if/else chains with early returns, a
 * switch, loops with break / continue / early return, while loops run to
 * convergence (Newton's square root, Kepler's equation), a do-while with an
 * iteration cap, and bisection (whose result is linear in the bracket, so its
 * derivative is result / a rather than the implicit one). Analytic checks at
 * points on both sides of every branch. */
#include "check.h"

#include <cotangent.h>

#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_arr(void *, ...);
typedef struct {
  double dM, de;
} D2;
extern D2 __enzyme_autodiff_kepler(void *, ...);

static double piecewise(double x) {
  if (x < -1.0)
    return -x * x * x;
  double y;
  if (x < 0.5)
    y = sin(x);
  else if (x < 2.0)
    y = exp(x - 0.5);
  else
    return log(x) * x;
  return y * x + 1.0;
}
static double d_piecewise(double x) {
  if (x < -1.0)
    return -3.0 * x * x;
  if (x < 0.5)
    return cos(x) * x + sin(x);
  if (x < 2.0)
    return exp(x - 0.5) * (1.0 + x);
  return log(x) + 1.0;
}

static double by_mode(double x, int mode) {
  switch (mode) {
  case 0:
    return x * x;
  case 1:
    return sin(x) * 2.0;
  case 7:
    x = x * 3.0;
    /* fall through */
  case 2:
    return x * x * x;
  default:
    return 5.0;
  }
}

static double newton_sqrt(double a) {
  double x = a > 1.0 ? a : 1.0;
  /* squared rather than fabs, and in separate statements so that no
   * llvm.fmuladd forms: see loop_conditions.c */
  for (;;) {
    double sq = x * x;
    double e = sq - a;
    if (e * e <= 1e-30 * a * a)
      break;
    x = 0.5 * (x + a / x);
  }
  return x;
}

/* E - e sin E = M by Newton, with an iteration cap and break */
static double kepler(double M, double e) {
  double E = e < 0.8 ? M : 3.14159;
  int it = 0;
  do {
    double r = E - e * sin(E) - M;
    if (r * r < 1e-30)
      break;
    E -= r / (1.0 - e * cos(E));
  } while (++it < 100);
  return E;
}

/* root of t^3 + t - a on [0, a] (a > 1) by bisection */
static double bisect(double a) {
  double lo = 0.0, hi = a;
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi)
      break;
    if (mid * mid * mid + mid - a > 0.0)
      hi = mid;
    else
      lo = mid;
  }
  return lo;
}

/* sum of squares up to (and including) the first value above the threshold,
 * skipping negative values; returns early with a product on a zero */
static double scan(const double *x, int n, double thresh) {
  double acc = 0.0;
  for (int i = 0; i < n; ++i) {
    if (x[i] < 0.0)
      continue;
    if (x[i] == 0.0)
      return acc * x[i + 1];
    acc += x[i] * x[i];
    if (x[i] > thresh)
      break;
  }
  return acc;
}

/* nested loops, the inner one broken by a data-dependent test */
static double nested(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n; ++i) {
    double p = 1.0;
    for (int j = i; j < n; ++j) {
      p *= x[j];
      if (p * p < 0.01)
        break;
    }
    f += p;
  }
  return f;
}
static void d_nested(const double *x, int n, double *g) {
  for (int i = 0; i < n; ++i)
    g[i] = 0.0;
  for (int i = 0; i < n; ++i) {
    double p = 1.0;
    int last = i;
    for (int j = i; j < n; ++j) {
      p *= x[j];
      last = j;
      if (fabs(p) < 0.1)
        break;
    }
    for (int j = i; j <= last; ++j)
      g[j] += p / x[j];
  }
}

int main(void) {
  const double xs[] = {-2.5, -1.0001, -0.9999, -0.3, 0.0, 0.49, 0.51, 1.7, 1.999, 2.001, 7.5};
  for (unsigned k = 0; k < sizeof xs / sizeof xs[0]; ++k) {
    CHECK_AT("piecewise", xs[k], __enzyme_autodiff((void *)piecewise, xs[k]), d_piecewise(xs[k]));
    double dx;
    double v = ct_value_with_gradient(piecewise, xs[k], &dx);
    CHECK_AT("piecewise (native)", xs[k], dx, d_piecewise(xs[k]));
    CHECK_AT("piecewise value", xs[k], v, piecewise(xs[k]));
  }

  const double x0 = 0.7;
  CHECK_AT("mode 0", 0, __enzyme_autodiff((void *)by_mode, x0, 0), 2.0 * x0);
  CHECK_AT("mode 1", 1, __enzyme_autodiff((void *)by_mode, x0, 1), 2.0 * cos(x0));
  CHECK_AT("mode 2", 2, __enzyme_autodiff((void *)by_mode, x0, 2), 3.0 * x0 * x0);
  CHECK_AT("mode 7", 7, __enzyme_autodiff((void *)by_mode, x0, 7), 81.0 * x0 * x0);
  CHECK(__enzyme_autodiff((void *)by_mode, x0, 4) == 0.0);

  const double as[] = {0.01, 0.5, 2.0, 10.0, 12345.0};
  for (unsigned k = 0; k < sizeof as / sizeof as[0]; ++k)
    CHECK_AT("newton_sqrt", as[k], __enzyme_autodiff((void *)newton_sqrt, as[k]), 0.5 / sqrt(as[k]));

  const double Ms[] = {0.3, 1.0, 2.5}, es[] = {0.1, 0.5, 0.95};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double M = Ms[i], e = es[j];
      double E = kepler(M, e);
      D2 d = __enzyme_autodiff_kepler((void *)kepler, M, e);
      double den = 1.0 - e * cos(E);
      CHECK_AT("kepler dM", M + 10 * e, d.dM, 1.0 / den);
      CHECK_AT("kepler de", M + 10 * e, d.de, sin(E) / den);
    }

  const double bs[] = {2.0, 3.7, 100.0};
  for (int k = 0; k < 3; ++k) {
    double r = bisect(bs[k]);
    CHECK_AT("bisect", bs[k], __enzyme_autodiff((void *)bisect, bs[k]), r / bs[k]);
  }

  /* scan: the break falls on index 3; index 1 negative (skipped) */
  double x[8] = {0.5, -0.4, 0.9, 1.6, 0.7, 0.0, 0.3, 0.2}, dxa[8];
  for (int i = 0; i < 8; ++i)
    dxa[i] = 0.0;
  __enzyme_autodiff_arr((void *)scan, enzyme_dup, x, dxa, 8, 1.5);
  const double want_scan[8] = {1.0, 0.0, 1.8, 3.2, 0.0, 0.0, 0.0, 0.0};
  for (int i = 0; i < 8; ++i)
    CHECK_AT("scan", i, dxa[i], want_scan[i]);
  /* threshold not reached: runs into the zero at index 5 and returns
   * acc * x[6] early */
  for (int i = 0; i < 8; ++i)
    dxa[i] = 0.0;
  __enzyme_autodiff_arr((void *)scan, enzyme_dup, x, dxa, 8, 5.0);
  double acc = 0.25 + 0.81 + 2.56 + 0.49;
  const double want_early[8] = {2 * 0.5 * 0.3, 0.0, 2 * 0.9 * 0.3, 2 * 1.6 * 0.3, 2 * 0.7 * 0.3, 0.0, acc, 0.0};
  for (int i = 0; i < 8; ++i)
    CHECK_AT("scan early return", i, dxa[i], want_early[i]);

  double y[9], dy[9], g[9];
  for (int i = 0; i < 9; ++i) {
    y[i] = 0.9 * cos(1.1 * i) + 0.2;
    dy[i] = 0.0;
  }
  __enzyme_autodiff_arr((void *)nested, y, dy, 9);
  d_nested(y, 9, g);
  for (int i = 0; i < 9; ++i)
    CHECK_AT("nested", i, dy[i], g[i]);
  return check_summary("branches");
}
