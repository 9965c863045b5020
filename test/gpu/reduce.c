/* A block reduction in shared memory (tree, with barriers): each block
 * writes out[b] = (sum of its x[i]^2)^2; each thread also returns 0.5 x[i].
 * Compiled for NVPTX (the PTX goes through ptxas) and for the host under
 * the SIMT emulator, where every gradient component is checked against
 * the derivative written out (itself checked against finite differences). */
#include <cotangent.h>
#include <cotangent_gpu.h>

#define BLOCK 64
static CT_SHARED double partial[BLOCK];

double block_reduce(const double *x, double *out, int n) {
  int t = ct_thread_idx();
  int i = ct_block_idx() * ct_block_dim() + t;
  double v = i < n ? x[i] : 0.0;
  partial[t] = v * v;
  ct_sync_threads();
  for (int s = BLOCK / 2; s > 0; s /= 2) {
    if (t < s)
      partial[t] += partial[t + s];
    ct_sync_threads();
  }
  if (t == 0)
    out[ct_block_idx()] = partial[0] * partial[0];
  return 0.5 * v;
}

CT_KERNEL void reduce_value(const double *x, double *out, int n, double *total) {
  ct_atomic_add(total, block_reduce(x, out, n));
}

CT_KERNEL void reduce_gradient(const double *x, double *dx, double *out, double *dout, int n) {
  ct_gradient(block_reduce, x, dx, out, dout, n);
}

#ifndef __NVPTX__
#include "fd.h"
#include "simt.h"

enum { N = 150, GRID = 3 };
typedef struct {
  double x[N], dx[N], out[GRID], dout[GRID], seed[GRID], total;
} ctx;

static void run_value(void *p) {
  ctx *c = p;
  reduce_value(c->x, c->out, N, &c->total);
}
static void run_gradient(void *p) {
  ctx *c = p;
  reduce_gradient(c->x, c->dx, c->out, c->dout, N);
}
static double loss(void *p) {
  ctx *c = p;
  c->total = 0;
  ct_simt_launch(GRID, BLOCK, run_value, c);
  double l = c->total;
  for (int b = 0; b < GRID; ++b)
    l += c->seed[b] * c->out[b];
  return l;
}

int main(void) {
  static ctx c;
  for (int i = 0; i < N; ++i)
    c.x[i] = 0.3 * sin(0.7 * i) + 0.01 * i;
  for (int b = 0; b < GRID; ++b)
    c.dout[b] = c.seed[b] = 0.5 + b;
  ct_simt_launch(GRID, BLOCK, run_gradient, &c);
  for (int b = 0; b < GRID; ++b)
    if (c.dout[b] != 0) {
      fprintf(stderr, "reduce: the shadow of out[%d] was not consumed\n", b);
      return 1;
    }
  /* d/dx_i = 0.5 + 4 seed_b S_b x_i, S_b the sum of x^2 over i's block b */
  double S[GRID] = {0}, want[N];
  for (int i = 0; i < N; ++i)
    S[i / BLOCK] += c.x[i] * c.x[i];
  for (int i = 0; i < N; ++i)
    want[i] = 0.5 + 4 * c.seed[i / BLOCK] * S[i / BLOCK] * c.x[i];
  int checked = check_every("reduce dx", c.dx, want, N);
  checked += fd_check_reference("reduce dx", c.x, N, 7, want, loss, &c);
  return fd_summary("reduce", checked);
}
#endif
