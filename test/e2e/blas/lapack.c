/* LAPACKE_dposv, dpotrf + dpotrs, dgesv, dgetrf + dgetrs (both
 * transposes), dtrtrs: gradients of a loss of the solution, of the factors
 * left in A (a log-determinant from the Cholesky or LU diagonal, and the
 * whole buffer, unreferenced triangle and padding included) with respect to
 * every element of A and B, against central differences, for both
 * layouts, both triangles and padded leading dimensions. */
#include "fd.h"

#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 4, NRHS = 2 };

static double *work(const double *src, long n) {
  double *w = malloc((size_t)n * sizeof *w);
  memcpy(w, src, (size_t)n * sizeof *w);
  return w;
}

/* sum of log |diagonal| of an n x n factor (leading dimension ld) */
static double log_diag(const double *F, int n, int ld) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += log(fabs(F[(long)i * ld + i]));
  return s;
}

/* which: 0 posv, 1 potrf + potrs, 2 gesv, 3 getrf + getrs N, 4 getrf +
 * getrs T, 5 trtrs */
static double solve_loss(const double *A0, const double *B0, int L, char uplo, int which, int lda, int ldb, long sa,
                         long sb) {
  double *A = work(A0, sa), *B = work(B0, sb);
  int *ipiv = malloc(N * sizeof *ipiv);
  switch (which) {
  case 0:
    LAPACKE_dposv(L, uplo, N, NRHS, A, lda, B, ldb);
    break;
  case 1:
    LAPACKE_dpotrf(L, uplo, N, A, lda);
    LAPACKE_dpotrs(L, uplo, N, NRHS, A, lda, B, ldb);
    break;
  case 2:
    LAPACKE_dgesv(L, N, NRHS, A, lda, ipiv, B, ldb);
    break;
  case 3:
  case 4:
    LAPACKE_dgetrf(L, N, N, A, lda, ipiv);
    LAPACKE_dgetrs(L, which == 3 ? 'N' : 'T', N, NRHS, A, lda, ipiv, B, ldb);
    break;
  default:
    LAPACKE_dtrtrs(L, uplo, uplo == 'L' ? 'T' : 'N', 'N', N, NRHS, A, lda, B, ldb);
  }
  double s = fd_out_loss(B, sb) + 0.5 * fd_out_loss(A, sa) + 2 * log_diag(A, N, lda);
  free(A);
  free(B);
  free(ipiv);
  return s;
}

typedef struct {
  double *A, *B;
  int L, which, lda, ldb;
  char uplo;
  long sa, sb;
} cfg;
static double eval(void *p) {
  cfg *c = p;
  return solve_loss(c->A, c->B, c->L, c->uplo, c->which, c->lda, c->ldb, c->sa, c->sb);
}

static void test(int L, char uplo, int which) {
  cfg c = {.L = L, .uplo = uplo, .which = which, .lda = N + 2};
  c.ldb = (L == LAPACK_ROW_MAJOR ? NRHS : N) + 1;
  c.sa = (long)N * c.lda, c.sb = (long)(L == LAPACK_ROW_MAJOR ? N : NRHS) * c.ldb;
  c.A = malloc((size_t)c.sa * sizeof(double)), c.B = malloc((size_t)c.sb * sizeof(double));
  fd_fill(c.A, c.sa, 61), fd_fill(c.B, c.sb, 62);
  if (which <= 1) /* symmetric positive definite */
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < i; ++j)
        c.A[(long)i * c.lda + j] = c.A[(long)j * c.lda + i];
  if (which >= 2 && which <= 4) /* dominant on the anti-diagonal: rows get pivoted */
    for (int i = 0; i < N; ++i)
      c.A[(long)i * c.lda + (N - 1 - i)] += N + 2;
  else
    fd_diag_boost(c.A, N, c.lda);
  fd_inputs in = {.narr = 2, .arr = {c.A, c.B}, .size = {c.sa, c.sb}};
  for (int a = 0; a < 2; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(solve_loss, c.A, in.grad[0], c.B, in.grad[1], L, uplo, which, c.lda, c.ldb, c.sa, c.sb);
  static const char *const names[] = {"dposv", "dpotrf+dpotrs", "dgesv", "dgetrf+dgetrs N", "dgetrf+dgetrs T",
                                      "dtrtrs"};
  char what[64];
  snprintf(what, sizeof what, "%s layout %d uplo %c", names[which], L, uplo);
  fd_check(what, eval, &c, &in, 1e-6);
  for (int a = 0; a < 2; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

int main(void) {
  static const int layouts[2] = {LAPACK_ROW_MAJOR, LAPACK_COL_MAJOR};
  for (int l = 0; l < 2; ++l)
    for (int u = 0; u < 2; ++u)
      for (int w = 0; w < 6; ++w)
        test(layouts[l], u ? 'L' : 'U', w);
  return check_summary("lapack");
}
