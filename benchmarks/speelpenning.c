/* Speelpenning's product: f(x) = x_0 x_1 ... x_{n-1}.
 *
 * The classic reverse-mode example: every partial derivative is the product
 * of all the others. Hand-written reference: prefix and suffix products
 * (O(n), no division). Sizes: n = 10 (check), 1000 (quick), 10000 (full). */
#include "bench.h"

static double speelpenning(const double *x, int n) {
  double p = 1.0;
  for (int i = 0; i < n; i++)
    p *= x[i];
  return p;
}

/* g += df/dx; work holds n doubles */
static double speelpenning_hand(const double *x, double *g, double *work, int n) {
  double p = 1.0;
  for (int i = 0; i < n; i++) { /* work[i] = x_0 ... x_{i-1} */
    work[i] = p;
    p *= x[i];
  }
  double s = 1.0; /* x_{i+1} ... x_{n-1} */
  for (int i = n - 1; i >= 0; i--) {
    g[i] += work[i] * s;
    s *= x[i];
  }
  return p;
}

static double *x, *dx, *work;
static int n;

static double value(int out) {
  (void)out;
  return speelpenning(x, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(speelpenning, x, g, n);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return speelpenning_hand(x, g, work, n);
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(speelpenning, x, v, n);
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(speelpenning, x, tv, n);
#endif
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = speelpenning(x, n); }
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dx, 0, n * sizeof *dx);
  bench_sink = ct_value_with_gradient(speelpenning, x, dx, n);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dx, 0, n * sizeof *dx);
  bench_sink = speelpenning_hand(x, dx, work, n);
}

static void bench_setup(int check) {
  n = check ? 10 : bench_arg_int("n", 10, 1000, 10000);
  bench_require(n >= 1, "invalid size: need n >= 1");
  x = bench_alloc(n * sizeof *x);
  dx = bench_alloc(n * sizeof *dx);
  work = bench_alloc(n * sizeof *work);
  tv = bench_alloc((n) * sizeof *tv);
  bench_direction(tv, (int)(n));
  /* close to 1 so that the product neither overflows nor underflows */
  for (int i = 0; i < n; i++)
    x[i] = 1.0 + 0.01 * sin(1.0 + i) + (check ? 0.3 * cos(0.7 * i) : 0.0);
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
  free(work);
  free(tv);
}

BENCH_MAIN("speelpenning")
