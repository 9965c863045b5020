/* Joins after an if without else, and after a loop's zero-trip guard: the
 * reverse pass tells which way the forward pass came by recomputing the
 * branch condition (from induction variables and arguments), so these loops
 * keep nothing on the tape. Gradients are checked against their analytic
 * values, and the peak tape size (runtime counter) must stay zero; a case
 * whose condition reads overwritten memory must still be right. */
#include "check.h"

#include <cotangent.h>
#include <stddef.h>

size_t ct_runtime_peak_tape_bytes(void);
void ct_runtime_reset_peak_tape_bytes(void);

#define N 12

/* odd i: x_i^3, else 2 x_i */
static double if_without_else(const double *x, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    double t = 2.0 * x[i];
    if (i & 1)
      t = x[i] * x[i] * x[i];
    s += t;
  }
  return s;
}

/* a triangular loop nest: row j runs r = j+1 .. n-1 (none for the last) */
static double triangle(const double *x, int n) {
  double s = 0.0;
  for (int j = 0; j < n; j++)
    for (int r = j + 1; r < n; r++)
      s += x[j] * x[r] * x[r];
  return s;
}

/* the condition reads memory the loop overwrites: it cannot be recomputed
   (b = x, then b_i > 0 ? b_{i+1} = b_{i+1} b_i : nothing) */
static double data_dependent(const double *x, double *b, int n) {
  for (int i = 0; i < n; i++)
    b[i] = x[i];
  double s = 0.0;
  for (int i = 0; i + 1 < n; i++) {
    if (b[i] > 0.0)
      b[i + 1] = b[i + 1] * b[i];
    s += b[i + 1];
  }
  return s;
}

int main(void) {
  double x[N], dx[N];
  for (int i = 0; i < N; i++)
    x[i] = 0.2 + 0.1 * i - (i % 3) * 0.35;

  for (int i = 0; i < N; i++)
    dx[i] = 0.0;
  ct_runtime_reset_peak_tape_bytes();
  ct_gradient(if_without_else, x, dx, N);
  CHECK(ct_runtime_peak_tape_bytes() == 0);
  for (int i = 0; i < N; i++)
    CHECK_AT_D("if_without_else", i, dx[i], (i & 1) ? 3.0 * x[i] * x[i] : 2.0);

  for (int i = 0; i < N; i++)
    dx[i] = 0.0;
  ct_runtime_reset_peak_tape_bytes();
  ct_gradient(triangle, x, dx, N);
  CHECK(ct_runtime_peak_tape_bytes() == 0);
  for (int k = 0; k < N; k++) {
    double want = 0.0; /* d/dx_k of sum_{j<r} x_j x_r^2 */
    for (int r = k + 1; r < N; r++)
      want += x[r] * x[r];
    for (int j = 0; j < k; j++)
      want += 2.0 * x[j] * x[k];
    CHECK_AT_TOL("triangle", k, dx[k], want, 1e-12);
  }

  /* forward mode by hand for the data-dependent case */
  double b[N], db[N] = {0}, ref[N];
  for (int i = 0; i < N; i++)
    dx[i] = 0.0;
  ct_gradient(data_dependent, x, dx, b, db, N);
  for (int k = 0; k < N; k++) {
    double v[N], dv[N], ds = 0.0;
    for (int i = 0; i < N; i++) {
      v[i] = x[i];
      dv[i] = i == k;
    }
    for (int i = 0; i + 1 < N; i++) {
      if (v[i] > 0.0) {
        dv[i + 1] = dv[i + 1] * v[i] + v[i + 1] * dv[i];
        v[i + 1] = v[i + 1] * v[i];
      }
      ds += dv[i + 1];
    }
    ref[k] = ds;
    CHECK_AT_TOL("data_dependent", k, dx[k], ref[k], 1e-12);
  }
  return check_summary("branch_guards");
}
