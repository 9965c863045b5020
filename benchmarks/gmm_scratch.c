/* The GMM objective of gmm.c (ADBench's parameterisation, Wishart prior),
 * written the way the published C objective is structured: small helper
 * functions, and for every (point i, component k) pair the helpers write
 * into scratch buffers that the next pair reuses,
 *
 *   centered = x_i - mu_k             (one buffer of d)
 *   qx       = Q_k centered           (a second buffer of d; Q_k lower
 *                                      triangular: exp(q_k) on the
 *                                      diagonal, l_k below, by columns)
 *   term[k]  = alpha_k + sum(q_k) - 1/2 |qx|^2
 *
 * then a log-sum-exp over the K terms of each point:
 *
 *   f = -n d/2 log(2 pi) + sum_i logsumexp_k(term) - n logsumexp(alpha)
 *       + sum_k [ gamma^2/2 (|exp(q_k)|^2 + |l_k|^2) - m sum(q_k) ] - K C(gamma, m, d)
 *
 * (the same value as gmm.c). The objective writes its value through a
 * pointer, as the published one does: abi=ct (default) differentiates a
 * wrapper that returns it with ct_value_with_gradient, abi=enzyme calls
 * __enzyme_autodiff on the objective itself. Data: deterministic, d=D,
 * K=K, n=1000 points, gamma = 1, m = 0; the check instance uses the same d
 * and K and 8 points. Gradient with respect to alphas, means and icf. */
#include "bench.h"

static double vec_max(int n, const double *v) {
  double m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > m)
      m = v[i];
  return m;
}

static double log_sum_exp(int n, const double *v) {
  double m = vec_max(n, v);
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i] - m);
  return log(s) + m;
}

static double squared_norm(int n, const double *v) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += v[i] * v[i];
  return s;
}

static void vec_sub(int n, const double *a, const double *b, double *out) {
  for (int i = 0; i < n; i++)
    out[i] = a[i] - b[i];
}

/* out = Q v, Q lower triangular: diag on the diagonal, below it lower[]
 * column by column */
static void tri_times_vec(int d, const double *diag, const double *lower, const double *v, double *out) {
  for (int i = 0; i < d; i++)
    out[i] = diag[i] * v[i];
  int idx = 0;
  for (int j = 0; j < d; j++)
    for (int i = j + 1; i < d; i++)
      out[i] += lower[idx++] * v[j];
}

/* the diagonals exp(q_k) and the sums of q_k */
static void unpack_q(int d, int k, const double *icf, double *diags, double *sum_q) {
  int icf_sz = d * (d + 1) / 2;
  for (int c = 0; c < k; c++) {
    const double *q = icf + c * icf_sz;
    sum_q[c] = 0.0;
    for (int j = 0; j < d; j++) {
      sum_q[c] += q[j];
      diags[c * d + j] = exp(q[j]);
    }
  }
}

static double log_gamma_multi(double a, int p) {
  double r = 0.25 * p * (p - 1) * log(3.14159265358979323846);
  for (int j = 1; j <= p; j++)
    r += lgamma(a + 0.5 * (1 - j));
  return r;
}

static double wishart_prior(int d, int k, double gamma, int m, const double *sum_q, const double *diags,
                            const double *icf) {
  int icf_sz = d * (d + 1) / 2;
  int nu = d + m + 1;
  double c = nu * d * (log(gamma) - 0.5 * log(2.0)) - log_gamma_multi(0.5 * nu, d);
  double out = 0.0;
  for (int ik = 0; ik < k; ik++) {
    double frob = squared_norm(d, diags + ik * d) + squared_norm(icf_sz - d, icf + ik * icf_sz + d);
    out += 0.5 * gamma * gamma * frob - m * sum_q[ik];
  }
  return out - k * c;
}

