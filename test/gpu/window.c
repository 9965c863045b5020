/* Overlapping windows: thread i reads x[i], x[i+1] as one 2-lane vector
 * (its adjoint adds into x's shadow lane by lane with atomics) and again
 * with a memcpy of run-time length m = 2 (its adjoint adds into x's shadow
 * with atomics, __ct_copy_adjoint_atomic_f64), and stores a 2-lane vector
 * into y[2i], y[2i+1]. Neighbouring threads share x[i+1]. Host: SIMT
 * emulator, every gradient component against the derivative written out
 * (itself checked against finite differences); NVPTX: ptxas. */
#include <cotangent.h>
#include <cotangent_gpu.h>

typedef double v2 __attribute__((ext_vector_type(2), aligned(8)));

double window(const double *x, double *y, int n, int m) {
  int i = ct_block_idx() * ct_block_dim() + ct_thread_idx();
  if (i >= n - 1)
    return 0.0;
  v2 v = *(const v2 *)&x[i];
  *(v2 *)&y[2 * i] = v * v.yx + v;
  double w[4] = {0};
  __builtin_memcpy(w, &x[i], (unsigned long)m * sizeof(double));
  return w[0] + 0.5 * w[1] * w[1] * w[0];
}

CT_KERNEL void window_value(const double *x, double *y, int n, int m, double *total) {
  ct_atomic_add(total, window(x, y, n, m));
}

CT_KERNEL void window_gradient(const double *x, double *dx, double *y, double *dy, int n, int m) {
  ct_gradient(window, x, dx, y, dy, n, m);
}

#ifndef __NVPTX__
#include "fd.h"
#include "simt.h"

enum { N = 80, GRID = 3, BLOCK = 32 };
typedef struct {
  double x[N], dx[N], y[2 * N], dy[2 * N], seed[2 * N], total;
} ctx;

static void run_value(void *p) {
  ctx *c = p;
  window_value(c->x, c->y, N, 2, &c->total);
}
static void run_gradient(void *p) {
  ctx *c = p;
  window_gradient(c->x, c->dx, c->y, c->dy, N, 2);
}
static double loss(void *p) {
  ctx *c = p;
  c->total = 0;
  ct_simt_launch(GRID, BLOCK, run_value, c);
  double l = c->total;
  for (int i = 0; i < 2 * N; ++i)
    l += c->seed[i] * c->y[i];
  return l;
}

int main(void) {
  static ctx c;
  for (int i = 0; i < N; ++i)
    c.x[i] = 0.5 + sin(0.9 * i);
  for (int i = 0; i < 2 * N; ++i)
    c.dy[i] = c.seed[i] = 0.2 + 0.03 * i;
  ct_simt_launch(GRID, BLOCK, run_gradient, &c);
  /* thread i < N - 1: y_2i = x_i x_i+1 + x_i, y_2i+1 = x_i x_i+1 + x_i+1,
   * returns x_i + 0.5 x_i+1^2 x_i; loss = sum of those + seed . y */
  double want[N] = {0};
  for (int i = 0; i < N - 1; ++i) {
    double a = c.x[i], b = c.x[i + 1], s0 = c.seed[2 * i], s1 = c.seed[2 * i + 1];
    want[i] += 1 + 0.5 * b * b + s0 * (b + 1) + s1 * b;
    want[i + 1] += a * b + s0 * a + s1 * (a + 1);
  }
  int checked = check_every("window dx", c.dx, want, N);
  checked += fd_check_reference("window dx", c.x, N, 7, want, loss, &c);
  return fd_summary("window", checked);
}
#endif
