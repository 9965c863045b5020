/* Gaussian mixture model objective, in ADBench's parameterisation
 * (Srajer, Kukelova and Fitzgibbon, "A benchmark of selected algorithmic
 * differentiation tools on some problems in computer vision and machine
 * learning", 2018), implemented here from the published formula:
 *
 *   parameters: alphas (K), means mu_k (K x D), icf_k (K x D(D+1)/2):
 *     the log of the diagonal q_k (D) of Q_k, then its strictly lower
 *     triangle l_k (D(D-1)/2, column by column); Q_k = inverse Cholesky
 *     factor of covariance k, diag(Q_k) = exp(q_k)
 *
 *   f = -n D/2 log(2 pi)
 *       + sum_i logsumexp_k( alpha_k + sum(q_k) - 1/2 |Q_k (x_i - mu_k)|^2 )
 *       - n logsumexp(alpha)
 *       + sum_k [ gamma^2/2 (|exp(q_k)|^2 + |l_k|^2) - m sum(q_k) ] - K C(gamma, m, D)
 *
 *   C = nu D (log gamma - log(2)/2) - log Gamma_D(nu/2),  nu = D + m + 1,
 *   log Gamma_D(a) = D(D-1)/4 log(pi) + sum_{j=1..D} lgamma(a + (1-j)/2)
 *
 * i.e. the log-likelihood with a Wishart prior on the precisions as ADBench
 * defines its objective (the negative log-likelihood is its negation: the
 * same cost). Gradient with respect to alphas, means and icf.
 *
 * Data: the ADBench text format when file=PATH is given (D K n, alphas,
 * means, icf, points, gamma m), else deterministic data with D=d, K=K,
 * n=1000 points, gamma = 1, m = 0. The check instance uses the same D and K
 * and the first 8 points. */
#include "bench.h"

static double logsumexp(const double *v, int n) {
  double m = v[0];
  for (int j = 1; j < n; j++)
    if (v[j] > m)
      m = v[j];
  double s = 0.0;
  for (int j = 0; j < n; j++)
    s += exp(v[j] - m);
  return m + log(s);
}

static double log_gamma_distrib(double a, int p) {
  double r = 0.25 * p * (p - 1) * log(3.14159265358979323846);
  for (int j = 1; j <= p; j++)
    r += lgamma(a + 0.5 * (1 - j));
  return r;
}

static double gmm_objective(const double *alphas, const double *means, const double *icf,
                            const double *x CT_NO_DERIVATIVE, double gamma, int m, int d, int k,
                            int n) {
  int icf_sz = d * (d + 1) / 2;
  double *qdiag = malloc((size_t)k * d * sizeof *qdiag);
  double *sumq = malloc((size_t)k * sizeof *sumq);
  double *xc = malloc((size_t)d * sizeof *xc);
  double *y = malloc((size_t)d * sizeof *y);
  double *main_term = malloc((size_t)k * sizeof *main_term);
  for (int c = 0; c < k; c++) {
    double s = 0.0;
    for (int j = 0; j < d; j++) {
      s += icf[(size_t)c * icf_sz + j];
      qdiag[(size_t)c * d + j] = exp(icf[(size_t)c * icf_sz + j]);
    }
    sumq[c] = s;
  }
  double slse = 0.0;
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < k; c++) {
      const double *q = icf + (size_t)c * icf_sz;
      for (int j = 0; j < d; j++)
        xc[j] = x[(size_t)i * d + j] - means[(size_t)c * d + j];
      for (int j = 0; j < d; j++)
        y[j] = qdiag[(size_t)c * d + j] * xc[j];
      int li = d; /* the lower triangle, column by column */
      for (int j = 0; j < d; j++)
        for (int r = j + 1; r < d; r++)
          y[r] += q[li++] * xc[j];
      double sq = 0.0;
      for (int j = 0; j < d; j++)
        sq += y[j] * y[j];
      main_term[c] = alphas[c] + sumq[c] - 0.5 * sq;
    }
    slse += logsumexp(main_term, k);
  }
  double lse_alphas = logsumexp(alphas, k);
  /* the Wishart prior */
  int nu = d + m + 1;
  double cst = nu * d * (log(gamma) - 0.5 * log(2.0)) - log_gamma_distrib(0.5 * nu, d);
  double prior = 0.0;
  for (int c = 0; c < k; c++) {
    double frob = 0.0;
    for (int j = 0; j < d; j++)
      frob += qdiag[(size_t)c * d + j] * qdiag[(size_t)c * d + j];
    for (int j = d; j < icf_sz; j++)
      frob += icf[(size_t)c * icf_sz + j] * icf[(size_t)c * icf_sz + j];
    prior += 0.5 * gamma * gamma * frob - m * sumq[c];
  }
  prior -= k * cst;
  free(qdiag);
  free(sumq);
  free(xc);
  free(y);
  free(main_term);
  return -n * d * 0.5 * log(2.0 * 3.14159265358979323846) + slse - n * lse_alphas + prior;
}

