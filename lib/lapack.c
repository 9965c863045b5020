/* The adjoints and tangents of the LAPACKE routines and Fortran LAPACK
 * symbols Cotangent differentiates (pass/blas.c names them for each call):
 * the double and float instances of lapack_api.h (adjoints),
 * lapack_forward_api.h (tangents) and lapack_fortran_api.h (the Fortran
 * symbols' adjoints and tangents). */
#include "blas.h"

#include <lapacke.h>
#include <math.h>

void __ct_blas_cblas_dtrsm(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                           double alpha, const double *A, int lda, double *B, int ldb, double *dalpha, double *dA,
                           double *dB);
void __ct_blas_cblas_strsm(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                           float alpha, const float *A, int lda, float *B, int ldb, float *dalpha, float *dA,
                           float *dB);

/* What a forward derivative of a LAPACKE routine returns: its info, and a
 * tangent of 0 (as a C struct of two ints, 8 bytes in one register) */
typedef struct {
  lapack_int v, d;
} ct_lapack_i2;
#define LI2 ct_lapack_i2

#define BT double
#define BX(n) cblas_d##n
#define LX(n) LAPACKE_d##n
#define BH(n) ct_lapack_d_##n
#define BPB(n) __ct_blas_LAPACKE_d##n
#define BEX(n) __ct_blas_LAPACKE_d##n##_extent
#define TRSM_PB __ct_blas_cblas_dtrsm
#define LFW(n) __ct_blas_fwd_LAPACKE_d##n
#define FX(n) LAPACK_d##n
#include "lapack_api.h"
#include "lapack_forward_api.h"
#include "lapack_fortran_api.h"
#undef LFW
#undef FX
#undef BT
#undef BX
#undef LX
#undef BH
#undef BPB
#undef BEX
#undef TRSM_PB

#define BT float
#define BX(n) cblas_s##n
#define LX(n) LAPACKE_s##n
#define BH(n) ct_lapack_s_##n
#define BPB(n) __ct_blas_LAPACKE_s##n
#define BEX(n) __ct_blas_LAPACKE_s##n##_extent
#define TRSM_PB __ct_blas_cblas_strsm
#define LFW(n) __ct_blas_fwd_LAPACKE_s##n
#define FX(n) LAPACK_s##n
#include "lapack_api.h"
#include "lapack_forward_api.h"
#include "lapack_fortran_api.h"
