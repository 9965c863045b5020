/* cblas_dgemv, dsymv, dtrmv, dtrsv, dger: the gradient of a loss of the
 * output (a malloc'd work copy, as user code writes it) with respect to
 * every element of the matrix and vector buffers and alpha, against
 * central differences, for both layouts, every transpose/triangle/diagonal
 * choice, padded leading dimensions, and strides 1, 2, -1 and -2. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <string.h>

static const double BETA = -0.5;

typedef struct {
  int L, o1, o2, o3, m, n, lda, incx, incy;
  long sa, sx, sy;
  double *A, *x, *y, alpha;
} cfg;
static cfg C_;

static double *work(const double *src, long n) {
  double *w = malloc((size_t)n * sizeof *w);
  memcpy(w, src, (size_t)n * sizeof *w);
  return w;
}

static double gemv_loss(const double *A, const double *x, const double *y0, double alpha, int L, int t, int m, int n,
                        int lda, int incx, int incy, long sy) {
  double *y = work(y0, sy);
  cblas_dgemv((CBLAS_LAYOUT)L, (CBLAS_TRANSPOSE)t, m, n, alpha, A, lda, x, incx, BETA, y, incy);
  double s = fd_out_loss(y, sy);
  free(y);
  return s;
}

static double symv_loss(const double *A, const double *x, const double *y0, double alpha, int L, int u, int n, int lda,
                        int incx, int incy, long sy) {
  double *y = work(y0, sy);
  cblas_dsymv((CBLAS_LAYOUT)L, (CBLAS_UPLO)u, n, alpha, A, lda, x, incx, BETA, y, incy);
  double s = fd_out_loss(y, sy);
  free(y);
  return s;
}

/* x = op(A) x, then (which & 2) solved back with another matrix's view:
 * trmv and trsv, alone and one after the other on the same buffer */
static double tr_loss(const double *A, const double *x0, double alpha, int L, int u, int t, int d, int n, int lda,
                      int incx, long sx, int which) {
  double *x = work(x0, sx);
  for (long i = 0; i < sx; ++i)
    x[i] *= alpha;
  if (which & 1)
    cblas_dtrmv((CBLAS_LAYOUT)L, (CBLAS_UPLO)u, (CBLAS_TRANSPOSE)t, (CBLAS_DIAG)d, n, A, lda, x, incx);
  if (which & 2)
    cblas_dtrsv((CBLAS_LAYOUT)L, (CBLAS_UPLO)u, (CBLAS_TRANSPOSE)(t == CblasTrans ? CblasNoTrans : CblasTrans),
                (CBLAS_DIAG)d, n, A, lda, x, incx);
  double s = fd_out_loss(x, sx);
  free(x);
  return s;
}

static double ger_loss(const double *x, const double *y, const double *A0, double alpha, int L, int m, int n, int lda,
                       int incx, int incy, long sa) {
  double *A = work(A0, sa);
  cblas_dger((CBLAS_LAYOUT)L, m, n, alpha, x, incx, y, incy, A, lda);
  double s = fd_out_loss(A, sa);
  free(A);
  return s;
}

static int which_;
static double eval_gemv(void *p) {
  cfg *c = p;
  return gemv_loss(c->A, c->x, c->y, c->alpha, c->L, c->o1, c->m, c->n, c->lda, c->incx, c->incy, c->sy);
}
static double eval_symv(void *p) {
  cfg *c = p;
  return symv_loss(c->A, c->x, c->y, c->alpha, c->L, c->o1, c->n, c->lda, c->incx, c->incy, c->sy);
}
static double eval_tr(void *p) {
  cfg *c = p;
  return tr_loss(c->A, c->x, c->alpha, c->L, c->o1, c->o2, c->o3, c->n, c->lda, c->incx, c->sx, which_);
}
static double eval_ger(void *p) {
  cfg *c = p;
  return ger_loss(c->x, c->y, c->A, c->alpha, c->L, c->m, c->n, c->lda, c->incx, c->incy, c->sa);
}

static double *vec(long n, unsigned seed) {
  double *x = malloc((size_t)n * sizeof *x);
  fd_fill(x, n, seed);
  return x;
}
static long vlen(int n, int inc) { return 1 + (long)(n - 1) * (inc < 0 ? -inc : inc); }

static void run(const char *what, double (*eval)(void *), fd_inputs *in) {
  fd_check(what, eval, &C_, in, 1e-6);
  for (int a = 0; a < in->narr; ++a)
    free(in->grad[a]), free(in->arr[a]);
}

static void grads(fd_inputs *in) {
  for (int a = 0; a < in->narr; ++a)
    in->grad[a] = calloc((size_t)in->size[a], sizeof(double));
}

