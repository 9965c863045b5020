/* Nonlinear heat equation, explicit steps, in an OpenMP parallel loop
 * (2 threads unless threads=N is given), loss by a parallel reduction:
 *
 *   u_{t+1}[i] = u_t[i] + k (u_t[i-1] - 2 u_t[i] + u_t[i+1]) - dt sin(u_t[i])
 *   f(u_0) = sum_i (u_T[i] - 0.5)^2
 *
 * (u_t[-1] = u_t[n] = 0.) Sizes: n = 12, T = 3 (check); n = 200000
 * (quick) or 1000000 (full), T = 10. Compiled with -fopenmp (scripts/bench). */
#include "bench.h"

#include <omp.h>

static double heat(const double *u0, double *work, int n, int steps) {
  const double k = 0.2, dt = 0.05;
  for (int t = 0; t < steps; ++t) {
    const double *u = t == 0 ? u0 : work + (size_t)(t - 1) * n;
    double *v = work + (size_t)t * n;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; ++i) {
      double left = i > 0 ? u[i - 1] : 0.0, right = i + 1 < n ? u[i + 1] : 0.0;
      v[i] = u[i] + k * (left - 2.0 * u[i] + right) - dt * sin(u[i]);
    }
  }
  const double *last = work + (size_t)(steps - 1) * n;
  double loss = 0.0;
#pragma omp parallel for reduction(+ : loss) schedule(static)
  for (int i = 0; i < n; ++i)
    loss += (last[i] - 0.5) * (last[i] - 0.5);
  return loss;
}

static double *x, *dx, *work, *dwork;
static int n, steps;

static double value(int out) {
  (void)out;
  return heat(x, work, n, steps);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dwork, 0, (size_t)n * steps * sizeof *dwork);
  return ct_value_with_gradient(heat, x, g, work, dwork, n, steps);
#endif
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = heat(x, work, n, steps); }
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dx, 0, n * sizeof *dx);
  memset(dwork, 0, (size_t)n * steps * sizeof *dwork);
  bench_sink = ct_value_with_gradient(heat, x, dx, work, dwork, n, steps);
#endif
}

static void bench_setup(int check) {
  n = check ? 12 : bench_arg_int("n", 1000, 200000, 1000000);
  steps = check ? 3 : bench_arg_int("T", 2, 10, 10);
  omp_set_num_threads(bench_arg_int("threads", 2, 2, 2));
  x = bench_alloc(n * sizeof *x);
  dx = bench_alloc(n * sizeof *dx);
  work = bench_alloc((size_t)n * steps * sizeof *work);
  dwork = bench_alloc((size_t)n * steps * sizeof *dwork);
  bench_seed(1);
  for (int i = 0; i < n; i++)
    x[i] = bench_range(-1.0, 1.0);
  bench.n = n;
  bench.x = x;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = NULL;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = NULL;
  snprintf(bench.size, sizeof bench.size, "n=%d T=%d threads=%d", n, steps, omp_get_max_threads());
}
static void bench_teardown(void) {
  free(x);
  free(dx);
  free(work);
  free(dwork);
}

BENCH_MAIN("omp_heat")
