/* cblas_ddot, daxpy, dscal, dnrm2, dasum, dcopy, dswap, drot: gradients of
 * small programs that chain them (a normalized projection, a Givens
 * rotation, a swap and copy), with strides 1, 2, -1 and -3, against central
 * differences over every element of the buffers and the scalars. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <string.h>

enum { N = 5 };

typedef struct {
  int incx, incy;
  long sx, sy;
  double *x, *y, a;
} cfg;
static cfg C_;

static double *work(const double *src, long n) {
  double *w = malloc((size_t)n * sizeof *w);
  memcpy(w, src, (size_t)n * sizeof *w);
  return w;
}

/* (x . y) / |x| + asum(y + a x) + |a x|, the scaled copy in a work buffer
 * (nrm2, asum and scal take positive strides only: BLAS returns 0 / does
 * nothing for a stride <= 0, which the adjoints follow, checked at the end) */
static double proj_loss(const double *x, const double *y0, double a, int incx, int incy, long sx, long sy) {
  double *y = work(y0, sy), *z = malloc((size_t)sx * sizeof *z);
  int px = incx < 0 ? -incx : incx, py = incy < 0 ? -incy : incy;
  double d = cblas_ddot(N, x, incx, y, incy) / cblas_dnrm2(N, x, px);
  cblas_daxpy(N, a, x, incx, y, incy);
  double s = d + cblas_dasum(N, y, py) + cblas_dasum(N, y, -py);
  cblas_dcopy(N, x, incx, z, incx);
  cblas_dscal(N, a, z, px);
  cblas_dscal(N, a, z, -px);
  s += cblas_dnrm2(N, z, px) + cblas_dnrm2(N, z, -px) + fd_out_loss(y, sy);
  free(y);
  free(z);
  return s;
}

/* a Givens rotation by angle a of (x, y), a swap, a rotation back by a/2 */
static double rot_loss(const double *x0, const double *y0, double a, int incx, int incy, long sx, long sy) {
  double *x = work(x0, sx), *y = work(y0, sy);
  cblas_drot(N, x, incx, y, incy, cos(a), sin(a));
  cblas_dswap(N, x, incx, y, incy);
  cblas_drot(N, x, incx, y, incy, 0.6, -0.8);
  cblas_dscal(N, 1.5, y, incy);
  double s = fd_out_loss(x, sx) + 2 * fd_out_loss(y, sy) + cblas_ddot(N, x, incx, x, incx);
  free(x);
  free(y);
  return s;
}

static double eval_proj(void *p) {
  cfg *c = p;
  return proj_loss(c->x, c->y, c->a, c->incx, c->incy, c->sx, c->sy);
}
static double eval_rot(void *p) {
  cfg *c = p;
  return rot_loss(c->x, c->y, c->a, c->incx, c->incy, c->sx, c->sy);
}

static void test(int incx, int incy, int which) {
  cfg *c = &C_;
  *c = (cfg){.incx = incx, .incy = incy, .a = 0.7};
  c->sx = 1 + (long)(N - 1) * (incx < 0 ? -incx : incx), c->sy = 1 + (long)(N - 1) * (incy < 0 ? -incy : incy);
  c->x = malloc((size_t)c->sx * sizeof(double)), c->y = malloc((size_t)c->sy * sizeof(double));
  fd_fill(c->x, c->sx, 31), fd_fill(c->y, c->sy, 32);
  fd_inputs in = {.narr = 2, .arr = {c->x, c->y}, .size = {c->sx, c->sy}, .alpha = &c->a};
  for (int a = 0; a < 2; ++a)
    in.grad[a] = calloc((size_t)in.size[a], sizeof(double));
  if (which == 0)
    ct_gradient(proj_loss, c->x, in.grad[0], c->y, in.grad[1], c->a, &in.dalpha, incx, incy, c->sx, c->sy);
  else
    ct_gradient(rot_loss, c->x, in.grad[0], c->y, in.grad[1], c->a, &in.dalpha, incx, incy, c->sx, c->sy);
  char what[64];
  snprintf(what, sizeof what, "%s incx %d incy %d", which ? "rot/swap/scal" : "dot/nrm2/axpy/asum/copy/scal", incx,
           incy);
  fd_check(what, which ? eval_rot : eval_proj, c, &in, 1e-6);
  for (int a = 0; a < 2; ++a)
    free(in.grad[a]), free(in.arr[a]);
}

int main(void) {
  static const int incs[4] = {1, 2, -1, -3};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      for (int w = 0; w < 2; ++w)
        test(incs[i], incs[j], w);
  return check_summary("blas level1");
}
