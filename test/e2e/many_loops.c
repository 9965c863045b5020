/* A function with more loops than the planner used to list (64; it lists
 * all now; a small helper with
 * two loops in a five-trip loop, inlined and unrolled many times): blocks of
 * the unlisted inner loops must not keep their records in an outer loop's
 * array (one slot per outer iteration, overwritten by every inner
 * iteration: the reverse of the inner loop then never ended, fuzz seed
 * 10277 at -O2/-O3). Checked against the same function run with dual
 * numbers (forward mode written out: each value carries its derivatives
 * with respect to x[0..3] and p), every component to 1e-12 relative (three
 * of them are below 1e-8, out of reach of finite differences); an alarm
 * turns a hang into a failure. */
#include "check.h"

#include <unistd.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

static void helper(double *y, int m, double a) {
  for (int i1 = 0; i1 < 5; i1++) {
    for (int i2 = 0; i2 < m; i2 += 2)
      y[i2] = 0.341 * y[i2] + 0.65 * a;
    for (int i3 = m - 1; i3 > 0; i3--) {
      a = 0.629;
      if (log1p(0.183 * tanh(a)) < -0.029)
        break;
    }
  }
}

static double f(double *x, int n, double p) {
  helper(x, n, x[2]);
  for (int i8 = 0; i8 < 5; i8++)
    helper(x, n, x[(i8 + 2) % n]);
  for (int i11 = 0; i11 < n - 1; i11++) {
    x[n - 1 - i11] = 0.36 * x[(i11 + 2) % n];
    for (int i12 = i11; i12 < n; i12++)
      helper(x, n, sin(x[0] - p) + x[i12] * x[1]);
  }
  return x[1] - x[n - 1] + x[0] * x[2];
}

/* ---- the reference: f on dual numbers ---- */
enum { NV = 5 }; /* x[0..3], p */
typedef struct {
  double v, d[NV];
} dual;

static dual dconst(double c) {
  dual r = {c, {0}};
  return r;
}
static dual dadd(dual a, dual b) {
  for (int k = 0; k < NV; ++k)
    a.d[k] += b.d[k];
  a.v += b.v;
  return a;
}
static dual dscale(double c, dual a) {
  for (int k = 0; k < NV; ++k)
    a.d[k] *= c;
  a.v *= c;
  return a;
}
static dual dmul(dual a, dual b) {
  dual r = {a.v * b.v, {0}};
  for (int k = 0; k < NV; ++k)
    r.d[k] = a.d[k] * b.v + a.v * b.d[k];
  return r;
}
static dual dsin(dual a) {
  dual r = {sin(a.v), {0}};
  for (int k = 0; k < NV; ++k)
    r.d[k] = cos(a.v) * a.d[k];
  return r;
}

static void helper_dual(dual *y, int m, dual a) {
  for (int i1 = 0; i1 < 5; i1++) {
    for (int i2 = 0; i2 < m; i2 += 2)
      y[i2] = dadd(dscale(0.341, y[i2]), dscale(0.65, a));
    for (int i3 = m - 1; i3 > 0; i3--) {
      a = dconst(0.629);
      if (log1p(0.183 * tanh(a.v)) < -0.029)
        break;
    }
  }
}

static dual f_dual(const double *x0, double p0) {
  enum { n = 4 };
  dual x[n], p = dconst(p0);
  for (int k = 0; k < n; ++k) {
    x[k] = dconst(x0[k]);
    x[k].d[k] = 1.0;
  }
  p.d[4] = 1.0;
  helper_dual(x, n, x[2]);
  for (int i8 = 0; i8 < 5; i8++)
    helper_dual(x, n, x[(i8 + 2) % n]);
  for (int i11 = 0; i11 < n - 1; i11++) {
    x[n - 1 - i11] = dscale(0.36, x[(i11 + 2) % n]);
    for (int i12 = i11; i12 < n; i12++)
      helper_dual(x, n, dadd(dsin(dadd(x[0], dscale(-1.0, p))), dmul(x[i12], x[1])));
  }
  return dadd(dadd(x[1], dscale(-1.0, x[n - 1])), dmul(x[0], x[2]));
}

int main(void) {
  alarm(20);
  const double x0[4] = {1.4652020636711374, -0.9308665794693741, 0.4781617302448151, 1.1651906238365957};
  const double p = 0.38676111399306223;
  double x[4] = {x0[0], x0[1], x0[2], x0[3]}, dx[4] = {0};
  double dp = __enzyme_autodiff((void *)f, enzyme_dup, x, dx, 4, p);
  dual want = f_dual(x0, p);
  for (int k = 0; k < NV; k++)
    CHECK_AT_TOL("df", k, k < 4 ? dx[k] : dp, want.d[k], 1e-12);
  double x1[4] = {x0[0], x0[1], x0[2], x0[3]};
  CHECK_TOL(f(x1, 4, p), want.v, 1e-14);
  return check_summary("many_loops");
}