/* The gradient by hand: the same forward computation, then the adjoints
 * of each point's logsumexp (the posterior weights), through Q_k (x_i - mu_k).
 * work: 2d + k doubles. */
static double gmm_hand(const double *alphas, const double *means, const double *icf,
                       const double *x, double gamma, int m, int d, int k, int n, double *dalphas,
                       double *dmeans, double *dicf, double *work) {
  int icf_sz = d * (d + 1) / 2;
  double *xc = work, *y = work + d, *wgt = work + 2 * d;
  double slse = 0.0;
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < k; c++) {
      const double *q = icf + (size_t)c * icf_sz;
      double s = 0.0, sq = 0.0;
      for (int j = 0; j < d; j++) {
        s += q[j];
        xc[j] = x[(size_t)i * d + j] - means[(size_t)c * d + j];
        y[j] = exp(q[j]) * xc[j];
      }
      int li = d;
      for (int j = 0; j < d; j++)
        for (int r = j + 1; r < d; r++)
          y[r] += q[li++] * xc[j];
      for (int j = 0; j < d; j++)
        sq += y[j] * y[j];
      wgt[c] = alphas[c] + s - 0.5 * sq;
    }
    double lse = logsumexp(wgt, k);
    slse += lse;
    for (int c = 0; c < k; c++) {
      double w = exp(wgt[c] - lse); /* posterior of component c */
      const double *q = icf + (size_t)c * icf_sz;
      double *dq = dicf + (size_t)c * icf_sz;
      dalphas[c] += w;
      /* recompute xc and y = Q xc */
      for (int j = 0; j < d; j++) {
        xc[j] = x[(size_t)i * d + j] - means[(size_t)c * d + j];
        y[j] = exp(q[j]) * xc[j];
      }
      int li = d;
      for (int j = 0; j < d; j++)
        for (int r = j + 1; r < d; r++)
          y[r] += q[li++] * xc[j];
      /* main = alpha + sum(q) - |y|^2/2: dy = -w y; dxc = Q^T dy */
      for (int j = 0; j < d; j++) {
        double e = exp(q[j]);
        double dy = -w * y[j];
        dq[j] += w + dy * e * xc[j];
        y[j] = dy; /* y now holds dy */
      }
      li = d;
      for (int j = 0; j < d; j++) {
        double dxc = exp(q[j]) * y[j];
        for (int r = j + 1; r < d; r++) {
          dq[li] += y[r] * xc[j];
          dxc += q[li] * y[r];
          li++;
        }
        dmeans[(size_t)c * d + j] -= dxc;
      }
    }
  }
  double lse_alphas = logsumexp(alphas, k);
  for (int c = 0; c < k; c++)
    dalphas[c] -= n * exp(alphas[c] - lse_alphas);
  int nu = d + m + 1;
  double cst = nu * d * (log(gamma) - 0.5 * log(2.0)) - log_gamma_distrib(0.5 * nu, d);
  double prior = 0.0;
  for (int c = 0; c < k; c++) {
    const double *q = icf + (size_t)c * icf_sz;
    double *dq = dicf + (size_t)c * icf_sz;
    double frob = 0.0, s = 0.0;
    for (int j = 0; j < d; j++) {
      double e = exp(q[j]);
      frob += e * e;
      s += q[j];
      dq[j] += gamma * gamma * e * e - m;
    }
    for (int j = d; j < icf_sz; j++) {
      frob += q[j] * q[j];
      dq[j] += gamma * gamma * q[j];
    }
    prior += 0.5 * gamma * gamma * frob - m * s;
  }
  prior -= k * cst;
  return -n * d * 0.5 * log(2.0 * 3.14159265358979323846) + slse - n * lse_alphas + prior;
}

static double *p, *dp, *x, *work; /* p = [alphas | means | icf] */
static double gamma_w;
static int m_w, d, k, n, icf_sz;

