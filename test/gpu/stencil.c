/* A 1-D three-point stencil: v[i] = u[i] + c (u[i-1] - 2 u[i] + u[i+1]) +
 * 0.1 u[i]^3 on the interior, one thread per point; each thread also
 * returns c u[i]^2. Neighbouring threads read the same u, so the adjoints
 * of u meet in du (atomic adds); c is an active scalar whose derivative
 * comes back per thread. Compiled for NVPTX (ptxas) and for the host
 * under the SIMT emulator (every gradient component against the derivative
 * written out, itself checked against finite differences). */
#include <cotangent.h>
#include <cotangent_gpu.h>

double stencil(const double *u, double *v, int n, double c) {
  int i = ct_block_idx() * ct_block_dim() + ct_thread_idx();
  if (i <= 0 || i >= n - 1)
    return 0.0;
  v[i] = u[i] + c * (u[i - 1] - 2.0 * u[i] + u[i + 1]) + 0.1 * u[i] * u[i] * u[i];
  return c * u[i] * u[i];
}

CT_KERNEL void stencil_value(const double *u, double *v, int n, double c, double *total) {
  ct_atomic_add(total, stencil(u, v, n, c));
}

CT_KERNEL void stencil_gradient(const double *u, double *du, double *v, double *dv, int n, double c, double *dc) {
  double d = 0;
  ct_gradient(stencil, u, du, v, dv, n, c, &d);
  ct_atomic_add(dc, d);
}

#ifndef __NVPTX__
#include "fd.h"
#include "simt.h"

enum { N = 70, GRID = 3, BLOCK = 32 };
typedef struct {
  double u[N + 1], du[N], v[N], dv[N], seed[N], total, dc; /* u[N] holds c */
} ctx;

static void run_value(void *p) {
  ctx *c = p;
  stencil_value(c->u, c->v, N, c->u[N], &c->total);
}
static void run_gradient(void *p) {
  ctx *c = p;
  stencil_gradient(c->u, c->du, c->v, c->dv, N, c->u[N], &c->dc);
}
static double loss(void *p) {
  ctx *c = p;
  c->total = 0;
  ct_simt_launch(GRID, BLOCK, run_value, c);
  double l = c->total;
  for (int i = 0; i < N; ++i)
    l += c->seed[i] * c->v[i];
  return l;
}

int main(void) {
  static ctx c;
  for (int i = 0; i < N; ++i) {
    c.u[i] = cos(0.3 * i) + 0.02 * i;
    c.dv[i] = c.seed[i] = 1.0 + 0.01 * i;
  }
  c.u[N] = 0.35;
  ct_simt_launch(GRID, BLOCK, run_gradient, &c);
  double grad[N + 1];
  for (int i = 0; i < N; ++i)
    grad[i] = c.du[i];
  grad[N] = c.dc;
  /* interior i: v_i = u_i + c (u_{i-1} - 2 u_i + u_{i+1}) + 0.1 u_i^3, and
   * c u_i^2 returned: d/du_j and d/dc of sum c u_i^2 + seed_i v_i */
  double want[N + 1] = {0}, cc = c.u[N];
  for (int i = 1; i < N - 1; ++i) {
    want[i - 1] += c.seed[i] * cc;
    want[i] += c.seed[i] * (1 - 2 * cc + 0.3 * c.u[i] * c.u[i]) + 2 * cc * c.u[i];
    want[i + 1] += c.seed[i] * cc;
    want[N] += c.seed[i] * (c.u[i - 1] - 2 * c.u[i] + c.u[i + 1]) + c.u[i] * c.u[i];
  }
  int checked = check_every("stencil d(u, c)", grad, want, N + 1);
  checked += fd_check_reference("stencil d(u, c)", c.u, N + 1, 7, want, loss, &c);
  return fd_summary("stencil", checked);
}
#endif
