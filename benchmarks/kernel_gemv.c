/* Runtime kernels, matrix-vector product (ct_gemv, ct_dot):
 *
 *   f(W, x) = 1/2 |W x|^2,   W: m x n (row-major)
 *
 * impl=kernel (default) calls the kernels; impl=loop is the same function
 * as plain loops differentiated by Cotangent (kernel_gemv_loop in
 * scripts/bench). Sizes: 4 x 5 (check), 512 x 512 (quick), 2048 x 2048
 * (full). */
#include "bench.h"

static double f_kernel(const double *W, const double *x, double *h, long m, long n) {
  ct_gemv(m, n, W, x, h);
  return 0.5 * ct_dot(h, h, m);
}

static double f_loop(const double *W, const double *x, double *h, long m, long n) {
  double s = 0.0;
  for (long i = 0; i < m; i++) {
    double a = 0.0;
    for (long j = 0; j < n; j++)
      a += W[i * n + j] * x[j];
    h[i] = a;
    s += 0.5 * a * a;
  }
  return s;
}

static double *p, *dp, *h, *dh; /* p = [W | x] */
static long m, n;
static int loop;

static double primal(void) { return (loop ? f_loop : f_kernel)(p, p + m * n, h, m, n); }
static double value(int out) {
  (void)out;
  return primal();
}
#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_loop(double *g) { return ct_value_with_gradient(f_loop, p, g, p + m * n, g + m * n, h, dh, m, n); }
static BENCH_NOINLINE double grad_kernel(double *g) { return ct_value_with_gradient(f_kernel, p, g, p + m * n, g + m * n, h, dh, m, n); }
#endif
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dh, 0, (size_t)m * sizeof *dh);
  return loop ? grad_loop(g) : grad_kernel(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, (size_t)(m * n + n) * sizeof *dp);
  bench_sink = gradient(0, dp);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "kernel"), "loop");
  m = check ? 4 : bench_arg_int("m", 4, 512, 2048);
  n = check ? 5 : bench_arg_int("n", 5, 512, 2048);
  bench_require(m >= 1 && n >= 1, "invalid size: need m, n >= 1");
  p = bench_alloc((size_t)(m * n + n) * sizeof *p);
  dp = bench_alloc((size_t)(m * n + n) * sizeof *dp);
  h = bench_alloc((size_t)m * sizeof *h);
  dh = bench_alloc((size_t)m * sizeof *dh);
  bench_seed(12);
  for (long i = 0; i < m * n + n; i++)
    p[i] = bench_range(-1, 1);
  bench.n = (int)(m * n + n);
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "%ldx%ld %s", m, n, loop ? "loop" : "kernel");
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(h);
  free(dh);
}

BENCH_MAIN("kernel_gemv")
