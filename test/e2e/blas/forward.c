/* BLAS in forward mode (ct_derivative, __enzyme_fwddiff): each case runs
 * routines of one level on matrices and vectors cut from one input array
 * v (scalars alpha, beta, c, s taken from v too, so that their tangents
 * count), then a weighted loss of everything written. Its directional
 * derivative along two directions is checked against central differences
 * (fourth order) of the same function: level 1 (dot, nrm2, asum, axpy,
 * scal, copy, swap, rot), level 2 (gemv both transposes, symv, trmv and
 * trsv with unit and non-unit diagonals, ger), level 3 (gemm with an
 * active beta, symm, syrk, trmm and trsm on both sides), the Fortran
 * dgemm_, and float (sgemm, sdot). Row- and column-major. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <string.h>

enum { NV = 96, M = 4, NCASE = 14 };
extern double __enzyme_fwddiff(void *, ...);
extern void dgemm_(const char *, const char *, const int *, const int *, const int *, const double *, const double *,
                   const int *, const double *, const int *, const double *, double *, const int *);

/* a well-conditioned M x M matrix from v (its diagonal boosted) */
static void mat(double *A, const double *v, int boost) {
  for (int i = 0; i < M * M; ++i)
    A[i] = v[i];
  if (boost)
    for (int i = 0; i < M; ++i)
      A[i * M + i] += 4;
}

static double blas_case(const double *v, int which) {
  double A[M * M], B[M * M], C[M * M], x[M], y[M];
  mat(A, v, 1);
  mat(B, v + 16, 1);
  mat(C, v + 32, 0);
  memcpy(x, v + 48, sizeof x);
  memcpy(y, v + 52, sizeof y);
  double alpha = v[56], beta = v[57], s = 0;
  const CBLAS_LAYOUT L = which % 2 ? CblasColMajor : CblasRowMajor;
  switch (which / 2) {
  case 0: /* level 1, reductions and in-place updates */
    s = cblas_ddot(M, x, 1, y, 1) + cblas_dnrm2(M, x, 1) + cblas_dasum(M, y, 1);
    cblas_daxpy(M, alpha, x, 1, y, 1);
    cblas_dscal(M, beta, x, 1);
    break;
  case 1: { /* level 1, moves and rotations (strides 2 and -1) */
    double c = cos(alpha), sn = sin(alpha);
    cblas_drot(2, x, 2, y, -1, c, sn);
    cblas_dswap(M, x, 1, y, 1);
    cblas_dcopy(2, x, 1, C, 3);
    break;
  }
  case 2: /* gemv both transposes, symv */
    cblas_dgemv(L, CblasNoTrans, M, M, alpha, A, M, x, 1, beta, y, 1);
    cblas_dgemv(L, CblasTrans, M, 2, beta, C, M, y, -1, alpha, x, 2);
    cblas_dsymv(L, CblasLower, M, alpha, B, M, x, 1, 0.5, y, 1);
    break;
  case 3: /* triangular products and solves, rank one */
    cblas_dtrmv(L, CblasLower, CblasNoTrans, CblasUnit, M, A, M, x, 1);
    cblas_dtrmv(L, CblasUpper, CblasTrans, CblasNonUnit, M, B, M, y, 1);
    cblas_dtrsv(L, CblasUpper, CblasNoTrans, CblasNonUnit, M, A, M, x, 1);
    cblas_dtrsv(L, CblasLower, CblasTrans, CblasUnit, M, B, M, y, -1);
    cblas_dger(L, M, M, alpha, x, 1, y, 1, C, M);
    break;
  case 4: /* gemm (an active beta), symm, syrk */
    cblas_dgemm(L, CblasTrans, CblasNoTrans, M, M, M, alpha, A, M, B, M, beta, C, M);
    cblas_dsymm(L, CblasRight, CblasUpper, M, M, beta, A, M, C, M, alpha, B, M);
    cblas_dsyrk(L, CblasLower, CblasTrans, M, 2, alpha, C, M, beta, A, M);
    break;
  case 5: /* triangular matrix products and solves on both sides */
    cblas_dtrmm(L, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, M, M, alpha, A, M, C, M);
    cblas_dtrsm(L, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, M, M, beta, B, M, C, M);
    cblas_dtrmm(L, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, M, M, beta, B, M, A, M);
    cblas_dtrsm(L, CblasLeft, CblasLower, CblasTrans, CblasUnit, M, M, alpha, A, M, B, M);
    break;
  default: { /* Fortran dgemm_, and float */
    const int m = M, k = 2;
    dgemm_("N", "T", &m, &m, &k, &alpha, A, &m, B, &m, &beta, C, &m);
    float fa[M * M], fb[M * M], fc[M * M] = {0};
    for (int i = 0; i < M * M; ++i)
      fa[i] = (float)A[i], fb[i] = (float)(B[i] * C[i]);
    cblas_sgemm(L, CblasNoTrans, CblasNoTrans, M, M, M, (float)alpha, fa, M, fb, M, 0, fc, M);
    s = cblas_sdot(M * M, fc, 1, fb, 1) * 1e-2;
  }
  }
  return s + fd_out_loss(A, M * M) + fd_out_loss(B, M * M) + fd_out_loss(C, M * M) + fd_out_loss(x, M) +
         fd_out_loss(y, M);
}

int main(void) {
  double v[NV], dv[NV], w[NV];
  fd_fill(v, NV, 7);
  for (int which = 0; which < NCASE; ++which)
    for (int dir = 0; dir < 2; ++dir) {
      fd_fill(dv, NV, 100u + 2u * (unsigned)which + (unsigned)dir);
      double got = dir ? __enzyme_fwddiff((void *)blas_case, v, dv, which) : ct_derivative(blas_case, v, dv, which);
      double f[4], h = which >= 12 ? 1e-3 : 1e-4; /* float: a larger step */
      for (int s = 0; s < 4; ++s) {
        for (int i = 0; i < NV; ++i)
          w[i] = v[i] + (s < 2 ? s - 2 : s - 1) * h * dv[i];
        f[s] = blas_case(w, which);
      }
      double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h);
      double tol = which >= 12 ? 1e-4 : 1e-7;
      ++check_count;
      if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want)))) {
        ++check_failures;
        fprintf(stderr, "FAILED case %d (level group %d, layout %d) direction %d: got %.12g, want %.12g\n", which,
                which / 2, which % 2, dir, got, want);
      }
    }
  return check_summary("blas forward");
}
