/* The adjoints of the LAPACKE routines Cotangent differentiates
 * (pass/blas.c names them for each call): the double and float instances
 * of lapack_api.h. */
#include "blas.h"

#include <lapacke.h>
#include <math.h>

void __ct_blas_cblas_dtrsm(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                           double alpha, const double *A, int lda, double *B, int ldb, double *dalpha, double *dA,
                           double *dB);
void __ct_blas_cblas_strsm(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                           float alpha, const float *A, int lda, float *B, int ldb, float *dalpha, float *dA,
                           float *dB);

#define BT double
#define BX(n) cblas_d##n
#define LX(n) LAPACKE_d##n
#define BH(n) ct_lapack_d_##n
#define BPB(n) __ct_blas_LAPACKE_d##n
#define BEX(n) __ct_blas_LAPACKE_d##n##_extent
#define TRSM_PB __ct_blas_cblas_dtrsm
#include "lapack_api.h"
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
#include "lapack_api.h"
