/* The float routines (cblas_sgemm, ssyrk, sgemv, strsv, sdot, saxpy,
 * snrm2) against the same program in double, whose gradient is checked
 * against central differences; and the Fortran dgemm_ that C code calls
 * directly (column-major, every argument by address), against central
 * differences for each transpose pair. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <string.h>

#ifdef GEMM_TEST_LENGTHS /* gemm_fortran_lengths.c: gfortran's hidden string lengths, as blas.h declares it */
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *A, const int *lda, const double *B, const int *ldb, const double *beta, double *C,
            const int *ldc, size_t lta, size_t ltb);
#define GEMM_LENGTHS , 1, 1
#else
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *A, const int *lda, const double *B, const int *ldb, const double *beta, double *C,
            const int *ldc);
#define GEMM_LENGTHS
#endif

enum { M = 3, K = 4 };

/* a small network: h = W x (gemv), S = W W^T (syrk), z = solve(I + tril, h) */
#define NET(T, P, SQRT)                                                                                           \
  static T net_##P(const T *W, const T *x, const T *B, T alpha) {                                                  \
    T h[M], S[M * M] = {0}, G[M * M], L[M * M];                                                                    \
    cblas_##P##gemv(CblasRowMajor, CblasNoTrans, M, K, alpha, W, K, x, 1, 0, h, 1);                                \
    cblas_##P##syrk(CblasColMajor, CblasLower, CblasNoTrans, M, K, 1, W, M, 0, S, M);                              \
    cblas_##P##gemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, M, K, alpha, W, K, B, K, 0, G, M);                 \
    for (int i = 0; i < M * M; ++i)                                                                                \
      L[i] = (i % (M + 1) == 0 ? 3 : 0) + S[i] / 4;                                                                \
    cblas_##P##trsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, M, L, M, h, 1);                         \
    cblas_##P##axpy(M * M, (T)0.5, G, 1, S, 1);                                                                    \
    return cblas_##P##dot(M, h, 1, h, 1) + SQRT(cblas_##P##nrm2(M * M, S, 1)) + cblas_##P##dot(M * M, G, 1, S, 1); \
  }
NET(double, d, sqrt)
NET(float, s, sqrtf)

typedef struct {
  double *W, *x, *B, alpha;
} dcfg;
static double eval_net(void *p) {
  dcfg *c = p;
  return net_d(c->W, c->x, c->B, c->alpha);
}

static void test_single(void) {
  double W[M * K], x[K], B[M * K], dW[M * K] = {0}, dx[K] = {0}, dB[M * K] = {0};
  float Wf[M * K], xf[K], Bf[M * K], dWf[M * K] = {0}, dxf[K] = {0}, dBf[M * K] = {0}, daf = 0;
  fd_fill(W, M * K, 41), fd_fill(x, K, 42), fd_fill(B, M * K, 43);
  for (int i = 0; i < M * K; ++i)
    Wf[i] = (float)W[i], Bf[i] = (float)B[i];
  for (int i = 0; i < K; ++i)
    xf[i] = (float)x[i];
  dcfg c = {W, x, B, 0.75};
  fd_inputs in = {.narr = 3, .arr = {W, x, B}, .grad = {dW, dx, dB}, .size = {M * K, K, M * K}, .alpha = &c.alpha};
  ct_gradient(net_d, W, dW, x, dx, B, dB, c.alpha, &in.dalpha);
  fd_check("double network", eval_net, &c, &in, 1e-6);
  ct_gradient(net_s, Wf, dWf, xf, dxf, Bf, dBf, 0.75f, &daf);
  for (int i = 0; i < M * K; ++i) {
    CHECK_SCALED(dWf[i], dW[i], 1 + fabs(dW[i]), 1e-4);
    CHECK_SCALED(dBf[i], dB[i], 1 + fabs(dB[i]), 1e-4);
  }
  for (int i = 0; i < K; ++i)
    CHECK_SCALED(dxf[i], dx[i], 1 + fabs(dx[i]), 1e-4);
  CHECK_SCALED(daf, in.dalpha, 1 + fabs(in.dalpha), 1e-4);
}

/* C = alpha op(A) op(B) + beta C through the Fortran symbol */
static double fortran_loss(const double *A, const double *B, const double *C0, double alpha, int ta, int tb, int m,
                           int n, int k, int lda, int ldb, int ldc) {
  double *C = malloc((size_t)n * ldc * sizeof *C), beta = 0.5;
  memcpy(C, C0, (size_t)n * ldc * sizeof *C);
  char cta = ta ? 'T' : 'N', ctb = tb ? 't' : 'n';
  dgemm_(&cta, &ctb, &m, &n, &k, &alpha, A, &lda, B, &ldb, &beta, C, &ldc GEMM_LENGTHS);
  double s = fd_out_loss(C, (long)n * ldc);
  free(C);
  return s;
}

typedef struct {
  double *A, *B, *C, alpha;
  int ta, tb, lda, ldb;
} fcfg;
static double eval_fortran(void *p) {
  fcfg *c = p;
  return fortran_loss(c->A, c->B, c->C, c->alpha, c->ta, c->tb, 3, 2, 4, c->lda, c->ldb, 4);
}

static void test_fortran(int ta, int tb) {
  enum { m = 3, n = 2, k = 4, ldc = 4 };
  int lda = (ta ? k : m) + 1, ldb = (tb ? n : k) + 2;
  long sa = (long)lda * (ta ? m : k), sb = (long)ldb * (tb ? k : n), sc = (long)ldc * n;
  fcfg c = {malloc((size_t)sa * 8), malloc((size_t)sb * 8), malloc((size_t)sc * 8), 1.25, ta, tb, lda, ldb};
  fd_fill(c.A, sa, 51), fd_fill(c.B, sb, 52), fd_fill(c.C, sc, 53);
  fd_inputs in = {.narr = 3, .arr = {c.A, c.B, c.C}, .size = {sa, sb, sc}, .alpha = &c.alpha};
  for (int a = 0; a < 3; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(fortran_loss, c.A, in.grad[0], c.B, in.grad[1], c.C, in.grad[2], c.alpha, &in.dalpha, ta, tb, m, n, k,
              lda, ldb, ldc);
  char what[32];
  snprintf(what, sizeof what, "dgemm_ %c%c", ta ? 'T' : 'N', tb ? 'T' : 'N');
  fd_check(what, eval_fortran, &c, &in, 1e-6);
  for (int a = 0; a < 3; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

int main(void) {
  test_single();
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      test_fortran(ta, tb);
  return check_summary("blas single and fortran");
}
