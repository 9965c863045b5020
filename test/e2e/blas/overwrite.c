/* Arrays a BLAS/LAPACK adjoint reads that the program overwrites after the
 * call are copied onto the tape (sized from the call's dimensions, leading
 * dimension and stride), and in-place routines get their old contents:
 *  - a recurrent cell x <- tanh(W x) (cblas_dgemv on a padded W, strided x,
 *    then the loop overwrites x), several steps;
 *  - B <- A B repeated in place (cblas_dtrmm) and solved back (cblas_dtrsm),
 *    each step overwriting what the previous one's adjoint reads;
 *  - a Cholesky factor reused, then overwritten by the next factorization.
 * Gradients against central differences. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 4, LDW = 6, INC = 2, STEPS = 3 };

static double rnn(const double *W, const double *x0) {
  double *x = malloc(N * INC * sizeof *x), *y = malloc(N * sizeof *y);
  memcpy(x, x0, N * INC * sizeof *x);
  for (int t = 0; t < STEPS; ++t) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, N, N, 0.9, W, LDW, x, INC, 0.0, y, 1);
    for (int i = 0; i < N; ++i)
      x[i * INC] = tanh(y[i]) + 0.1 * x[i * INC];
  }
  double s = fd_out_loss(x, N * INC);
  free(x);
  free(y);
  return s;
}

static double tri_steps(const double *A, const double *B0) {
  double *B = malloc(N * 3 * sizeof *B);
  memcpy(B, B0, N * 3 * sizeof *B);
  for (int t = 0; t < STEPS; ++t) {
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, N, 3, 0.5, A, LDW, B, N);
    for (int i = 0; i < N * 3; ++i)
      B[i] = sin(B[i]);
    cblas_dtrsm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasUnit, N, 3, 1.0, A, LDW, B, N);
  }
  double s = fd_out_loss(B, N * 3);
  free(B);
  return s;
}

static double chol_steps(const double *S, const double *b0) {
  double *A = malloc(N * N * sizeof *A), *b = malloc(N * sizeof *b), s = 0;
  memcpy(b, b0, N * sizeof *b);
  for (int t = 0; t < STEPS; ++t) {
    for (int i = 0; i < N * N; ++i) /* overwrites the previous factor */
      A[i] = S[i] * (1 + 0.1 * t);
    LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', N, A, N);
    LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', N, 1, A, N, b, N);
    for (int i = 0; i < N; ++i)
      s += log(A[i * N + i]) + b[i] * b[i];
  }
  free(A);
  free(b);
  return s;
}

static double *Wp, *xp;
static double eval_rnn(void *p) { return (void)p, rnn(Wp, xp); }
static double eval_tri(void *p) { return (void)p, tri_steps(Wp, xp); }
static double eval_chol(void *p) { return (void)p, chol_steps(Wp, xp); }

int main(void) {
  double W[N * LDW], x[N * INC], dW[N * LDW] = {0}, dx[N * INC] = {0};
  fd_fill(W, N * LDW, 91), fd_fill(x, N * INC, 92);
  Wp = W, xp = x;
  ct_gradient(rnn, W, dW, x, dx);
  fd_inputs in = {.narr = 2, .arr = {W, x}, .grad = {dW, dx}, .size = {N * LDW, N * INC}};
  fd_check("recurrent dgemv", eval_rnn, NULL, &in, 1e-6);

  double A[N * LDW], B[N * 3], dA[N * LDW] = {0}, dB[N * 3] = {0};
  fd_fill(A, N * LDW, 93), fd_fill(B, N * 3, 94);
  fd_diag_boost(A, N, LDW);
  Wp = A, xp = B;
  ct_gradient(tri_steps, A, dA, B, dB);
  fd_inputs in2 = {.narr = 2, .arr = {A, B}, .grad = {dA, dB}, .size = {N * LDW, N * 3}};
  fd_check("dtrmm/dtrsm steps", eval_tri, NULL, &in2, 1e-6);

  double S[N * N], b[N], dS[N * N] = {0}, db[N] = {0};
  fd_fill(S, N * N, 95), fd_fill(b, N, 96);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < i; ++j)
      S[i * N + j] = S[j * N + i];
  fd_diag_boost(S, N, N);
  Wp = S, xp = b;
  ct_gradient(chol_steps, S, dS, b, db);
  fd_inputs in3 = {.narr = 2, .arr = {S, b}, .grad = {dS, db}, .size = {N * N, N}};
  fd_check("dpotrf/dpotrs steps", eval_chol, NULL, &in3, 1e-6);
  return check_summary("blas overwrite");
}
