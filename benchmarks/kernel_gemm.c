/* Runtime kernels, matrix product (ct_gemm):
 *
 *   f(A, B) = 1/2 || A B - T ||_F^2,   A, B, T: n x n (row-major)
 *
 * as benchmarks/matmul.c. impl=kernel (default) calls ct_gemm into a
 * scratch matrix; impl=loop is the product as plain loops (i-k-j order, as
 * in matmul.c) differentiated by Cotangent (kernel_gemm_loop in
 * scripts/bench). Sizes: n = 5 (check), 128 (quick), 256 (full). */
#include "bench.h"

static double f_kernel(const double *a, const double *b, const double *t CT_NO_DERIVATIVE, double *c,
                       long n) {
  ct_gemm(n, n, n, a, b, c);
  double f = 0.0;
  for (long i = 0; i < n * n; i++) {
    double r = c[i] - t[i];
    f += 0.5 * r * r;
  }
  return f;
}

static double f_loop(const double *a, const double *b, const double *t CT_NO_DERIVATIVE, double *c,
                     long n) {
  double f = 0.0;
  for (long i = 0; i < n; i++) {
    double *row = c + i * n;
    for (long j = 0; j < n; j++)
      row[j] = 0.0;
    for (long k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (long j = 0; j < n; j++)
        row[j] += aik * b[k * n + j];
    }
    for (long j = 0; j < n; j++) {
      double r = row[j] - t[i * n + j];
      f += 0.5 * r * r;
    }
  }
  return f;
}

static double *p, *dp, *t, *c, *dc; /* p = [A | B] */
static long n;
static int loop;

static double primal(void) { return (loop ? f_loop : f_kernel)(p, p + n * n, t, c, n); }
static double value(int out) {
  (void)out;
  return primal();
}
#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_loop(double *g) { return ct_value_with_gradient(f_loop, p, g, p + n * n, g + n * n, t, c, dc, n); }
static BENCH_NOINLINE double grad_kernel(double *g) { return ct_value_with_gradient(f_kernel, p, g, p + n * n, g + n * n, t, c, dc, n); }
#endif
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dc, 0, (size_t)(n * n) * sizeof *dc);
  return loop ? grad_loop(g) : grad_kernel(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, 2 * (size_t)(n * n) * sizeof *dp);
  bench_sink = gradient(0, dp);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "kernel"), "loop");
  n = check ? 5 : bench_arg_int("n", 5, 128, 256);
  bench_require(n >= 1, "invalid size: need n >= 1");
  p = bench_alloc(2 * (size_t)(n * n) * sizeof *p);
  dp = bench_alloc(2 * (size_t)(n * n) * sizeof *dp);
  t = bench_alloc((size_t)(n * n) * sizeof *t);
  c = bench_alloc((size_t)(n * n) * sizeof *c);
  dc = bench_alloc((size_t)(n * n) * sizeof *dc);
  bench_seed(13);
  for (long i = 0; i < 2 * n * n; i++)
    p[i] = bench_range(-1, 1);
  for (long i = 0; i < n * n; i++)
    t[i] = bench_range(-1, 1);
  bench.n = (int)(2 * n * n);
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
  free(t);
  free(c);
  free(dc);
}

BENCH_MAIN("kernel_gemm")
