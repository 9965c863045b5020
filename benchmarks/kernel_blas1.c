/* Runtime kernels, BLAS level 1 (ct_axpy, ct_dot, ct_sum):
 *
 *   f(x, y) = <w, x> + sum(w),   w = y + a x   (a = 0.5)
 *
 * impl=kernel (default) calls the kernels, whose registered pullbacks run
 * in the reverse pass; impl=loop is the same function as plain loops,
 * differentiated by Cotangent. scripts/bench runs both (kernel_blas1 and
 * kernel_blas1_loop) and prints the speedup of value + gradient. Sizes:
 * n = 10 (check), 100000 (quick), 1000000 (full); above
 * CT_KERNELS_PARALLEL_MIN the kernels use OpenMP. */
#include "bench.h"

static double f_kernel(const double *x, const double *y, double *w, long n) {
  memcpy(w, y, (size_t)n * sizeof *w);
  ct_axpy(n, 0.5, x, w);
  return ct_dot(w, x, n) + ct_sum(w, n);
}

static double f_loop(const double *x, const double *y, double *w, long n) {
  for (long i = 0; i < n; i++)
    w[i] = y[i] + 0.5 * x[i];
  double s = 0.0;
  for (long i = 0; i < n; i++)
    s += w[i] * x[i] + w[i];
  return s;
}

static double *p, *dp, *w, *dw; /* p = [x | y] */
static long n;
static int loop;

static double primal(void) { return (loop ? f_loop : f_kernel)(p, p + n, w, n); }
static double value(int out) {
  (void)out;
  return primal();
}
#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_loop(double *g) { return ct_value_with_gradient(f_loop, p, g, p + n, g + n, w, dw, n); }
static BENCH_NOINLINE double grad_kernel(double *g) { return ct_value_with_gradient(f_kernel, p, g, p + n, g + n, w, dw, n); }
#endif
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dw, 0, (size_t)n * sizeof *dw);
  return loop ? grad_loop(g) : grad_kernel(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, 2 * (size_t)n * sizeof *dp);
  bench_sink = gradient(0, dp);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "kernel"), "loop");
  n = check ? 10 : bench_arg_int("n", 10, 100000, 1000000);
  bench_require(n >= 1, "invalid size: need n >= 1");
  p = bench_alloc(2 * (size_t)n * sizeof *p);
  dp = bench_alloc(2 * (size_t)n * sizeof *dp);
  w = bench_alloc((size_t)n * sizeof *w);
  dw = bench_alloc((size_t)n * sizeof *dw);
  bench_seed(11);
  for (long i = 0; i < 2 * n; i++)
    p[i] = bench_range(-1, 1);
  bench.n = (int)(2 * n);
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "n=%ld %s", n, loop ? "loop" : "kernel");
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(w);
  free(dw);
}

BENCH_MAIN("kernel_blas1")
