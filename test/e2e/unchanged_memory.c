/* Loads that the reverse pass recomputes instead of taping, because no write
 * to their memory can run after them, and their look-alikes that must stay
 * on the tape because a later write changes the memory:
 *   - a private malloc filled before a loop and read in it (its free moves
 *     into the reverse pass; ASan's leak check runs this test too);
 *   - an argument array read, then overwritten by a later loop (taped);
 *   - a private buffer read, then written by the next iteration (taped);
 *   - a local array indexed at run time;
 *   - a pointer merging a local array and an argument (taped);
 *   - a restrict argument read while another is written (recomputed);
 *   - a pullback applied after the caller overwrote what the function read
 *     (split: the whole-function rule keeps those loads on the tape).
 * Every gradient is checked against its analytic value. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>

#define D 6
#define N 40

static double weight(int i, int j) { return cos(0.3 * i + j); }

/* sum_i sum_j q_j^2 w(i, j), q = exp(p) in a malloc filled before the loop */
static double filled_before(const double *p, int d, int n) {
  double *q = malloc((size_t)d * sizeof *q);
  for (int j = 0; j < d; j++)
    q[j] = exp(p[j]);
  double s = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < d; j++)
      s += q[j] * q[j] * weight(i, j);
  free(q);
  return s;
}

/* sum a_i^2 (and a is halved afterwards: the loads must come from the tape) */
static double overwritten_after(double *a, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i] * a[i];
  for (int i = 0; i < n; i++)
    a[i] = 0.5 * a[i];
  return s;
}

/* b_k = x_k; then s += b[i % 4]^2 and b[(i + 1) % 4] = 0.1 s + b[(i + 1) % 4]:
 * each load may see the previous iteration's write */
static double written_next_iteration(const double *x, int n) {
  double *b = malloc(4 * sizeof *b);
  for (int k = 0; k < 4; k++)
    b[k] = x[k];
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    s += b[i % 4] * b[i % 4];
    b[(i + 1) % 4] = 0.1 * s + b[(i + 1) % 4];
  }
  free(b);
  return s;
}

/* a local array indexed at run time, written once, then read in a loop */
static double local_table(double x, int n) {
  double t[8];
  for (int k = 0; k < 8; k++)
    t[(3 * k) % 8] = x * (k + 1);
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += t[i % 8] * t[(i + 3) % 8];
  return s;
}

/* the loads go through a pointer that may point into the local array or
   into x; only the local array is written after them (they stay taped):
   sum p_i^2 + 5 sum x_i, with p = 2x (c) or x */
static double merged_pointer(const double *x, int c, int n) {
  double loc[8];
  for (int i = 0; i < n; i++)
    loc[i] = 2.0 * x[i];
  const double *p = c ? loc : x;
  double v = 0.0;
  for (int i = 0; i < n; i++)
    v += p[i] * p[i];
  for (int i = 0; i < n; i++)
    loc[i] = 5.0;
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += loc[i] * x[i];
  return v + s;
}

/* g reads x; the caller overwrites x before applying the pullback */
/* c += a b (b is n x n, restrict: writes through c cannot change it, so
 * its loads are recomputed), then |c|^2 */
static double restrict_product(const double *restrict b, double *restrict c, const double *a, int n) {
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      c[j] += a[k] * b[k * n + j];
  double s = 0.0;
  for (int j = 0; j < n; j++)
    s += c[j] * c[j];
  return s;
}

static double reads_x(const double *x) { return sin(x[0]) * x[1] * x[1]; }

/* the reference for written_next_iteration: forward mode by hand */
static void written_next_iteration_ref(const double *x, int n, double *grad) {
  double b[4], db[4][4], s = 0.0, ds[4] = {0};
  for (int k = 0; k < 4; k++) {
    b[k] = x[k];
    for (int m = 0; m < 4; m++)
      db[k][m] = k == m;
  }
  for (int i = 0; i < n; i++) {
    int r = i % 4, w = (i + 1) % 4;
    for (int m = 0; m < 4; m++)
      ds[m] += 2.0 * b[r] * db[r][m];
    s += b[r] * b[r];
    for (int m = 0; m < 4; m++)
      db[w][m] = 0.1 * ds[m] + db[w][m];
    b[w] = 0.1 * s + b[w];
  }
  for (int m = 0; m < 4; m++)
    grad[m] = ds[m];
}

