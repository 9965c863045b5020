/* BLAS calls (issue 20): a two-layer perceptron's mean squared error,
 *
 *   f(W1, b1, W2) = 1/B || relu(X W1^T + b1) W2^T - T ||_F^2,
 *
 * X: B x m, W1: h x m, W2: o x h (row-major, weights as [out x in]). The
 * gradient w.r.t. W1, b1 and W2. impl=blas (default) calls cblas_dgemm
 * (the adjoints are two more dgemm calls per product); impl=loop writes the
 * products as loops (i-k-j), differentiated by Cotangent (blas_mlp_loop in
 * scripts/bench). Sizes B x m = h = o: 4 x 6 (check), 64 x 256 (quick),
 * 256 x 512 (full). */
#include "bench.h"

#include <cblas.h>

static double f_blas(const double *x CT_NO_DERIVATIVE, const double *t CT_NO_DERIVATIVE, const double *w1,
                     const double *b1, const double *w2, double *hid, double *out, long nb, long m) {
  long h = m, o = m;
  for (long i = 0; i < nb; i++)
    for (long j = 0; j < h; j++)
      hid[i * h + j] = b1[j];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)h, (int)m, 1.0, x, (int)m, w1, (int)m, 1.0, hid,
              (int)h);
  for (long i = 0; i < nb * h; i++)
    hid[i] = hid[i] > 0 ? hid[i] : 0;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)o, (int)h, 1.0, hid, (int)h, w2, (int)h, 0.0, out,
              (int)o);
  double f = 0;
  for (long i = 0; i < nb * o; i++)
    f += (out[i] - t[i]) * (out[i] - t[i]);
  return f / (double)nb;
}

static double f_loop(const double *x CT_NO_DERIVATIVE, const double *t CT_NO_DERIVATIVE, const double *w1,
                     const double *b1, const double *w2, double *hid, double *out, long nb, long m) {
  long h = m, o = m;
  for (long i = 0; i < nb; i++)
    for (long j = 0; j < h; j++) {
      double s = b1[j];
      for (long k = 0; k < m; k++)
        s += x[i * m + k] * w1[j * m + k];
      hid[i * h + j] = s > 0 ? s : 0;
    }
  double f = 0;
  for (long i = 0; i < nb; i++)
    for (long j = 0; j < o; j++) {
      double s = 0;
      for (long k = 0; k < h; k++)
        s += hid[i * h + k] * w2[j * h + k];
      out[i * o + j] = s;
      f += (s - t[i * o + j]) * (s - t[i * o + j]);
    }
  return f / (double)nb;
}

static double *x, *t, *p, *dp, *hid, *dhid, *out, *dout; /* p = [W1 | b1 | W2] */
static long nb, m;
static int loop;

static double primal(void) { return (loop ? f_loop : f_blas)(x, t, p, p + m * m, p + m * m + m, hid, out, nb, m); }
static double value(int o) {
  (void)o;
  return primal();
}
#ifndef NO_GRADIENT
static BENCH_NOINLINE double grad_loop(double *g) {
  return ct_value_with_gradient(f_loop, x, t, p, g, p + m * m, g + m * m, p + m * m + m, g + m * m + m, hid, dhid, out,
                                dout, nb, m);
}
static BENCH_NOINLINE double grad_blas(double *g) {
  return ct_value_with_gradient(f_blas, x, t, p, g, p + m * m, g + m * m, p + m * m + m, g + m * m + m, hid, dhid, out,
                                dout, nb, m);
}
#endif
static double gradient(int o, double *g) {
  (void)o;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(dhid, 0, (size_t)(nb * m) * sizeof *dhid);
  memset(dout, 0, (size_t)(nb * m) * sizeof *dout);
  return loop ? grad_loop(g) : grad_blas(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, (size_t)(2 * m * m + m) * sizeof *dp);
  bench_sink = gradient(0, dp);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "blas"), "loop");
  nb = check ? 4 : bench_arg_int("batch", 4, 64, 256);
  m = check ? 6 : bench_arg_int("m", 6, 256, 512);
  bench_require(nb >= 1 && m >= 1, "invalid size: need batch, m >= 1");
  long np = 2 * m * m + m;
  x = bench_alloc((size_t)(nb * m) * sizeof *x);
  t = bench_alloc((size_t)(nb * m) * sizeof *t);
  p = bench_alloc((size_t)np * sizeof *p);
  dp = bench_alloc((size_t)np * sizeof *dp);
  hid = bench_alloc((size_t)(nb * m) * sizeof *hid);
  dhid = bench_alloc((size_t)(nb * m) * sizeof *dhid);
  out = bench_alloc((size_t)(nb * m) * sizeof *out);
  dout = bench_alloc((size_t)(nb * m) * sizeof *dout);
  bench_seed(21);
  for (long i = 0; i < nb * m; i++)
    x[i] = bench_range(-1, 1), t[i] = bench_range(-1, 1);
  double s = 1 / sqrt((double)m);
  for (long i = 0; i < np; i++)
    p[i] = bench_range(-s, s) + (i >= m * m && i < m * m + m ? 0.1 : 0); /* biases away from the ReLU kink */
  bench.n = (int)np;
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "B=%ld m=%ld %s", nb, m, loop ? "loop" : "dgemm");
}
static void bench_teardown(void) {
  free(x);
  free(t);
  free(p);
  free(dp);
  free(hid);
  free(dhid);
  free(out);
  free(dout);
}

BENCH_MAIN("blas_mlp")
