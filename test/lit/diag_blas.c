// BLAS and LAPACK calls Cotangent does not differentiate are compile errors
// that name the call and say why (with and without -g): a routine on complex
// numbers, a real routine outside the table (cblas_dsyr2k, LAPACKE_dgels),
// a Fortran dgemm_ declared with one string length (neither the standard
// interface nor gfortran's two hidden lengths, which work), a
// beta that carries a derivative (its adjoint needs the overwritten output),
// and a routine outside the table in forward mode (LAPACKE_dgels); a
// LAPACKE routine of the table in forward mode (LAPACKE_dpotrf) compiles.
// REQUIRES: blas
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cblas.h>
#include <cotangent.h>
#include <lapacke.h>

double complex_gemm(double *A, double *B, double *C) {
  double one[2] = {1, 0}, zero[2] = {0, 0};
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'complex_gemm': call to 'cblas_zgemm' has no derivative; a BLAS/LAPACK routine on complex numbers: Cotangent differentiates the real (d and s) routines listed in the README's 'BLAS and LAPACK' section
  cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, one, A, 2, B, 2, zero, C, 2);
  return C[0];
}

double rank2k(double *A, double *B, double *C) {
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'rank2k': call to 'cblas_dsyr2k' has no derivative; a BLAS/LAPACK routine Cotangent has no derivative for: the routines it differentiates are listed in the README's 'BLAS and LAPACK' section
  cblas_dsyr2k(CblasRowMajor, CblasLower, CblasNoTrans, 2, 2, 1.0, A, 2, B, 2, 0.0, C, 2);
  return C[0];
}

double least_squares(double *A, double *w) {
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'least_squares': call to 'LAPACKE_dgels' has no derivative; a BLAS/LAPACK routine Cotangent has no derivative for
  LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', 3, 2, 1, A, 2, w, 1);
  return w[0];
}

double active_beta(double *A, double *x, double *y, double beta) {
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'active_beta': call to 'cblas_dgemv' passes a beta that depends on the differentiated inputs to a BLAS routine; Cotangent differentiates BLAS calls with respect to alpha and the arrays, not beta
  cblas_dgemv(CblasRowMajor, CblasNoTrans, 2, 2, 1.0, A, 2, x, 1, beta, y, 1);
  return y[0] + y[1];
}

void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *A, const int *lda, const double *B, const int *ldb, const double *beta, double *C,
            const int *ldc, long lta);

double fortran_lengths(double *A, double *C) {
  int n = 2;
  double one = 1, zero = 0;
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'fortran_lengths': call to 'dgemm_' has no derivative; a BLAS/LAPACK routine declared with other parameters than the standard interface
  dgemm_("N", "N", &n, &n, &n, &one, A, &n, A, &n, &zero, C, &n, 1);
  return C[0];
}

double factor_forward(double *A) {
  LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', 2, A, 2); // forward mode: a tangent in the runtime, no error
  return A[0];
}

double least_squares_forward(double *A, double *w) {
  // CHECK-DAG: diag_blas.c:[[@LINE+1]]:3: error: cannot differentiate 'least_squares_forward': call to 'LAPACKE_dgels' has no derivative; a BLAS/LAPACK routine Cotangent has no derivative for
  LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', 3, 2, 1, A, 3, w, 3);
  return w[0];
}

void grads(double *A, double *dA, double *B, double *dB, double *C, double *dC, double *x, double *dx, double *w,
           double *dw) {
  ct_gradient(complex_gemm, A, dA, B, dB, C, dC);
  ct_gradient(rank2k, A, dA, B, dB, C, dC);
  ct_gradient(least_squares, A, dA, w, dw);
  double db = 0;
  ct_gradient(active_beta, A, dA, x, dx, w, dw, 0.5, &db);
  ct_gradient(fortran_lengths, A, dA, C, dC);
  ct_derivative(factor_forward, A, dA);
  ct_derivative(least_squares_forward, A, dA, w, dw);
}
// CHECK: 6 errors generated.
