/* Gradients whose code LLVM optimizes on the premise that primal memory,
 * shadow memory and the tape never overlap in one gradient call, and that
 * the shadow of a local allocation never overlaps an argument's shadow
 * (pass/scopes.c):
 *   - a matrix product through a local malloc'd row (the reverse of the
 *     inner loop updates an argument's shadow while reading the row's);
 *   - two gradients inlined into one function, the first one's shadow being
 *     the second one's primal;
 *   - a local array copied from an argument, updated in place, written back
 *     into another argument (shadows of locals and arguments interleaved);
 *   - a function reading an argument through two pointers (a row and the
 *     whole matrix), the shadow written through both.
 * Checked against analytic gradients or central differences. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>

#define N 7

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

/* 1/2 |A B - T|^2 with the row of A B in a malloc */
static double matmul_loss(const double *a, const double *b, const double *t CT_NO_DERIVATIVE, int n) {
  double *row = malloc((size_t)n * sizeof *row);
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      row[j] = 0.0;
    for (int k = 0; k < n; k++)
      for (int j = 0; j < n; j++)
        row[j] += a[i * n + k] * b[k * n + j];
    for (int j = 0; j < n; j++) {
      double r = row[j] - t[i * n + j];
      f += 0.5 * r * r;
    }
  }
  free(row);
  return f;
}

static void check_matmul(void) {
  double a[N * N], b[N * N], t[N * N], da[N * N] = {0}, db[N * N] = {0}, r[N * N];
  for (int i = 0; i < N * N; i++) {
    a[i] = sin(0.7 * i + 0.1);
    b[i] = cos(0.3 * i - 0.2);
    t[i] = 0.05 * i;
  }
  ct_value_with_gradient(matmul_loss, a, da, b, db, t, N);
  for (int i = 0; i < N; i++) /* R = A B - T; dA = R B^T, dB = A^T R */
    for (int j = 0; j < N; j++) {
      double s = -t[i * N + j];
      for (int k = 0; k < N; k++)
        s += a[i * N + k] * b[k * N + j];
      r[i * N + j] = s;
    }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) {
      double wa = 0.0, wb = 0.0;
      for (int j = 0; j < N; j++) {
        wa += r[i * N + j] * b[k * N + j];
        wb += a[j * N + i] * r[j * N + k];
      }
      CHECK_TOL(da[i * N + k], wa, 1e-11);
      CHECK_TOL(db[i * N + k], wb, 1e-11);
    }
}

/* sum x_i^2 x_{i+1} (cyclic); gradient 2 x_i x_{i+1} + x_{i-1}^2 */
static double cyclic(const double *x, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += x[i] * x[i] * x[(i + 1) % n];
  return s;
}

static void cyclic_gradient(const double *x, double *g, int n) {
  for (int i = 0; i < n; i++)
    g[i] = 2.0 * x[i] * x[(i + 1) % n] + x[(i + n - 1) % n] * x[(i + n - 1) % n];
}

/* both gradients in one function: LLVM may inline both */
static void chained(double *x, double *dx, double *ddx, int n) {
  ct_value_with_gradient(cyclic, x, dx, n);
  ct_value_with_gradient(cyclic, dx, ddx, n);
}

static void check_chained(void) {
  double x[N], dx[N] = {0}, ddx[N] = {0}, w1[N], w2[N];
  for (int i = 0; i < N; i++)
    x[i] = 0.4 + 0.15 * i;
  chained(x, dx, ddx, N);
  cyclic_gradient(x, w1, N);
  cyclic_gradient(w1, w2, N);
  for (int i = 0; i < N; i++) {
    CHECK_D(dx[i], w1[i]);
    CHECK_D(ddx[i], w2[i]);
  }
}

/* a local copy of x updated in place, its sum of squares written to out[0]
 * and returned through it */
static double local_copy(const double *x, double *out, int steps) {
  double t[N];
  for (int j = 0; j < N; j++)
    t[j] = x[j];
  for (int s = 0; s < steps; s++)
    for (int j = 0; j < N; j++)
      t[j] = t[j] + 0.1 * sin(t[(j + 1) % N]) * x[j];
  double q = 0.0;
  for (int j = 0; j < N; j++)
    q += t[j] * t[j];
  out[0] = q;
  out[1] = out[0] * x[0];
  return out[1] + out[0];
}

static void check_local_copy(void) {
  double x[N], dx[N] = {0}, out[2], dout[2] = {0};
  for (int j = 0; j < N; j++)
    x[j] = 0.3 * j - 0.5;
  ct_value_with_gradient(local_copy, x, dx, out, dout, 4);
  for (int j = 0; j < N; j++) {
    double xp[N], xm[N], o[2], h = 1e-6;
    for (int k = 0; k < N; k++)
      xp[k] = xm[k] = x[k];
    xp[j] += h;
    xm[j] -= h;
    double fd = (local_copy(xp, o, 4) - local_copy(xm, o, 4)) / (2 * h);
    CHECK_TOL(dx[j], fd, 1e-7);
  }
}

/* m is n x n; row points into it: the shadow is written through both */
static double two_views(double *m, double *row, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      s += m[i * n + j] * row[j];
    for (int j = 0; j < n; j++)
      row[j] *= 1.01;
  }
  return s;
}

static void check_two_views(void) {
  double m[N * N], dm[N * N] = {0};
  for (int i = 0; i < N * N; i++)
    m[i] = cos(0.2 * i);
  double m0[N * N];
  for (int i = 0; i < N * N; i++)
    m0[i] = m[i];
  __enzyme_autodiff((void *)two_views, enzyme_dup, m, dm, enzyme_dup, m + 2 * N, dm + 2 * N, enzyme_const, N);
  for (int k = 0; k < N * N; k++) {
    double mp[N * N], mm[N * N], h = 1e-6;
    for (int i = 0; i < N * N; i++)
      mp[i] = mm[i] = m0[i];
    mp[k] += h;
    mm[k] -= h;
    double fd = (two_views(mp, mp + 2 * N, N) - two_views(mm, mm + 2 * N, N)) / (2 * h);
    CHECK_TOL(dm[k], fd, 1e-7);
  }
}

int main(void) {
  check_matmul();
  check_chained();
  check_local_copy();
  check_two_views();
  return check_summary("memory_kinds");
}
