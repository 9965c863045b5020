/* An atomic scatter (a weighted histogram): hist[bin[i]] += w x[i]^2 with
 * atomic adds, many threads into the same bins; each thread also returns
 * 0.5 x[i] w. The reverse of the atomic add reads the shadow of
 * the bin. Compiled for NVPTX (ptxas) and for the host under the SIMT
 * emulator (every gradient component against the derivative written out,
 * itself checked against finite differences). */
#include <cotangent.h>
#include <cotangent_gpu.h>

double scatter(const double *x, const int *bin, double *hist, int n, double w) {
  int i = ct_block_idx() * ct_block_dim() + ct_thread_idx();
  if (i >= n)
    return 0.0;
  ct_atomic_add(&hist[bin[i]], w * x[i] * x[i]);
  return 0.5 * x[i] * w;
}

CT_KERNEL void scatter_value(const double *x, const int *bin, double *hist, int n, double w, double *total) {
  ct_atomic_add(total, scatter(x, bin, hist, n, w));
}

CT_KERNEL void scatter_gradient(const double *x, double *dx, const int *bin, double *hist, double *dhist, int n,
                                double w, double *dw) {
  double d = 0;
  ct_gradient(scatter, x, dx, bin, bin, hist, dhist, n, w, &d); /* integers: no shadow needed */
  ct_atomic_add(dw, d);
}

#ifndef __NVPTX__
#include "fd.h"
#include "simt.h"

enum { N = 90, BINS = 7, GRID = 3, BLOCK = 32 };
typedef struct {
  double x[N + 1], dx[N], hist[BINS], dhist[BINS], seed[BINS], total, dw; /* x[N] holds w */
  int bin[N];
} ctx;

static void run_value(void *p) {
  ctx *c = p;
  scatter_value(c->x, c->bin, c->hist, N, c->x[N], &c->total);
}
static void run_gradient(void *p) {
  ctx *c = p;
  scatter_gradient(c->x, c->dx, c->bin, c->hist, c->dhist, N, c->x[N], &c->dw);
}
static double loss(void *p) {
  ctx *c = p;
  c->total = 0;
  for (int b = 0; b < BINS; ++b)
    c->hist[b] = 0.1 * b;
  ct_simt_launch(GRID, BLOCK, run_value, c);
  double l = c->total;
  for (int b = 0; b < BINS; ++b)
    l += c->seed[b] * c->hist[b] * c->hist[b]; /* a nonlinear use of the bins */
  return l;
}

int main(void) {
  static ctx c;
  for (int i = 0; i < N; ++i) {
    c.x[i] = sin(0.4 * i) + 0.5;
    c.bin[i] = (i * 5) % BINS;
  }
  c.x[N] = 0.8;
  for (int b = 0; b < BINS; ++b)
    c.seed[b] = 0.3 + 0.1 * b;
  loss(&c); /* the bins' adjoints: d/dhist of sum seed hist^2 */
  for (int b = 0; b < BINS; ++b)
    c.dhist[b] = 2 * c.seed[b] * c.hist[b];
  double dhist0[BINS];
  for (int b = 0; b < BINS; ++b)
    dhist0[b] = c.dhist[b];
  ct_simt_launch(GRID, BLOCK, run_gradient, &c);
  for (int b = 0; b < BINS; ++b)
    if (c.dhist[b] != dhist0[b]) {
      fprintf(stderr, "scatter: the adjoint of hist[%d] changed\n", b);
      return 1;
    }
  double grad[N + 1];
  for (int i = 0; i < N; ++i)
    grad[i] = c.dx[i];
  grad[N] = c.dw;
  /* hist_b = 0.1 b + w sum_{bin_i = b} x_i^2, loss = sum 0.5 x_i w + sum
   * seed_b hist_b^2: d/dx_i = 0.5 w + 2 w x_i dhist_bin_i, d/dw = sum 0.5
   * x_i + x_i^2 dhist_bin_i (dhist_b = 2 seed_b hist_b) */
  double want[N + 1] = {0}, w = c.x[N];
  for (int i = 0; i < N; ++i) {
    want[i] = 0.5 * w + 2 * w * c.x[i] * dhist0[c.bin[i]];
    want[N] += 0.5 * c.x[i] + c.x[i] * c.x[i] * dhist0[c.bin[i]];
  }
  int checked = check_every("scatter d(x, w)", grad, want, N + 1);
  checked += fd_check_reference("scatter d(x, w)", c.x, N + 1, 7, want, loss, &c);
  return fd_summary("scatter", checked);
}
#endif