static void test_gemv(int L, int t, int incx, int incy) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = t, .m = 3, .n = 4, .incx = incx, .incy = incy, .alpha = 1.2};
  c->lda = (L == CblasRowMajor ? c->n : c->m) + 2;
  c->sa = (long)(L == CblasRowMajor ? c->m : c->n) * c->lda;
  int xl = t == CblasNoTrans ? c->n : c->m, yl = t == CblasNoTrans ? c->m : c->n;
  c->sx = vlen(xl, incx), c->sy = vlen(yl, incy);
  c->A = vec(c->sa, 11), c->x = vec(c->sx, 12), c->y = vec(c->sy, 13);
  fd_inputs in = {.narr = 3, .arr = {c->A, c->x, c->y}, .size = {c->sa, c->sx, c->sy}, .alpha = &c->alpha};
  grads(&in);
  ct_gradient(gemv_loss, c->A, in.grad[0], c->x, in.grad[1], c->y, in.grad[2], c->alpha, &in.dalpha, L, t, c->m, c->n,
              c->lda, incx, incy, c->sy);
  char what[64];
  snprintf(what, sizeof what, "dgemv L%d T%d incx %d incy %d", L, t, incx, incy);
  run(what, eval_gemv, &in);
}

static void test_symv(int L, int u, int incx, int incy) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = u, .n = 4, .incx = incx, .incy = incy, .alpha = 0.7};
  c->lda = c->n + 1, c->sa = (long)c->n * c->lda, c->sx = vlen(c->n, incx), c->sy = vlen(c->n, incy);
  c->A = vec(c->sa, 14), c->x = vec(c->sx, 15), c->y = vec(c->sy, 16);
  fd_inputs in = {.narr = 3, .arr = {c->A, c->x, c->y}, .size = {c->sa, c->sx, c->sy}, .alpha = &c->alpha};
  grads(&in);
  ct_gradient(symv_loss, c->A, in.grad[0], c->x, in.grad[1], c->y, in.grad[2], c->alpha, &in.dalpha, L, u, c->n, c->lda,
              incx, incy, c->sy);
  char what[64];
  snprintf(what, sizeof what, "dsymv L%d U%d incx %d incy %d", L, u, incx, incy);
  run(what, eval_symv, &in);
}

static void test_tr(int L, int u, int t, int d, int incx, int which) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .o1 = u, .o2 = t, .o3 = d, .n = 4, .incx = incx, .alpha = 1.1};
  c->lda = c->n + 2, c->sa = (long)c->n * c->lda, c->sx = vlen(c->n, incx);
  c->A = vec(c->sa, 17), c->x = vec(c->sx, 18);
  fd_diag_boost(c->A, c->n, c->lda);
  which_ = which;
  fd_inputs in = {.narr = 2, .arr = {c->A, c->x}, .size = {c->sa, c->sx}, .alpha = &c->alpha};
  grads(&in);
  ct_gradient(tr_loss, c->A, in.grad[0], c->x, in.grad[1], c->alpha, &in.dalpha, L, u, t, d, c->n, c->lda, incx, c->sx,
              which);
  char what[80];
  snprintf(what, sizeof what, "%s L%d U%d T%d D%d incx %d", which == 1 ? "dtrmv" : which == 2 ? "dtrsv" : "dtrmv+dtrsv",
           L, u, t, d, incx);
  run(what, eval_tr, &in);
}

static void test_ger(int L, int incx, int incy) {
  cfg *c = &C_;
  *c = (cfg){.L = L, .m = 3, .n = 4, .incx = incx, .incy = incy, .alpha = -0.9};
  c->lda = (L == CblasRowMajor ? c->n : c->m) + 1;
  c->sa = (long)(L == CblasRowMajor ? c->m : c->n) * c->lda, c->sx = vlen(c->m, incx), c->sy = vlen(c->n, incy);
  c->A = vec(c->sa, 19), c->x = vec(c->sx, 20), c->y = vec(c->sy, 21);
  fd_inputs in = {.narr = 3, .arr = {c->x, c->y, c->A}, .size = {c->sx, c->sy, c->sa}, .alpha = &c->alpha};
  grads(&in);
  ct_gradient(ger_loss, c->x, in.grad[0], c->y, in.grad[1], c->A, in.grad[2], c->alpha, &in.dalpha, L, c->m, c->n,
              c->lda, incx, incy, c->sa);
  char what[64];
  snprintf(what, sizeof what, "dger L%d incx %d incy %d", L, incx, incy);
  run(what, eval_ger, &in);
}

int main(void) {
  static const int layouts[2] = {CblasRowMajor, CblasColMajor}, trans[2] = {CblasNoTrans, CblasTrans};
  static const int uplos[2] = {CblasUpper, CblasLower}, diags[2] = {CblasNonUnit, CblasUnit};
  static const int incs[4] = {1, 2, -1, -2};
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < 4; ++i) {
      int ix = incs[i], iy = incs[(i + 1) % 4];
      for (int t = 0; t < 2; ++t)
        test_gemv(layouts[l], trans[t], ix, iy);
      for (int u = 0; u < 2; ++u)
        test_symv(layouts[l], uplos[u], ix, iy);
      test_ger(layouts[l], ix, iy);
      for (int u = 0; u < 2; ++u)
        for (int t = 0; t < 2; ++t)
          for (int d = 0; d < 2; ++d)
            for (int w = 1; w <= 3; ++w)
              test_tr(layouts[l], uplos[u], trans[t], diags[d], ix, w);
    }
  return check_summary("blas level2");
}
