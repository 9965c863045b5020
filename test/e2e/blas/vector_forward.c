/* BLAS and LAPACK calls in vector forward mode (ct_derivative_n,
 * __enzyme_fwddiff with enzyme_width): a function that runs cblas_dgemm
 * (an active beta), cblas_ddot (a result), cblas_dtrsv and cblas_dscal in
 * place, LAPACKE_dposv, LAPACKE_dgetrf + dgetrs, LAPACKE_dsyev and the
 * Fortran dpotrf_ on matrices built from one input array v, in both
 * layouts (the Fortran one through lapack.h's LAPACK_dpotrf). Its NDIR directional derivatives from one vector-mode run must
 * equal those of NDIR scalar runs (ct_derivative), each of which is
 * checked against central differences (fourth order); the value must be
 * the function's. Routines that overwrite their input in place must see
 * the same input in every direction. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 4, NV = 48, NDIR = 3 };
typedef struct {
  double d[NDIR];
} dirs;
extern dirs __enzyme_fwddiff(void *, ...);
extern int enzyme_width, enzyme_dupv;

static double chain(const double *v, int L) {
  double A[N * N], B[N * N], C[N * N], x[N], w[N], s = 0;
  int ipiv[N], n = N, info = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      A[i * N + j] = v[i * N + j] + (i == j ? 3 : 0);
      B[i * N + j] = v[16 + i * N + j];
      C[i * N + j] = v[32 + ((i + j) % 16)];
    }
  for (int i = 0; i < N; ++i)
    x[i] = v[i * 5 % NV];
  cblas_dgemm(L, CblasNoTrans, CblasTrans, N, N, N, v[0], A, N, B, N, v[1], C, N);
  s += cblas_ddot(N * N, C, 1, B, 1);
  cblas_dtrsv(L, CblasLower, CblasNoTrans, CblasNonUnit, N, A, N, x, 1);
  cblas_dscal(N, v[2], x, 1);
  for (int i = 0; i < N; ++i) /* B = A A^T + I: positive definite */
    for (int j = 0; j < N; ++j) {
      B[i * N + j] = i == j;
      for (int k = 0; k < N; ++k)
        B[i * N + j] += A[i * N + k] * A[j * N + k] / 8;
    }
  memcpy(C, B, sizeof C);
  LAPACKE_dposv(L, 'L', N, 1, B, N, x, L == CblasRowMajor ? 1 : N);
  LAPACKE_dgetrf(L, N, N, A, N, ipiv);
  LAPACKE_dgetrs(L, 'T', N, 1, A, N, ipiv, x, L == CblasRowMajor ? 1 : N);
  for (int i = 0; i < N; ++i) /* distinct eigenvalues */
    C[i * N + i] += 2 * i;
  memcpy(B, C, sizeof B);
  LAPACKE_dsyev(L, 'V', 'U', N, C, N, w);
  LAPACK_dpotrf("U", &n, B, &n, &info); /* dpotrf_, with the hidden string length */
  for (int i = 0; i < N; ++i)
    s += (1 + 0.2 * i) * w[i] + x[i] * (1 - 0.1 * i) + C[i * N + 1] * C[i * N + 1] + B[i * N + i];
  return s + fd_out_loss(A, N * N);
}

static void test(int L) {
  double v[NV], seed[NDIR][NV], d[NDIR], w[NV];
  fd_fill(v, NV, 21);
  for (int j = 0; j < NDIR; ++j)
    fd_fill(seed[j], NV, 31 + 7 * (unsigned)j + (unsigned)L);
  double value = ct_derivative_n(NDIR, chain, d, v, seed, sizeof seed[0], L);
  dirs e = __enzyme_fwddiff((void *)chain, enzyme_width, NDIR, enzyme_dupv, (int)sizeof seed[0], v, seed, L);
  CHECK_SCALED(value, chain(v, L), 1 + fabs(value), 1e-14);
  for (int j = 0; j < NDIR; ++j) {
    double one = ct_derivative(chain, v, seed[j], L), f[4], h = 1e-4;
    for (int s = 0; s < 4; ++s) {
      for (int i = 0; i < NV; ++i)
        w[i] = v[i] + (s < 2 ? s - 2 : s - 1) * h * seed[j][i];
      f[s] = chain(w, L);
    }
    double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h);
    CHECK_SCALED(one, want, fmax(1.0, fabs(want)), 1e-7);
    CHECK_SCALED(d[j], one, fmax(1.0, fabs(one)), 1e-12);
    CHECK_SCALED(e.d[j], one, fmax(1.0, fabs(one)), 1e-12);
  }
}

int main(void) {
  test(CblasRowMajor);
  test(CblasColMajor);
  return check_summary("blas vector forward");
}
