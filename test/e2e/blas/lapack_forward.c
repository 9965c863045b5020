/* LAPACKE in forward mode (ct_derivative, __enzyme_fwddiff): each case
 * builds matrices from one input array v with loops (padded leading
 * dimensions), factors or solves with LAPACKE, then returns a weighted loss
 * of every buffer written (factors left in A, its other triangle and
 * padding, the solutions, the eigenvalues and eigenvectors). Its
 * directional derivative along two directions is checked against central
 * differences (fourth order) of the same function (eigenvectors through
 * terms their signs do not change): potrf + potrs (both
 * triangles), posv, getrf + getrs (both transposes, rows pivoted), gesv,
 * trtrs (unit and non-unit diagonals), syev (jobz 'V' and 'N'), syevd, and
 * float (spotrf + spotrs, sgesv, ssyev). Row- and column-major. And a
 * Gaussian-process negative log marginal likelihood (kernel built by loops,
 * Cholesky, solve, log-determinant): its derivative along a direction of
 * the three hyperparameters, against differences and against the gradient
 * (reverse mode) dotted with that direction. */
#include "fd.h"

#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 4, NR = 2, LD = 6, NV = 64, NCASE = 16 };
extern double __enzyme_fwddiff(void *, ...);

static long at(int L, int i, int j, int ld) { return L == LAPACK_ROW_MAJOR ? (long)i * ld + j : i + (long)j * ld; }

/* the N x N matrix A (leading dimension LD) from v: kind 0 symmetric
 * positive definite, 1 dominant on the anti-diagonal (rows pivoted), 2
 * dominant on the diagonal, 3 symmetric with distinct eigenvalues */
static void fill(double *A, const double *v, int L, int kind) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double a = v[i * N + j];
      if (kind == 0) {
        a = i == j ? 2 : 0;
        for (int k = 0; k < N; ++k)
          a += v[i * N + k] * v[j * N + k] / 4;
      } else if (kind == 1) {
        a += i + j == N - 1 ? 3 : 0;
      } else if (kind == 2) {
        a += i == j ? 3 : 0;
      } else {
        a = (v[i * N + j] + v[j * N + i]) / 2 + (i == j ? 2.5 * i : 0);
      }
      A[at(L, i, j, LD)] = a;
    }
}

/* a loss of the eigenvectors (the columns of V, layout L) that does not
 * depend on their signs, which LAPACK may flip between nearby matrices:
 * sum_k (0.5 + k) (v_k . u)^2 */
static double eigvec_loss(const double *V, int L) {
  double s = 0;
  for (int k = 0; k < N; ++k) {
    double d = 0;
    for (int i = 0; i < N; ++i)
      d += V[at(L, i, k, LD)] * (1 + 0.5 * i);
    s += (0.5 + k) * d * d;
  }
  return s;
}

static double lapack_case(const double *v, int which) {
  const int L = which % 2 ? LAPACK_COL_MAJOR : LAPACK_ROW_MAJOR, ldb = L == LAPACK_ROW_MAJOR ? NR + 1 : N + 1;
  const long sb = L == LAPACK_ROW_MAJOR ? (long)N * ldb : (long)NR * ldb;
  double A[LD * N] = {0}, B[(N + 1) * N] = {0}, w[N] = {0}, s = 0;
  int ipiv[N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < NR; ++j)
      B[at(L, i, j, ldb)] = v[32 + i * NR + j];
  switch (which / 2) {
  case 0: /* Cholesky (lower), then a solve with it */
    fill(A, v, L, 0);
    LAPACKE_dpotrf(L, 'L', N, A, LD);
    LAPACKE_dpotrs(L, 'L', N, NR, A, LD, B, ldb);
    break;
  case 1: /* both in one (upper) */
    fill(A, v, L, 0);
    LAPACKE_dposv(L, 'U', N, NR, A, LD, B, ldb);
    break;
  case 2: /* LU with pivoting, solves with A and A^T */
    fill(A, v, L, 1);
    LAPACKE_dgetrf(L, N, N, A, LD, ipiv);
    LAPACKE_dgetrs(L, 'N', N, NR, A, LD, ipiv, B, ldb);
    LAPACKE_dgetrs(L, 'T', N, NR, A, LD, ipiv, B, ldb);
    break;
  case 3:
    fill(A, v + 16, L, 1);
    LAPACKE_dgesv(L, N, NR, A, LD, ipiv, B, ldb);
    break;
  case 4: /* triangular solves: lower transposed, upper with a unit diagonal */
    fill(A, v, L, 2);
    LAPACKE_dtrtrs(L, 'L', 'T', 'N', N, NR, A, LD, B, ldb);
    LAPACKE_dtrtrs(L, 'U', 'N', 'U', N, NR, A, LD, B, ldb);
    break;
  case 5: /* eigenvalues and eigenvectors; then an upper Cholesky */
    fill(A, v, L, 3);
    LAPACKE_dsyev(L, 'V', 'L', N, A, LD, w);
    s = fd_out_loss(w, N) + eigvec_loss(A, L);
    fill(A, v + 8, L, 0);
    LAPACKE_dpotrf(L, 'U', N, A, LD);
    LAPACKE_dpotrs(L, 'U', N, NR, A, LD, B, ldb);
    break;
  case 6: { /* eigenvalues alone (A destroyed: not in the loss), syevd */
    fill(A, v, L, 3);
    LAPACKE_dsyev(L, 'N', 'U', N, A, LD, w);
    s = fd_out_loss(w, N);
    fill(A, v + 16, L, 3);
    LAPACKE_dsyevd(L, 'V', 'U', N, A, LD, w);
    s += fd_out_loss(w, N) * 0.5 + eigvec_loss(A, L);
    memset(A, 0, sizeof A);
    break;
  }
  default: { /* float */
    float fa[LD * N] = {0}, fb[(N + 1) * N] = {0}, fw[N];
    fill(A, v, L, 0);
    for (int i = 0; i < LD * N; ++i)
      fa[i] = (float)A[i];
    for (long i = 0; i < sb; ++i)
      fb[i] = (float)B[i];
    LAPACKE_spotrf(L, 'L', N, fa, LD);
    LAPACKE_spotrs(L, 'L', N, NR, fa, LD, fb, ldb);
    for (int i = 0; i < N * NR; ++i)
      s += (1 + 0.1 * i) * fb[i];
    fill(A, v + 16, L, 1);
    for (int i = 0; i < LD * N; ++i)
      fa[i] = (float)A[i];
    LAPACKE_sgesv(L, N, NR, fa, LD, ipiv, fb, ldb);
    for (int i = 0; i < N * NR; ++i)
      s += (1 - 0.1 * i) * fb[i];
    fill(A, v + 8, L, 3);
    for (int i = 0; i < LD * N; ++i)
      fa[i] = (float)A[i];
    LAPACKE_ssyev(L, 'V', 'L', N, fa, LD, fw);
    for (int i = 0; i < N; ++i)
      s += (1 + 0.2 * i) * fw[i] + fa[at(L, i, 1, LD)] * fa[at(L, i, 1, LD)] * (1 + 0.1 * i);
    return s;
  }
  }
  return s + fd_out_loss(A, LD * N) + fd_out_loss(B, sb);
}

