/* cblas_dgemm, dsymm, dsyrk, dtrmm, dtrsm: the gradient of a loss of the
 * output (through malloc'd work copies, as user code writes it) with
 * respect to every input array element and alpha, against central
 * differences, for both layouts, every transpose/side/triangle/diagonal
 * choice, and leading dimensions larger than the matrices (padding that
 * the routine never touches). */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <string.h>

static const double BETA = 0.75;

typedef struct {
  int L, o1, o2, o3, o4; /* layout and the routine's option enums */
  int m, n, k, lda, ldb, ldc;
  long sa, sb, sc;
  double *A, *B, *C, alpha;
} cfg;

static double *work(const double *src, long n) {
  double *w = malloc((size_t)n * sizeof *w);
  memcpy(w, src, (size_t)n * sizeof *w);
  return w;
}

static double gemm_loss(const double *A, const double *B, const double *C0, double alpha, int L, int ta, int tb, int m,
                        int n, int k, int lda, int ldb, int ldc, long sc) {
  double *C = work(C0, sc);
  cblas_dgemm((CBLAS_LAYOUT)L, (CBLAS_TRANSPOSE)ta, (CBLAS_TRANSPOSE)tb, m, n, k, alpha, A, lda, B, ldb, BETA,
              C, ldc);
  double s = fd_out_loss(C, sc);
  free(C);
  return s;
}

static double symm_loss(const double *A, const double *B, const double *C0, double alpha, int L, int side, int uplo,
                        int m, int n,
                        int lda, int ldb, int ldc, long sc) {
  double *C = work(C0, sc);
  cblas_dsymm((CBLAS_LAYOUT)L, (CBLAS_SIDE)side, (CBLAS_UPLO)uplo, m, n, alpha, A, lda, B, ldb, BETA, C, ldc);
  double s = fd_out_loss(C, sc);
  free(C);
  return s;
}

static double syrk_loss(const double *A, const double *C0, double alpha, int L, int uplo, int t, int n, int k, int lda, int ldc,
                        long sc) {
  double *C = work(C0, sc);
  cblas_dsyrk((CBLAS_LAYOUT)L, (CBLAS_UPLO)uplo, (CBLAS_TRANSPOSE)t, n, k, alpha, A, lda, BETA, C, ldc);
  double s = fd_out_loss(C, sc);
  free(C);
  return s;
}

/* trmm then trsm with the same options: B = alpha op(A) B, and solving it
 * back with another alpha (each checked alone below as well) */
static double tr_loss(const double *A, const double *B0, double alpha, int L, int side, int uplo, int t, int diag,
                      int m, int n, int lda, int ldb,
                      long sb, int which) {
  double *B = work(B0, sb);
  if (which & 1)
    cblas_dtrmm((CBLAS_LAYOUT)L, (CBLAS_SIDE)side, (CBLAS_UPLO)uplo, (CBLAS_TRANSPOSE)t, (CBLAS_DIAG)diag, m,
                n, alpha, A, lda, B, ldb);
  if (which & 2)
    cblas_dtrsm((CBLAS_LAYOUT)L, (CBLAS_SIDE)side, (CBLAS_UPLO)uplo, (CBLAS_TRANSPOSE)t, (CBLAS_DIAG)diag, m,
                n, alpha * 0.5 + 0.25, A, lda, B, ldb);
  double s = fd_out_loss(B, sb);
  free(B);
  return s;
}

static cfg C_;
static int which_;
static double eval_gemm(void *p) {
  cfg *c = p;
  return gemm_loss(c->A, c->B, c->C, c->alpha, c->L, c->o1, c->o2, c->m, c->n, c->k, c->lda, c->ldb, c->ldc, c->sc);
}
static double eval_symm(void *p) {
  cfg *c = p;
  return symm_loss(c->A, c->B, c->C, c->alpha, c->L, c->o1, c->o2, c->m, c->n, c->lda, c->ldb, c->ldc, c->sc);
}
static double eval_syrk(void *p) {
  cfg *c = p;
  return syrk_loss(c->A, c->C, c->alpha, c->L, c->o1, c->o2, c->n, c->k, c->lda, c->ldc, c->sc);
}
static double eval_tr(void *p) {
  cfg *c = p;
  return tr_loss(c->A, c->B, c->alpha, c->L, c->o1, c->o2, c->o3, c->o4, c->m, c->n, c->lda, c->ldb, c->sb, which_);
}

/* rows x cols in layout L with `pad` extra in the leading dimension */
static int ld_of(int L, int rows, int cols, int pad) { return (L == CblasRowMajor ? cols : rows) + pad; }
static long size_of(int L, int rows, int cols, int ld) { return (long)(L == CblasRowMajor ? rows : cols) * ld; }

static double *mat(long n, unsigned seed) {
  double *x = malloc((size_t)n * sizeof *x);
  fd_fill(x, n, seed);
  return x;
}