int main(void) {
  double p[D], dp[D] = {0}; /* shadows accumulate */
  for (int j = 0; j < D; j++)
    p[j] = 0.1 * j - 0.2;
  ct_gradient(filled_before, p, dp, D, N);
  for (int j = 0; j < D; j++) {
    double want = 0.0;
    for (int i = 0; i < N; i++)
      want += 2.0 * exp(2.0 * p[j]) * weight(i, j);
    CHECK_AT_TOL("filled_before", j, dp[j], want, 1e-10);
  }

  double a[D], da[D] = {0};
  for (int i = 0; i < D; i++)
    a[i] = 0.3 + 0.2 * i;
  double a0[D];
  for (int i = 0; i < D; i++)
    a0[i] = a[i];
  ct_gradient(overwritten_after, a, da, D);
  for (int i = 0; i < D; i++)
    CHECK_AT_TOL("overwritten_after", i, da[i], 3.0 * a0[i] * a0[i], 1e-12);

  double x[4] = {0.4, -0.3, 0.2, 0.5}, dx[4] = {0}, want4[4];
  ct_gradient(written_next_iteration, x, dx, 17);
  written_next_iteration_ref(x, 17, want4);
  for (int k = 0; k < 4; k++)
    CHECK_AT_TOL("written_next_iteration", k, dx[k], want4[k], 1e-10);

  double dt;
  ct_gradient(local_table, 0.7, &dt, 20);
  /* t[(3k) % 8] = x (k + 1): every product is x^2 c, so ds/dx = 2 s / x */
  CHECK_AT_TOL("local_table", 0.7, dt, 2.0 * local_table(0.7, 20) / 0.7, 1e-12);

  for (int c = 0; c < 2; c++) {
    double xm[4] = {0.3, -0.7, 0.4, 0.9}, dxm[4] = {0};
    ct_gradient(merged_pointer, xm, dxm, c, 4);
    for (int i = 0; i < 4; i++)
      CHECK_AT_D("merged_pointer", i, dxm[i], (c ? 8.0 : 2.0) * xm[i] + 5.0);
  }

  {
    enum { R = 5 };
    double b[R * R], db[R * R] = {0}, c[R], dc[R] = {0}, ar[R], dar[R] = {0}, cf[R];
    for (int i = 0; i < R * R; i++)
      b[i] = sin(0.4 * i + 0.3);
    for (int j = 0; j < R; j++) {
      c[j] = 0.1 * j;
      ar[j] = cos(0.7 * j);
    }
    for (int j = 0; j < R; j++) { /* c after the product */
      cf[j] = c[j];
      for (int k = 0; k < R; k++)
        cf[j] += ar[k] * b[k * R + j];
    }
    ct_gradient(restrict_product, b, db, c, dc, ar, dar, R);
    for (int k = 0; k < R; k++) {
      double want_a = 0.0;
      for (int j = 0; j < R; j++) {
        CHECK_AT_TOL("restrict_product db", k * R + j, db[k * R + j], 2.0 * cf[j] * ar[k], 1e-12);
        want_a += 2.0 * cf[j] * b[k * R + j];
      }
      CHECK_AT_TOL("restrict_product da", k, dar[k], want_a, 1e-12);
      CHECK_AT_TOL("restrict_product dc", k, dc[k], 2.0 * cf[k], 1e-12);
    }
  }

  double y[2] = {0.6, 1.4}, dy[2] = {0, 0};
  ct_pullback_t pb;
  double v = ct_value_with_pullback(reads_x, &pb, y, dy);
  CHECK_D(v, sin(0.6) * 1.4 * 1.4);
  y[0] = 5.0; /* overwritten before the pullback runs */
  y[1] = -2.0;
  ct_pullback_apply(pb, 1.0);
  CHECK_D(dy[0], cos(0.6) * 1.4 * 1.4);
  CHECK_D(dy[1], 2.0 * sin(0.6) * 1.4);
  ct_pullback_free(pb);
  return check_summary("unchanged_memory");
}
