/* Dense matrix product loss in i-j-k order, as it is usually written: each
 * element of the product is an inner dot product of a row of A with a
 * column of B (B read with stride n):
 *
 *   f(A, B) = 1/2 || A B - T ||_F^2,   A, B, T: n x n (row-major)
 *
 * (matmul.c is the same loss in the vectorizable i-k-j order.) abi=ct
 * (default): ct_value_with_gradient; abi=enzyme: __enzyme_autodiff on a
 * function that writes its value through a pointer. Hand-written gradient
 * (R = AB - T, dA = R B^T, dB = A^T R) as a reference. Sizes: n = 5
 * (check), 128 (quick and full). */
#include "bench.h"

static double matmul_ijk_loss(const double *a, const double *b, const double *t CT_NO_DERIVATIVE,
                              int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int k = 0; k < n; k++)
        s += a[i * n + k] * b[k * n + j];
      double r = s - t[i * n + j];
      f += 0.5 * r * r;
    }
  return f;
}

static void matmul_ijk_loss_out(const double *a, const double *b, const double *t, int n, double *out) {
  *out = matmul_ijk_loss(a, b, t, n);
}

/* r: n*n scratch */
static double matmul_ijk_hand(const double *a, const double *b, const double *t, double *da, double *db,
                              double *r, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int k = 0; k < n; k++)
        s += a[i * n + k] * b[k * n + j];
      r[i * n + j] = s - t[i * n + j];
      f += 0.5 * r[i * n + j] * r[i * n + j];
    }
  for (int i = 0; i < n; i++) /* dA = R B^T */
    for (int k = 0; k < n; k++) {
      double s = 0.0;
      for (int j = 0; j < n; j++)
        s += r[i * n + j] * b[k * n + j];
      da[i * n + k] += s;
    }
  for (int i = 0; i < n; i++) /* dB = A^T R */
    for (int k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (int j = 0; j < n; j++)
        db[k * n + j] += aik * r[i * n + j];
    }
  return f;
}

static double *p, *dp, *t, *r; /* p = [A | B], dp = [dA | dB] */
static int n, enzyme;

#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_ct(double *g) {
  return ct_value_with_gradient(matmul_ijk_loss, p, g, p + (size_t)n * n, g + (size_t)n * n, t, n);
}
static BENCH_NOINLINE double grad_enzyme(double *g) {
  double out = 0.0, dout = 1.0;
  __enzyme_autodiff((void *)matmul_ijk_loss_out, enzyme_dup, p, g, enzyme_dup, p + (size_t)n * n,
                    g + (size_t)n * n, enzyme_const, t, enzyme_const, n, enzyme_dup, &out, &dout);
  return out;
}
#endif

static double value(int out) {
  (void)out;
  return matmul_ijk_loss(p, p + (size_t)n * n, t, n);
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
  return matmul_ijk_hand(p, p + (size_t)n * n, t, g, g + (size_t)n * n, r, n);
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = matmul_ijk_loss(p, p + (size_t)n * n, t, n); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, 2 * (size_t)n * n * sizeof *dp);
  bench_sink = gradient(0, dp);
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dp, 0, 2 * (size_t)n * n * sizeof *dp);
  bench_sink = matmul_ijk_hand(p, p + (size_t)n * n, t, dp, dp + (size_t)n * n, r, n);
}

static void bench_setup(int check) {
  enzyme = bench_enzyme_abi();
  n = check ? 5 : bench_arg_int("n", 5, 128, 128);
  bench_require(n >= 1, "invalid size: need n >= 1");
  p = bench_alloc(2 * (size_t)n * n * sizeof *p);
  dp = bench_alloc(2 * (size_t)n * n * sizeof *dp);
  t = bench_alloc((size_t)n * n * sizeof *t);
  r = bench_alloc((size_t)n * n * sizeof *r);
  bench_seed(41);
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
  snprintf(bench.size, sizeof bench.size, "n=%d%s", n, enzyme ? " enzyme" : "");
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(t);
  free(r);
}

BENCH_MAIN("matmul_ijk")