static void gmm_objective(int d, int k, int n, const double *alphas, const double *means,
                          const double *icf, const double *x, double gamma, int m, double *err) {
  int icf_sz = d * (d + 1) / 2;
  double *diags = malloc((size_t)d * k * sizeof *diags);
  double *sum_q = malloc((size_t)k * sizeof *sum_q);
  double *centered = malloc((size_t)d * sizeof *centered);
  double *qx = malloc((size_t)d * sizeof *qx);
  double *term = malloc((size_t)k * sizeof *term);
  unpack_q(d, k, icf, diags, sum_q);
  double slse = 0.0;
  for (int i = 0; i < n; i++) {
    for (int ik = 0; ik < k; ik++) {
      vec_sub(d, x + i * d, means + ik * d, centered);
      tri_times_vec(d, diags + ik * d, icf + ik * icf_sz + d, centered, qx);
      term[ik] = alphas[ik] + sum_q[ik] - 0.5 * squared_norm(d, qx);
    }
    slse += log_sum_exp(k, term);
  }
  double lse_alphas = log_sum_exp(k, alphas);
  *err = -n * d * 0.5 * log(2 * 3.14159265358979323846) + slse - n * lse_alphas +
         wishart_prior(d, k, gamma, m, sum_q, diags, icf);
  free(diags);
  free(sum_q);
  free(centered);
  free(qx);
  free(term);
}

/* for ct_value_with_gradient, which differentiates a returned value */
static double gmm_value(const double *alphas, const double *means, const double *icf,
                        const double *x CT_NO_DERIVATIVE, double gamma, int m, int d, int k, int n) {
  double err;
  gmm_objective(d, k, n, alphas, means, icf, x, gamma, m, &err);
  return err;
}

static double *p, *dp, *x; /* p = [alphas | means | icf] */
static double gamma_w;
static int m_w, d, k, n, icf_sz, enzyme;

#define GMM_ARGS(P) (P), (P) + k, (P) + k + (size_t)k *d

#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_ct(double *g) {
  return ct_value_with_gradient(gmm_value, p, g, p + k, g + k, p + k + (size_t)k * d, g + k + (size_t)k * d,
                                x, ct_const(gamma_w), m_w, d, k, n);
}
static BENCH_NOINLINE double grad_enzyme(double *g) {
  double err = 0.0, derr = 1.0;
  __enzyme_autodiff((void *)gmm_objective, enzyme_const, d, enzyme_const, k, enzyme_const, n, enzyme_dup, p,
                    g, enzyme_dup, p + k, g + k, enzyme_dup, p + k + (size_t)k * d, g + k + (size_t)k * d,
                    enzyme_const, x, enzyme_const, gamma_w, enzyme_const, m_w, enzyme_dup, &err, &derr);
  return err;
}
#endif

static double value(int out) {
  (void)out;
  return gmm_value(GMM_ARGS(p), x, gamma_w, m_w, d, k, n);
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

static BENCH_NOINLINE void run_primal(void) {
  double err;
  gmm_objective(d, k, n, GMM_ARGS(p), x, gamma_w, m_w, &err);
  bench_sink = err;
}
static BENCH_NOINLINE void run_gradient(void) {
  memset(dp, 0, ((size_t)k * (1 + d + icf_sz)) * sizeof *dp);
  bench_sink = gradient(0, dp);
}

static void bench_setup(int check) {
  enzyme = bench_enzyme_abi();
  d = bench_arg_int("d", 2, 2, 2);
  k = bench_arg_int("K", 5, 5, 5);
  n = check ? 8 : bench_arg_int("n", 10, 1000, 1000);
  bench_require(d >= 1 && k >= 1 && n >= 1, "invalid size: need d, K, n >= 1");
  icf_sz = d * (d + 1) / 2;
  size_t np = (size_t)k * (1 + d + icf_sz);
  p = bench_alloc(np * sizeof *p);
  dp = bench_alloc(np * sizeof *dp);
  x = bench_alloc((size_t)n * d * sizeof *x);
  bench_seed(7 + 1000 * d + k);
  for (int c = 0; c < k; c++)
    p[c] = bench_normal();
  for (size_t i = 0; i < (size_t)k * d; i++)
    p[k + i] = bench_uniform();
  for (int c = 0; c < k; c++) {
    double *q = p + k + (size_t)k * d + (size_t)c * icf_sz;
    for (int j = 0; j < d; j++)
      q[j] = bench_range(-0.5, 0.5); /* log of the diagonal */
    for (int j = d; j < icf_sz; j++)
      q[j] = bench_range(-0.3, 0.3);
  }
  for (size_t i = 0; i < (size_t)n * d; i++)
    x[i] = bench_uniform();
  gamma_w = 1.0;
  m_w = 0;
  bench.n = (int)np;
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "d=%d K=%d n=%d%s", d, k, n, enzyme ? " enzyme" : "");
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(x);
}

BENCH_MAIN("gmm_scratch")