/* ---- a Gaussian process: negative log marginal likelihood ---- */

enum { NG = 24 };

/* theta = (log length scale, log signal variance, log noise variance) */
static double gp_nll(const double *theta, const double *x, const double *y, int n, int L) {
  double *K = malloc((size_t)n * n * sizeof *K), *a = malloc((size_t)n * sizeof *a);
  double ell = exp(theta[0]), sf2 = exp(theta[1]), sn2 = exp(theta[2]);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double d = (x[i] - x[j]) / ell;
      K[at(L, i, j, n)] = sf2 * exp(-0.5 * d * d) + (i == j ? sn2 : 0);
    }
  LAPACKE_dpotrf(L, 'L', n, K, n);
  memcpy(a, y, (size_t)n * sizeof *a);
  LAPACKE_dpotrs(L, 'L', n, 1, K, n, a, L == LAPACK_ROW_MAJOR ? 1 : n);
  double fit = 0, logdet = 0;
  for (int i = 0; i < n; ++i) {
    fit += y[i] * a[i];
    logdet += log(K[at(L, i, i, n)]);
  }
  free(K);
  free(a);
  return 0.5 * fit + logdet + 0.5 * n * 1.8378770664093453; /* log(2 pi) */
}

static void test_gp(int L) {
  double x[NG], y[NG], theta[3] = {log(0.7), log(1.3), log(0.05)}, dtheta[3] = {0.6, -0.3, 0.8}, w[3];
  double zx[NG] = {0}, zy[NG] = {0}, grad[3] = {0};
  for (int i = 0; i < NG; ++i)
    x[i] = -2 + 4.0 * i / (NG - 1), y[i] = sin(2 * x[i]) + 0.1 * cos(7 * x[i]);
  double got = ct_derivative(gp_nll, theta, dtheta, ct_const(x), ct_const(y), NG, L);
  double got_e = __enzyme_fwddiff((void *)gp_nll, theta, dtheta, x, zx, y, zy, NG, L);
  ct_gradient(gp_nll, theta, grad, ct_const(x), ct_const(y), NG, L);
  double f[4], h = 1e-4, rev = 0;
  for (int s = 0; s < 4; ++s) {
    for (int k = 0; k < 3; ++k)
      w[k] = theta[k] + (s < 2 ? s - 2 : s - 1) * h * dtheta[k];
    f[s] = gp_nll(w, x, y, NG, L);
  }
  for (int k = 0; k < 3; ++k)
    rev += grad[k] * dtheta[k];
  double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h);
  CHECK_SCALED(got, want, fmax(1.0, fabs(want)), 1e-6);
  CHECK_SCALED(got_e, want, fmax(1.0, fabs(want)), 1e-6);
  CHECK_SCALED(got, rev, fmax(1.0, fabs(rev)), 1e-9);
  for (int i = 0; i < NG; ++i) /* constant data: zero tangents in, nothing written */
    CHECK(zx[i] == 0 && zy[i] == 0);
}

int main(void) {
  double v[NV], dv[NV], w[NV];
  fd_fill(v, NV, 11);
  for (int which = 0; which < NCASE; ++which)
    for (int dir = 0; dir < 2; ++dir) {
      fd_fill(dv, NV, 300u + 2u * (unsigned)which + (unsigned)dir);
      double got =
          dir ? __enzyme_fwddiff((void *)lapack_case, v, dv, which) : ct_derivative(lapack_case, v, dv, which);
      int single = which >= 14;
      double f[4], h = single ? 1e-2 : 1e-4;
      for (int s = 0; s < 4; ++s) {
        for (int i = 0; i < NV; ++i)
          w[i] = v[i] + (s < 2 ? s - 2 : s - 1) * h * dv[i];
        f[s] = lapack_case(w, which);
      }
      double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h);
      double tol = single ? 2e-3 : 1e-7;
      ++check_count;
      if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want)))) {
        ++check_failures;
        fprintf(stderr, "FAILED case %d (group %d, layout %d) direction %d: got %.12g, want %.12g\n", which,
                which / 2, which % 2, dir, got, want);
      }
    }
  test_gp(LAPACK_ROW_MAJOR);
  test_gp(LAPACK_COL_MAJOR);
  return check_summary("lapack forward");
}
