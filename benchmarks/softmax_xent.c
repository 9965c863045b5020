/* Softmax cross-entropy (mean over a batch) through a stable logsumexp:
 *
 *   f(Z) = 1/B sum_b [ logsumexp(Z_b) - Z_b[y_b] ],
 *   logsumexp(z) = m + log sum_j exp(z_j - m),  m = max_j z_j
 *
 * Z is B x C logits, y the integer labels (constant). The gradient through
 * the max (a branch) cancels; the hand-written one is (softmax - onehot)/B.
 * Sizes: B x C = 3 x 7 (check), 200 x 1000 (quick), 1000 x 1000 (full). */
#include "bench.h"

static double logsumexp(const double *z, int c) {
  double m = z[0];
  for (int j = 1; j < c; j++)
    if (z[j] > m)
      m = z[j];
  double s = 0.0;
  for (int j = 0; j < c; j++)
    s += exp(z[j] - m);
  return m + log(s);
}

static double xent(const double *z, const int *y CT_NO_DERIVATIVE, int b, int c) {
  double total = 0.0;
  for (int i = 0; i < b; i++)
    total += logsumexp(z + (size_t)i * c, c) - z[(size_t)i * c + y[i]];
  return total / b;
}

static double xent_hand(const double *z, const int *y, double *g, int b, int c) {
  double total = 0.0;
  for (int i = 0; i < b; i++) {
    const double *zi = z + (size_t)i * c;
    double *gi = g + (size_t)i * c;
    double lse = logsumexp(zi, c);
    total += lse - zi[y[i]];
    for (int j = 0; j < c; j++)
      gi[j] += exp(zi[j] - lse) / b;
    gi[y[i]] -= 1.0 / b;
  }
  return total / b;
}

static double *z, *dz;
static int *y;
static int b, c;

static double value(int out) {
  (void)out;
  return xent(z, y, b, c);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(xent, z, g, y, b, c);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return xent_hand(z, y, g, b, c);
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = xent(z, y, b, c); }
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dz, 0, (size_t)b * c * sizeof *dz);
  bench_sink = ct_value_with_gradient(xent, z, dz, y, b, c);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dz, 0, (size_t)b * c * sizeof *dz);
  bench_sink = xent_hand(z, y, dz, b, c);
}

static void bench_setup(int check) {
  b = check ? 3 : bench_arg_int("B", 3, 200, 1000);
  c = check ? 7 : bench_arg_int("C", 7, 1000, 1000);
  bench_require(b >= 1 && c >= 1, "invalid size: need B >= 1, C >= 1");
  z = bench_alloc((size_t)b * c * sizeof *z);
  dz = bench_alloc((size_t)b * c * sizeof *dz);
  y = bench_alloc(b * sizeof *y);
  bench_seed(2);
  for (size_t i = 0; i < (size_t)b * c; i++)
    z[i] = 3.0 * bench_normal();
  for (int i = 0; i < b; i++)
    y[i] = (int)(bench_uniform() * c);
  bench.n = b * c;
  bench.x = z;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = hand;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = run_hand;
  snprintf(bench.size, sizeof bench.size, "B=%d C=%d", b, c);
}
static void bench_teardown(void) {
  free(z);
  free(dz);
  free(y);
}

BENCH_MAIN("softmax_xent")
