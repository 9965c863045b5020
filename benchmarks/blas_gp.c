/* BLAS and LAPACK calls (issue 20): a Gaussian-process negative log marginal
 * likelihood,
 *
 *   f(theta) = 1/2 y^T K^-1 y + 1/2 log det K,
 *   K_ij = sf2 exp(-|x_i - x_j|^2 / (2 ell^2)) + sn2 [i = j],
 *
 * the gradient w.r.t. theta = (log ell, log sf2, log sn2). impl=blas
 * (default) factors K with LAPACKE_dpotrf and solves with dpotrs (the
 * adjoints are LAPACK/BLAS calls); impl=loop writes the Cholesky
 * factorization and the triangular solves as loops, differentiated by
 * Cotangent (blas_gp_loop in scripts/bench). n points in D = 3 dimensions:
 * n = 8 (check), 200 (quick), 500 (full). */
#include "bench.h"

#include <cblas.h>
#include <lapacke.h>

enum { D = 3 };

/* K from the points and hyperparameters (row-major n x n, into k) */
static void kernel_matrix(const double *x, double log_ell, double log_sf2, double log_sn2, double *k, long n) {
  double ell2 = exp(2 * log_ell), sf2 = exp(log_sf2), sn2 = exp(log_sn2);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) {
      double r2 = 0;
      for (int d = 0; d < D; d++)
        r2 += (x[i * D + d] - x[j * D + d]) * (x[i * D + d] - x[j * D + d]);
      k[i * n + j] = sf2 * exp(-0.5 * r2 / ell2) + (i == j ? sn2 : 0);
    }
}

static double f_blas(const double *x CT_NO_DERIVATIVE, const double *y CT_NO_DERIVATIVE, double log_ell,
                     double log_sf2, double log_sn2, double *k, double *a, long n) {
  kernel_matrix(x, log_ell, log_sf2, log_sn2, k, n);
  LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (int)n, k, (int)n);
  cblas_dcopy((int)n, y, 1, a, 1);
  LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (int)n, 1, k, (int)n, a, 1);
  double logdet = 0;
  for (long i = 0; i < n; i++)
    logdet += log(k[i * n + i]);
  return 0.5 * cblas_ddot((int)n, y, 1, a, 1) + logdet;
}

static double f_loop(const double *x CT_NO_DERIVATIVE, const double *y CT_NO_DERIVATIVE, double log_ell,
                     double log_sf2, double log_sn2, double *k, double *a, long n) {
  kernel_matrix(x, log_ell, log_sf2, log_sn2, k, n);
  for (long j = 0; j < n; j++) { /* Cholesky, lower, in place */
    double s = k[j * n + j];
    for (long p = 0; p < j; p++)
      s -= k[j * n + p] * k[j * n + p];
    double l = sqrt(s);
    k[j * n + j] = l;
    for (long i = j + 1; i < n; i++) {
      double t = k[i * n + j];
      for (long p = 0; p < j; p++)
        t -= k[i * n + p] * k[j * n + p];
      k[i * n + j] = t / l;
    }
  }
  for (long i = 0; i < n; i++) { /* L z = y */
    double t = y[i];
    for (long p = 0; p < i; p++)
      t -= k[i * n + p] * a[p];
    a[i] = t / k[i * n + i];
  }
  for (long i = n - 1; i >= 0; i--) { /* L^T a = z */
    double t = a[i];
    for (long p = i + 1; p < n; p++)
      t -= k[p * n + i] * a[p];
    a[i] = t / k[i * n + i];
  }
  double quad = 0, logdet = 0;
  for (long i = 0; i < n; i++)
    quad += y[i] * a[i], logdet += log(k[i * n + i]);
  return 0.5 * quad + logdet;
}

static double *xs, *ys, *k, *dk, *a, *da, theta[3];
static long n;
static int loop;

static double primal(void) { return (loop ? f_loop : f_blas)(xs, ys, theta[0], theta[1], theta[2], k, a, n); }
static double value(int out) {
  (void)out;
  return primal();
}
#ifndef NO_GRADIENT
static BENCH_NOINLINE double grad_loop(double *g) {
  return ct_value_with_gradient(f_loop, xs, ys, theta[0], &g[0], theta[1], &g[1], theta[2], &g[2], k, dk, a, da, n);
}
static BENCH_NOINLINE double grad_blas(double *g) {
  return ct_value_with_gradient(f_blas, xs, ys, theta[0], &g[0], theta[1], &g[1], theta[2], &g[2], k, dk, a, da, n);
}
#endif
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dk, 0, (size_t)(n * n) * sizeof *dk);
  memset(da, 0, (size_t)n * sizeof *da);
  return loop ? grad_loop(g) : grad_blas(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  double g[3] = {0};
  bench_sink = gradient(0, g);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "blas"), "loop");
  n = check ? 8 : bench_arg_int("n", 8, 200, 500);
  bench_require(n >= 1, "invalid size: need n >= 1");
  xs = bench_alloc((size_t)(n * D) * sizeof *xs);
  ys = bench_alloc((size_t)n * sizeof *ys);
  k = bench_alloc((size_t)(n * n) * sizeof *k);
  dk = bench_alloc((size_t)(n * n) * sizeof *dk);
  a = bench_alloc((size_t)n * sizeof *a);
  da = bench_alloc((size_t)n * sizeof *da);
  bench_seed(20);
  for (long i = 0; i < n * D; i++)
    xs[i] = bench_range(-2, 2);
  for (long i = 0; i < n; i++)
    ys[i] = bench_range(-1, 1);
  theta[0] = log(0.8), theta[1] = log(1.2), theta[2] = log(0.1);
  bench.n = 3;
  bench.x = theta;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "n=%ld %s", n, loop ? "loop" : "lapack");
}
static void bench_teardown(void) {
  free(xs);
  free(ys);
  free(k);
  free(dk);
  free(a);
  free(da);
}

BENCH_MAIN("blas_gp")
