/* The blocked adjoint of LAPACKE_dpotrf (lib/lapack_api.h works on blocks
 * of 64): a factor of 150 x 150 (two full blocks and a partial one), both
 * layouts and triangles, with a padded leading dimension. The loss reads
 * the whole factor buffer, its log-determinant and a solve with dpotrs;
 * its gradient w.r.t. 120 elements of A spread over every block pair (the
 * diagonal, both triangles, the padding) is checked against central
 * differences of fourth order. */
#include "fd.h"

#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 150, LDA = N + 3, SA = N * LDA, NCHECK = 120 };

static double chol_loss(const double *A0, const double *b0, int L, char uplo) {
  double *A = malloc(SA * sizeof *A), *b = malloc(N * sizeof *b);
  memcpy(A, A0, SA * sizeof *A);
  memcpy(b, b0, N * sizeof *b);
  LAPACKE_dpotrf(L, uplo, N, A, LDA);
  LAPACKE_dpotrs(L, uplo, N, 1, A, LDA, b, L == LAPACK_ROW_MAJOR ? 1 : N);
  double s = fd_out_loss(b, N) + 0.5 * fd_out_loss(A, SA);
  for (int i = 0; i < N; ++i)
    s += 2 * log(A[(long)i * LDA + i]);
  free(A);
  free(b);
  return s;
}

static void test(int L, char uplo) {
  double *A = malloc(SA * sizeof *A), *dA = calloc(SA, sizeof *dA), b[N], db[N] = {0};
  fd_fill(A, SA, 71);
  fd_fill(b, N, 72);
  for (int i = 0; i < N; ++i) /* symmetric, dominant diagonal */
    for (int j = 0; j < i; ++j)
      A[(long)i * LDA + j] = A[(long)j * LDA + i];
  for (int i = 0; i < N; ++i)
    A[(long)i * LDA + i] += 0.1 * N;
  ct_gradient(chol_loss, A, dA, b, db, L, uplo);
  const double h = 1e-4; /* fourth order: the loss is ~1e4, its rounding over 1e-6 is not small */
  unsigned seed = 5;
  for (int k = 0; k < NCHECK; ++k) {
    seed = seed * 1103515245u + 12345u;
    long i = (long)((seed >> 8) % N), j = k % 4 == 0 ? i : (long)((seed >> 20) % LDA);
    double *x = &A[i * LDA + j], keep = *x, f[4];
    for (int s = 0; s < 4; ++s) { /* at -2h, -h, h, 2h */
      *x = keep + (s < 2 ? s - 2 : s - 1) * h;
      f[s] = chol_loss(A, b, L, uplo);
    }
    *x = keep;
    double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h), got = dA[i * LDA + j];
    ++check_count;
    if (!(fabs(got - want) <= 1e-6 * fmax(1.0, fabs(want)))) {
      ++check_failures;
      fprintf(stderr, "FAILED layout %d uplo %c: d/dA[%ld][%ld]: got %.12g, want %.12g\n", L, uplo, i, j, got, want);
    }
  }
  free(A);
  free(dA);
}

int main(void) {
  test(LAPACK_ROW_MAJOR, 'L');
  test(LAPACK_ROW_MAJOR, 'U');
  test(LAPACK_COL_MAJOR, 'L');
  test(LAPACK_COL_MAJOR, 'U');
  return check_summary("cholesky_blocked");
}
