/* Rosenbrock's function in its chained form, as it is usually written
 * (each term reads a neighbour of the previous one):
 *
 *   f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2
 *
 * (rosenbrock.c is the extended form, with independent pairs.) abi=ct
 * (default) takes the gradient with ct_value_with_gradient, abi=enzyme
 * through __enzyme_autodiff on a function that writes its value through a
 * pointer (the calling convention of the published AD benchmarks).
 * Hand-written gradient as a reference. Sizes: n = 10 (check), 100000
 * (quick and full). */
#include "bench.h"

static double rosenbrock_chain(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n - 1; i++) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

/* the value through a pointer, for __enzyme_autodiff */
static void rosenbrock_chain_out(const double *x, int n, double *out) {
  *out = rosenbrock_chain(x, n);
}

static double rosenbrock_chain_hand(const double *x, double *g, int n) {
  double f = 0.0;
  for (int i = 0; i < n - 1; i++) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
    g[i] += -400.0 * a * x[i] - 2.0 * b;
    g[i + 1] += 200.0 * a;
  }
  return f;
}

static double *x, *dx;
static int n, enzyme;

#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_ct(double *g) { return ct_value_with_gradient(rosenbrock_chain, x, g, n); }
static BENCH_NOINLINE double grad_enzyme(double *g) {
  double out = 0.0, dout = 1.0;
  __enzyme_autodiff((void *)rosenbrock_chain_out, enzyme_dup, x, g, enzyme_const, n, enzyme_dup, &out,
                    &dout);
  return out;
}
#endif

static double value(int out) {
  (void)out;
  return rosenbrock_chain(x, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return enzyme ? grad_enzyme(g) : grad_ct(g);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return rosenbrock_chain_hand(x, g, n);
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = rosenbrock_chain(x, n); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dx, 0, n * sizeof *dx);
  bench_sink = gradient(0, dx);
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dx, 0, n * sizeof *dx);
  bench_sink = rosenbrock_chain_hand(x, dx, n);
}

static void bench_setup(int check) {
  enzyme = bench_enzyme_abi();
  n = check ? 10 : bench_arg_int("n", 10, 100000, 100000);
  bench_require(n >= 2, "invalid size: need n >= 2");
  x = bench_alloc(n * sizeof *x);
  dx = bench_alloc(n * sizeof *dx);
  bench_seed(21);
  for (int i = 0; i < n; i++) /* around the standard start (-1.2, 1, 1, ...) */
    x[i] = (i == 0 ? -1.2 : 1.0) + bench_range(-0.3, 0.3);
  bench.n = n;
  bench.x = x;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = hand;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = run_hand;
  snprintf(bench.size, sizeof bench.size, "n=%d%s", n, enzyme ? " enzyme" : "");
}
static void bench_teardown(void) {
  free(x);
  free(dx);
}

BENCH_MAIN("rosenbrock_chain")
