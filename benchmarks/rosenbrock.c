/* Extended Rosenbrock function (More, Garbow and Hillstrom), n even:
 *
 *   f(x) = sum_{i<n/2} 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2
 *
 * Sizes: n = 10 (check), 100000 (quick and full). */
#include "bench.h"

static double rosenbrock(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i + 1 < n; i += 2) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

static double rosenbrock_hand(const double *x, double *g, int n) {
  double f = 0.0;
  for (int i = 0; i + 1 < n; i += 2) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
    g[i] += -400.0 * a * x[i] - 2.0 * b;
    g[i + 1] += 200.0 * a;
  }
  return f;
}

static double *x, *dx, *tv; /* tv: the timed direction */
static int n;

static double value(int out) {
  (void)out;
  return rosenbrock(x, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(rosenbrock, x, g, n);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return rosenbrock_hand(x, g, n);
}

static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(rosenbrock, x, v, n);
#endif
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = rosenbrock(x, n); }
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(rosenbrock, x, tv, n);
#endif
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dx, 0, n * sizeof *dx);
  bench_sink = ct_value_with_gradient(rosenbrock, x, dx, n);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dx, 0, n * sizeof *dx);
  bench_sink = rosenbrock_hand(x, dx, n);
}

static void bench_setup(int check) {
  n = check ? 10 : bench_arg_int("n", 10, 100000, 100000);
  n &= ~1;
  bench_require(n >= 2, "invalid size: need n >= 2");
  x = bench_alloc(n * sizeof *x);
  dx = bench_alloc(n * sizeof *dx);
  tv = bench_alloc(n * sizeof *tv);
  bench_direction(tv, n);
  bench_seed(1);
  for (int i = 0; i < n; i++) /* around the standard start (-1.2, 1) */
    x[i] = (i % 2 ? 1.0 : -1.2) + bench_range(-0.2, 0.2);
  bench.n = n;
  bench.x = x;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = hand;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = run_hand;
  bench.tangent = tangent;
  bench.run_tangent = run_tangent;
  snprintf(bench.size, sizeof bench.size, "n=%d", n);
}
static void bench_teardown(void) {
  free(x);
  free(dx);
  free(tv);
}

BENCH_MAIN("rosenbrock")
