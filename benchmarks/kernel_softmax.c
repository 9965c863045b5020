/* Runtime kernels, softmax and logsumexp (ct_logsumexp, ct_softmax,
 * ct_dot): cross-entropy of B rows of C logits, plus a softmax-weighted
 * score of the first row:
 *
 *   f(z) = sum_b [ logsumexp(z_b) - z_b[y_b] ] + <softmax(z_0), v>
 *
 * impl=kernel (default) calls the kernels; impl=loop is the same function
 * as plain loops (stable logsumexp) differentiated by Cotangent
 * (kernel_softmax_loop in scripts/bench). Sizes: B x C = 3 x 4 (check),
 * 200 x 1000 (quick), 1000 x 1000 (full). */
#include "bench.h"

static double f_kernel(const double *z, double *s, const double *v CT_NO_DERIVATIVE,
                       const int *label CT_NO_DERIVATIVE, long B, long C) {
  double f = 0.0;
  for (long b = 0; b < B; b++)
    f += ct_logsumexp(z + b * C, C) - z[b * C + label[b]];
  ct_softmax(z, s, C);
  return f + ct_dot(s, v, C);
}

static double f_loop(const double *z, double *s, const double *v CT_NO_DERIVATIVE, const int *label CT_NO_DERIVATIVE,
                     long B, long C) {
  double f = 0.0, first = 0.0;
  for (long b = 0; b < B; b++) {
    const double *r = z + b * C;
    double m = r[0];
    for (long j = 1; j < C; j++)
      m = r[j] > m ? r[j] : m;
    double e = 0.0;
    for (long j = 0; j < C; j++)
      e += exp(r[j] - m);
    f += m + log(e) - r[label[b]];
    if (b == 0)
      first = m + log(e);
  }
  for (long j = 0; j < C; j++) {
    s[j] = exp(z[j] - first);
    f += s[j] * v[j];
  }
  return f;
}

static double *z, *dz, *s, *ds, *v;
static int *label;
static long B, C;
static int loop;

static double primal(void) { return (loop ? f_loop : f_kernel)(z, s, v, label, B, C); }
static double value(int out) {
  (void)out;
  return primal();
}
#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_loop(double *g) { return ct_value_with_gradient(f_loop, z, g, s, ds, v, label, B, C); }
static BENCH_NOINLINE double grad_kernel(double *g) { return ct_value_with_gradient(f_kernel, z, g, s, ds, v, label, B, C); }
#endif
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(ds, 0, (size_t)C * sizeof *ds);
  return loop ? grad_loop(g) : grad_kernel(g);
#endif
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = primal(); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dz, 0, (size_t)(B * C) * sizeof *dz);
  bench_sink = gradient(0, dz);
}

static void bench_setup(int check) {
  loop = !strcmp(bench_arg_str("impl", "kernel"), "loop");
  B = check ? 3 : bench_arg_int("B", 3, 200, 1000);
  C = check ? 4 : bench_arg_int("C", 4, 1000, 1000);
  bench_require(B >= 1 && C >= 1, "invalid size: need B, C >= 1");
  z = bench_alloc((size_t)(B * C) * sizeof *z);
  dz = bench_alloc((size_t)(B * C) * sizeof *dz);
  s = bench_alloc((size_t)C * sizeof *s);
  ds = bench_alloc((size_t)C * sizeof *ds);
  v = bench_alloc((size_t)C * sizeof *v);
  label = bench_alloc((size_t)B * sizeof *label);
  bench_seed(14);
  for (long i = 0; i < B * C; i++)
    z[i] = bench_range(-3, 3);
  for (long j = 0; j < C; j++)
    v[j] = bench_range(-1, 1);
  for (long b = 0; b < B; b++)
    label[b] = (int)(bench_uniform() * (double)C);
  bench.n = (int)(B * C);
  bench.x = z;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "%ldx%ld %s", B, C, loop ? "loop" : "kernel");
}
static void bench_teardown(void) {
  free(z);
  free(dz);
  free(s);
  free(ds);
  free(v);
  free(label);
}

BENCH_MAIN("kernel_softmax")