static void test_gemm(int L, int ta, int tb) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = ta, .o2 = tb, .m = 3, .n = 4, .k = 2, .alpha = 1.3};
  int ar = ta == CblasNoTrans ? c->m : c->k, ac = ta == CblasNoTrans ? c->k : c->m;
  int br = tb == CblasNoTrans ? c->k : c->n, bc = tb == CblasNoTrans ? c->n : c->k;
  c->lda = ld_of(L, ar, ac, 2), c->ldb = ld_of(L, br, bc, 1), c->ldc = ld_of(L, c->m, c->n, 3);
  c->sa = size_of(L, ar, ac, c->lda), c->sb = size_of(L, br, bc, c->ldb), c->sc = size_of(L, c->m, c->n, c->ldc);
  c->A = mat(c->sa, 1), c->B = mat(c->sb, 2), c->C = mat(c->sc, 3);
  fd_inputs in = {.narr = 3, .arr = {c->A, c->B, c->C}, .size = {c->sa, c->sb, c->sc}, .alpha = &c->alpha};
  for (int a = 0; a < 3; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(gemm_loss, c->A, in.grad[0], c->B, in.grad[1], c->C, in.grad[2], c->alpha, &in.dalpha, c->L, c->o1, c->o2, c->m, c->n,
              c->k, c->lda, c->ldb, c->ldc, c->sc);
  char what[64];
  snprintf(what, sizeof what, "dgemm L%d A%d B%d", L, ta, tb);
  fd_check(what, eval_gemm, c, &in, 1e-6);
  for (int a = 0; a < 3; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

static void test_symm(int L, int side, int uplo) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = side, .o2 = uplo, .m = 3, .n = 4, .alpha = 0.9};
  int na = side == CblasLeft ? c->m : c->n;
  c->lda = na + 1, c->ldb = ld_of(L, c->m, c->n, 2), c->ldc = ld_of(L, c->m, c->n, 1);
  c->sa = (long)na * c->lda, c->sb = size_of(L, c->m, c->n, c->ldb), c->sc = size_of(L, c->m, c->n, c->ldc);
  c->A = mat(c->sa, 4), c->B = mat(c->sb, 5), c->C = mat(c->sc, 6);
  fd_inputs in = {.narr = 3, .arr = {c->A, c->B, c->C}, .size = {c->sa, c->sb, c->sc}, .alpha = &c->alpha};
  for (int a = 0; a < 3; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(symm_loss, c->A, in.grad[0], c->B, in.grad[1], c->C, in.grad[2], c->alpha, &in.dalpha, c->L, c->o1, c->o2, c->m, c->n,
              c->lda, c->ldb, c->ldc, c->sc);
  char what[64];
  snprintf(what, sizeof what, "dsymm L%d S%d U%d", L, side, uplo);
  fd_check(what, eval_symm, c, &in, 1e-6);
  for (int a = 0; a < 3; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

static void test_syrk(int L, int uplo, int t) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = uplo, .o2 = t, .n = 4, .k = 3, .alpha = 1.1};
  int ar = t == CblasNoTrans ? c->n : c->k, ac = t == CblasNoTrans ? c->k : c->n;
  c->lda = ld_of(L, ar, ac, 2), c->ldc = c->n + 1;
  c->sa = size_of(L, ar, ac, c->lda), c->sc = (long)c->n * c->ldc;
  c->A = mat(c->sa, 7), c->C = mat(c->sc, 8);
  fd_inputs in = {.narr = 2, .arr = {c->A, c->C}, .size = {c->sa, c->sc}, .alpha = &c->alpha};
  for (int a = 0; a < 2; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(syrk_loss, c->A, in.grad[0], c->C, in.grad[1], c->alpha, &in.dalpha, c->L, c->o1, c->o2, c->n, c->k, c->lda, c->ldc,
              c->sc);
  char what[64];
  snprintf(what, sizeof what, "dsyrk L%d U%d T%d", L, uplo, t);
  fd_check(what, eval_syrk, c, &in, 1e-6);
  for (int a = 0; a < 2; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

static void test_tr(int L, int side, int uplo, int t, int diag, int which) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = side, .o2 = uplo, .o3 = t, .o4 = diag, .m = 3, .n = 4, .alpha = 0.8};
  int na = side == CblasLeft ? c->m : c->n;
  c->lda = na + 2, c->ldb = ld_of(L, c->m, c->n, 1);
  c->sa = (long)na * c->lda, c->sb = size_of(L, c->m, c->n, c->ldb);
  c->A = mat(c->sa, 9), c->B = mat(c->sb, 10);
  fd_diag_boost(c->A, na, c->lda);
  which_ = which;
  fd_inputs in = {.narr = 2, .arr = {c->A, c->B}, .size = {c->sa, c->sb}, .alpha = &c->alpha};
  for (int a = 0; a < 2; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  ct_gradient(tr_loss, c->A, in.grad[0], c->B, in.grad[1], c->alpha, &in.dalpha, c->L, c->o1, c->o2, c->o3, c->o4,
              c->m, c->n, c->lda, c->ldb,
              c->sb, which);
  char what[64];
  snprintf(what, sizeof what, "%s L%d S%d U%d T%d D%d", which == 1 ? "dtrmm" : which == 2 ? "dtrsm" : "dtrmm+dtrsm",
           L, side, uplo, t, diag);
  fd_check(what, eval_tr, c, &in, 1e-6);
  for (int a = 0; a < 2; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

int main(void) {
  static const int layouts[2] = {CblasRowMajor, CblasColMajor}, trans[2] = {CblasNoTrans, CblasTrans};
  static const int sides[2] = {CblasLeft, CblasRight}, uplos[2] = {CblasUpper, CblasLower};
  static const int diags[2] = {CblasNonUnit, CblasUnit};
  for (int l = 0; l < 2; ++l) {
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b)
        test_gemm(layouts[l], trans[a], trans[b]);
    for (int s = 0; s < 2; ++s)
      for (int u = 0; u < 2; ++u)
        test_symm(layouts[l], sides[s], uplos[u]);
    for (int u = 0; u < 2; ++u)
      for (int t = 0; t < 2; ++t)
        test_syrk(layouts[l], uplos[u], trans[t]);
    for (int s = 0; s < 2; ++s)
      for (int u = 0; u < 2; ++u)
        for (int t = 0; t < 2; ++t)
          for (int d = 0; d < 2; ++d)
            for (int w = 1; w <= 3; ++w)
              test_tr(layouts[l], sides[s], uplos[u], trans[t], diags[d], w);
  }
  return check_summary("blas level3");
}
