/* Dense matrix product loss:
 *
 *   f(A, B) = 1/2 || A B - T ||_F^2,   A, B, T: n x n (row-major)
 *
 * The product is computed row by row (i-k-j order, vectorizable) into a
 * row buffer that is updated in place. Hand-written gradient: R = AB - T,
 * dA = R B^T, dB = A^T R. Sizes: n = 5 (check), 128 (quick and full). */
#include "bench.h"

static double matmul_loss(const double *a, const double *b, const double *t CT_NO_DERIVATIVE,
                          int n) {
  double *row = malloc((size_t)n * sizeof *row);
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      row[j] = 0.0;
    for (int k = 0; k < n; k++) {
      double aik = a[(size_t)i * n + k];
      for (int j = 0; j < n; j++)
        row[j] += aik * b[(size_t)k * n + j];
    }
    for (int j = 0; j < n; j++) {
      double r = row[j] - t[(size_t)i * n + j];
      f += 0.5 * r * r;
    }
  }
  free(row);
  return f;
}

/* r: n*n scratch */
static double matmul_loss_hand(const double *a, const double *b, const double *t, double *da,
                               double *db, double *r, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    double *ri = r + (size_t)i * n;
    for (int j = 0; j < n; j++)
      ri[j] = -t[(size_t)i * n + j];
    for (int k = 0; k < n; k++) {
      double aik = a[(size_t)i * n + k];
      for (int j = 0; j < n; j++)
        ri[j] += aik * b[(size_t)k * n + j];
    }
    for (int j = 0; j < n; j++)
      f += 0.5 * ri[j] * ri[j];
  }
  for (int i = 0; i < n; i++) /* dA = R B^T */
    for (int k = 0; k < n; k++) {
      double s = 0.0;
      for (int j = 0; j < n; j++)
        s += r[(size_t)i * n + j] * b[(size_t)k * n + j];
      da[(size_t)i * n + k] += s;
    }
  for (int k = 0; k < n; k++) /* dB = A^T R */
    for (int i = 0; i < n; i++) {
      double aik = a[(size_t)i * n + k];
      for (int j = 0; j < n; j++)
        db[(size_t)k * n + j] += aik * r[(size_t)i * n + j];
    }
  return f;
}

static double *p, *dp, *t, *r; /* p = [A | B], dp = [dA | dB] */
static int n;

static double value(int out) {
  (void)out;
  return matmul_loss(p, p + (size_t)n * n, t, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(matmul_loss, p, g, p + (size_t)n * n, g + (size_t)n * n, t, n);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return matmul_loss_hand(p, p + (size_t)n * n, t, g, g + (size_t)n * n, r, n);
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(matmul_loss, p, v, p + (size_t)n * n, v + (size_t)n * n, t, n);
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(matmul_loss, p, tv, p + (size_t)n * n, tv + (size_t)n * n, t, n);
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  bench_sink = matmul_loss(p, p + (size_t)n * n, t, n);
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dp, 0, 2 * (size_t)n * n * sizeof *dp);
  bench_sink =
      ct_value_with_gradient(matmul_loss, p, dp, p + (size_t)n * n, dp + (size_t)n * n, t, n);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dp, 0, 2 * (size_t)n * n * sizeof *dp);
  bench_sink = matmul_loss_hand(p, p + (size_t)n * n, t, dp, dp + (size_t)n * n, r, n);
}

static void bench_setup(int check) {
  n = check ? 5 : bench_arg_int("n", 5, 128, 128);
  bench_require(n >= 1, "invalid size: need n >= 1");
  p = bench_alloc(2 * (size_t)n * n * sizeof *p);
  dp = bench_alloc(2 * (size_t)n * n * sizeof *dp);
  t = bench_alloc((size_t)n * n * sizeof *t);
  r = bench_alloc((size_t)n * n * sizeof *r);
  tv = bench_alloc((2 * (size_t)n * n) * sizeof *tv);
  bench_direction(tv, (int)(2 * (size_t)n * n));
  bench_seed(3);
  for (size_t i = 0; i < 2 * (size_t)n * n; i++)
    p[i] = bench_range(-1, 1);
  for (size_t i = 0; i < (size_t)n * n; i++)
    t[i] = bench_range(-1, 1);
  bench.n = 2 * n * n;
  bench.x = p;
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
  free(p);
  free(tv);
  free(dp);
  free(t);
  free(r);
}

BENCH_MAIN("matmul")