#define GMM_ARGS(P) (P), (P) + k, (P) + k + (size_t)k *d

static double value(int out) {
  (void)out;
  return gmm_objective(GMM_ARGS(p), x, gamma_w, m_w, d, k, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(gmm_objective, p, g, p + k, g + k, p + k + (size_t)k * d,
                                g + k + (size_t)k * d, x, ct_const(gamma_w), m_w, d, k, n);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return gmm_hand(GMM_ARGS(p), x, gamma_w, m_w, d, k, n, GMM_ARGS(g), work);
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(gmm_objective, p, v, p + k, v + k, p + k + (size_t)k * d, v + k + (size_t)k * d, x, ct_const(gamma_w), m_w, d, k, n);
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(gmm_objective, p, tv, p + k, tv + k, p + k + (size_t)k * d, tv + k + (size_t)k * d, x, ct_const(gamma_w), m_w, d, k, n);
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  bench_sink = gmm_objective(GMM_ARGS(p), x, gamma_w, m_w, d, k, n);
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dp, 0, ((size_t)k * (1 + d + icf_sz)) * sizeof *dp);
  bench_sink = ct_value_with_gradient(gmm_objective, p, dp, p + k, dp + k, p + k + (size_t)k * d,
                                      dp + k + (size_t)k * d, x, ct_const(gamma_w), m_w, d, k, n);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dp, 0, ((size_t)k * (1 + d + icf_sz)) * sizeof *dp);
  bench_sink = gmm_hand(GMM_ARGS(p), x, gamma_w, m_w, d, k, n, GMM_ARGS(dp), work);
}

static void allocate(void) {
  icf_sz = d * (d + 1) / 2;
  size_t np = (size_t)k * (1 + d + icf_sz);
  p = bench_alloc(np * sizeof *p);
  dp = bench_alloc(np * sizeof *dp);
  x = bench_alloc((size_t)n * d * sizeof *x);
  work = bench_alloc((2 * (size_t)d + k) * sizeof *work);
  tv = bench_alloc(((size_t)k * (1 + d + icf_sz)) * sizeof *tv);
  bench_direction(tv, (int)((size_t)k * (1 + d + icf_sz)));
}

static void read_error(const char *path) {
  fprintf(stderr, "gmm: %s: not an ADBench GMM file (D K n, alphas, means, icf, points, gamma m)\n",
          path);
  exit(2);
}

/* The ADBench text format; keeps at most max_n points */
static void read_adbench(const char *path, int max_n) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  if (fscanf(f, "%d %d %d", &d, &k, &n) != 3 || d < 1 || k < 1 || n < 1)
    read_error(path);
  int nfile = n;
  if (max_n > 0 && n > max_n)
    n = max_n;
  allocate();
  size_t np = (size_t)k * (1 + d + icf_sz);
  for (size_t i = 0; i < np; i++)
    if (fscanf(f, "%lf", &p[i]) != 1)
      read_error(path);
  for (size_t i = 0; i < (size_t)nfile * d; i++) {
    double v;
    if (fscanf(f, "%lf", &v) != 1)
      read_error(path);
    if (i < (size_t)n * d)
      x[i] = v;
  }
  if (fscanf(f, "%lf %d", &gamma_w, &m_w) != 2)
    read_error(path);
  fclose(f);
}

static void generate(int max_n) {
  d = bench_arg_int("d", 2, 2, 2);
  k = bench_arg_int("K", 5, 5, 5);
  n = bench_arg_int("n", 10, 1000, 1000);
  bench_require(d >= 1 && k >= 1 && n >= 1, "invalid size: need d, K, n >= 1");
  if (max_n > 0 && n > max_n)
    n = max_n;
  allocate();
  bench_seed(5 + 1000 * d + k);
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
}

static void bench_setup(int check) {
  const char *path = bench_arg_str("file", NULL);
  if (path)
    read_adbench(path, check ? 8 : 0);
  else
    generate(check ? 8 : 0);
  bench.n = (int)((size_t)k * (1 + d + icf_sz));
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
  snprintf(bench.size, sizeof bench.size, "d=%d K=%d n=%d%s", d, k, n, path ? " (file)" : "");
}
static void bench_teardown(void) {
  free(p);
  free(tv);
  free(dp);
  free(x);
  free(work);
}

BENCH_MAIN("gmm")
