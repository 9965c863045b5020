/* A 1-D convolution layer (valid padding, stride 1) with a tanh activation
 * and a squared-error loss:
 *
 *   y[o][t] = tanh(b[o] + sum_{c<Cin, k<K} W[o][c][k] x[c][t+k]),  t < L-K+1
 *   f(W, b, x) = 1/2 sum_{o,t} (y[o][t] - target[o][t])^2
 *
 * Differentiated with respect to the weights, the biases and the input.
 * Hand-written reference: the usual backward convolution.
 * Sizes (Cin, Cout, K, L): 2, 3, 3, 10 (check); 16, 32, 5, 1024 (quick);
 * 16, 32, 5, 4096 (full). */
#include "bench.h"

static double conv1d_loss(const double *w, const double *b, const double *x,
                          const double *target CT_NO_DERIVATIVE, int cin, int cout, int k, int l) {
  int lo = l - k + 1;
  double f = 0.0;
  for (int o = 0; o < cout; o++)
    for (int t = 0; t < lo; t++) {
      double acc = b[o];
      for (int c = 0; c < cin; c++)
        for (int j = 0; j < k; j++)
          acc += w[((size_t)o * cin + c) * k + j] * x[(size_t)c * l + t + j];
      double e = tanh(acc) - target[(size_t)o * lo + t];
      f += 0.5 * e * e;
    }
  return f;
}

static double conv1d_loss_hand(const double *w, const double *b, const double *x,
                               const double *target, double *dw, double *db, double *dx, int cin,
                               int cout, int k, int l) {
  int lo = l - k + 1;
  double f = 0.0;
  for (int o = 0; o < cout; o++)
    for (int t = 0; t < lo; t++) {
      double acc = b[o];
      for (int c = 0; c < cin; c++)
        for (int j = 0; j < k; j++)
          acc += w[((size_t)o * cin + c) * k + j] * x[(size_t)c * l + t + j];
      double y = tanh(acc);
      double e = y - target[(size_t)o * lo + t];
      f += 0.5 * e * e;
      double dacc = e * (1.0 - y * y);
      db[o] += dacc;
      for (int c = 0; c < cin; c++)
        for (int j = 0; j < k; j++) {
          dw[((size_t)o * cin + c) * k + j] += dacc * x[(size_t)c * l + t + j];
          dx[(size_t)c * l + t + j] += dacc * w[((size_t)o * cin + c) * k + j];
        }
    }
  return f;
}

static double *p, *dp, *target; /* p = [W | b | x] */
static int cin, cout, k, l;
static size_t nw, nb, nx;

static double value(int out) {
  (void)out;
  return conv1d_loss(p, p + nw, p + nw + nb, target, cin, cout, k, l);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(conv1d_loss, p, g, p + nw, g + nw, p + nw + nb, g + nw + nb, target,
                                cin, cout, k, l);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return conv1d_loss_hand(p, p + nw, p + nw + nb, target, g, g + nw, g + nw + nb, cin, cout, k, l);
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(conv1d_loss, p, v, p + nw, v + nw, p + nw + nb, v + nw + nb, target, cin, cout, k, l);
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(conv1d_loss, p, tv, p + nw, tv + nw, p + nw + nb, tv + nw + nb, target, cin, cout, k, l);
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  bench_sink = conv1d_loss(p, p + nw, p + nw + nb, target, cin, cout, k, l);
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dp, 0, (nw + nb + nx) * sizeof *dp);
  bench_sink = ct_value_with_gradient(conv1d_loss, p, dp, p + nw, dp + nw, p + nw + nb,
                                      dp + nw + nb, target, cin, cout, k, l);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dp, 0, (nw + nb + nx) * sizeof *dp);
  bench_sink =
      conv1d_loss_hand(p, p + nw, p + nw + nb, target, dp, dp + nw, dp + nw + nb, cin, cout, k, l);
}

static void bench_setup(int check) {
  cin = check ? 2 : bench_arg_int("Cin", 2, 16, 16);
  cout = check ? 3 : bench_arg_int("Cout", 3, 32, 32);
  k = check ? 3 : bench_arg_int("K", 3, 5, 5);
  l = check ? 10 : bench_arg_int("L", 10, 1024, 4096);
  bench_require(cin >= 1 && cout >= 1 && k >= 1 && l >= k,
                "invalid size: need Cin, Cout, K >= 1, L >= K");
  nw = (size_t)cout * cin * k;
  nb = cout;
  nx = (size_t)cin * l;
  size_t lo = l - k + 1;
  p = bench_alloc((nw + nb + nx) * sizeof *p);
  dp = bench_alloc((nw + nb + nx) * sizeof *dp);
  target = bench_alloc(cout * lo * sizeof *target);
  tv = bench_alloc((nw + nb + nx) * sizeof *tv);
  bench_direction(tv, (int)(nw + nb + nx));
  bench_seed(4);
  double scale = 1.0 / sqrt((double)cin * k);
  for (size_t i = 0; i < nw; i++)
    p[i] = scale * bench_range(-1, 1);
  for (size_t i = 0; i < nb; i++)
    p[nw + i] = 0.1 * bench_range(-1, 1);
  for (size_t i = 0; i < nx; i++)
    p[nw + nb + i] = bench_range(-1, 1);
  for (size_t i = 0; i < cout * lo; i++)
    target[i] = bench_range(-0.5, 0.5);
  bench.n = (int)(nw + nb + nx);
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
  snprintf(bench.size, sizeof bench.size, "Cin=%d Cout=%d K=%d L=%d", cin, cout, k, l);
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(tv);
  free(target);
}

BENCH_MAIN("conv1d")
