/* LSTM loss, in ADBench's formulation (Srajer et al. 2018), implemented
 * here from its definition: l layers of b hidden units, a sequence of c
 * characters (each a vector of b values); for t < c-1 the network reads
 * character t and predicts character t+1, the loss is the mean negative
 * log-likelihood of the next character under a log-softmax of the output.
 *
 *   main parameters, per layer: weight (4b), bias (4b)
 *   extra parameters: input weight (b), output weight (b), output bias (b)
 *   state, per layer: hidden (b), cell (b)  (constant input, copied)
 *
 *   per layer, elementwise:
 *     forget = sigmoid(in * w[0:b]   + bias[0:b])
 *     ingate = sigmoid(h  * w[b:2b]  + bias[b:2b])
 *     outgt  = sigmoid(in * w[2b:3b] + bias[2b:3b])
 *     change = tanh   (h  * w[3b:4b] + bias[3b:4b])
 *     cell = cell * forget + ingate * change;  h = outgt * tanh(cell)
 *   the first layer reads in = x_t * in_weight, layer i+1 reads h of layer i;
 *   prediction = h_last * out_weight + out_bias
 *   loss = -1/((c-1) b) sum_t sum_j x_{t+1,j} (pred_j - logsumexp(pred))
 *
 * Gradient with respect to the main and extra parameters.
 * Sizes (l, c, b): 2, 4, 3 (check); 2, 1024, 14 (quick and full). */
#include "bench.h"

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static double lstm_objective(const double *main_params, const double *extra_params,
                             const double *state0 CT_NO_DERIVATIVE,
                             const double *seq CT_NO_DERIVATIVE, int l, int c, int b) {
  double *state = malloc((size_t)2 * l * b * sizeof *state);
  double *in = malloc((size_t)b * sizeof *in);
  double *pred = malloc((size_t)b * sizeof *pred);
  for (int i = 0; i < 2 * l * b; i++)
    state[i] = state0[i];
  const double *in_w = extra_params, *out_w = extra_params + b, *out_b = extra_params + 2 * b;
  double total = 0.0;
  for (int t = 0; t < c - 1; t++) {
    for (int j = 0; j < b; j++)
      in[j] = seq[(size_t)t * b + j] * in_w[j];
    for (int layer = 0; layer < l; layer++) {
      const double *w = main_params + (size_t)layer * 8 * b, *bias = w + 4 * b;
      double *h = state + (size_t)layer * 2 * b, *cell = h + b;
      for (int j = 0; j < b; j++) {
        double forget = sigmoid(in[j] * w[j] + bias[j]);
        double ingate = sigmoid(h[j] * w[b + j] + bias[b + j]);
        double outgate = sigmoid(in[j] * w[2 * b + j] + bias[2 * b + j]);
        double change = tanh(h[j] * w[3 * b + j] + bias[3 * b + j]);
        cell[j] = cell[j] * forget + ingate * change;
        h[j] = outgate * tanh(cell[j]);
      }
      for (int j = 0; j < b; j++)
        in[j] = h[j];
    }
    for (int j = 0; j < b; j++)
      pred[j] = in[j] * out_w[j] + out_b[j];
    double mx = pred[0];
    for (int j = 1; j < b; j++)
      if (pred[j] > mx)
        mx = pred[j];
    double s = 0.0;
    for (int j = 0; j < b; j++)
      s += exp(pred[j] - mx);
    double lse = mx + log(s);
    const double *gold = seq + (size_t)(t + 1) * b;
    for (int j = 0; j < b; j++)
      total += gold[j] * (pred[j] - lse);
  }
  free(state);
  free(in);
  free(pred);
  return -total / ((double)(c - 1) * b);
}

static double *p, *dp, *state0, *seq; /* p = [main | extra] */
static int l, c, b;
static size_t nmain;

static double value(int out) {
  (void)out;
  return lstm_objective(p, p + nmain, state0, seq, l, c, b);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(lstm_objective, p, g, p + nmain, g + nmain, state0, seq, l, c, b);
#endif
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(lstm_objective, p, v, p + nmain, v + nmain, state0, seq, l, c, b);
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(lstm_objective, p, tv, p + nmain, tv + nmain, state0, seq, l, c, b);
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  bench_sink = lstm_objective(p, p + nmain, state0, seq, l, c, b);
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dp, 0, (nmain + 3 * (size_t)b) * sizeof *dp);
  bench_sink =
      ct_value_with_gradient(lstm_objective, p, dp, p + nmain, dp + nmain, state0, seq, l, c, b);
#endif
}

static void bench_setup(int check) {
  l = check ? 2 : bench_arg_int("l", 2, 2, 2);
  c = check ? 4 : bench_arg_int("c", 4, 1024, 1024);
  b = check ? 3 : bench_arg_int("b", 3, 14, 14);
  bench_require(l >= 1 && c >= 2 && b >= 1, "invalid size: need l >= 1, c >= 2, b >= 1");
  nmain = (size_t)l * 8 * b;
  size_t np = nmain + 3 * (size_t)b;
  p = bench_alloc(np * sizeof *p);
  dp = bench_alloc(np * sizeof *dp);
  state0 = bench_alloc((size_t)2 * l * b * sizeof *state0);
  seq = bench_alloc((size_t)c * b * sizeof *seq);
  tv = bench_alloc((np) * sizeof *tv);
  bench_direction(tv, (int)(np));
  bench_seed(6);
  for (size_t i = 0; i < np; i++)
    p[i] = bench_range(-1, 1);
  for (int i = 0; i < 2 * l * b; i++)
    state0[i] = bench_range(-0.5, 0.5);
  for (size_t i = 0; i < (size_t)c * b; i++)
    seq[i] = bench_uniform();
  bench.n = (int)np;
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = NULL;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = NULL;
  bench.tangent = tangent;
  bench.run_tangent = run_tangent;
  snprintf(bench.size, sizeof bench.size, "l=%d c=%d b=%d", l, c, b);
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(state0);
  free(seq);
  free(tv);
}

BENCH_MAIN("lstm")
