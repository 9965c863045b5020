/* Negative log-likelihood of a Gaussian mixture with diagonal covariances:
 * d = 3, K = 4 components, n = 20 points. Mixture weights are softmax(alpha),
 * standard deviations exp(logsig). Per point, log sum_k exp(.) is taken with
 * a max shift (a data-dependent branch). Every gradient component (alpha,
 * mu, logsig and the data points) is compared with fourth-order central
 * finite differences. */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);

#define D 3
#define K 4
#define NPTS 20
#define NPAR (K + 2 * K * D)

static double log_softmax_weight(const double *alpha, int k) {
  double m = alpha[0];
  for (int j = 1; j < K; ++j)
    if (alpha[j] > m)
      m = alpha[j];
  double s = 0.0;
  for (int j = 0; j < K; ++j)
    s += exp(alpha[j] - m);
  return alpha[k] - m - log(s);
}

static double gmm_nll(const double *alpha, const double *mu, const double *logsig, const double *x, int n) {
  const double half_log_2pi = 0.91893853320467274178;
  double logw[K];
  for (int k = 0; k < K; ++k)
    logw[k] = log_softmax_weight(alpha, k);
  double nll = 0.0;
  for (int i = 0; i < n; ++i) {
    double lp[K];
    for (int k = 0; k < K; ++k) {
      double acc = logw[k];
      for (int j = 0; j < D; ++j) {
        double z = (x[i * D + j] - mu[k * D + j]) * exp(-logsig[k * D + j]);
        acc += -0.5 * z * z - logsig[k * D + j] - half_log_2pi;
      }
      lp[k] = acc;
    }
    double m = lp[0];
    for (int k = 1; k < K; ++k)
      m = lp[k] > m ? lp[k] : m;
    double s = 0.0;
    for (int k = 0; k < K; ++k)
      s += exp(lp[k] - m);
    nll -= m + log(s);
  }
  return nll;
}

/* all parameters and the data in one vector for the finite differences */
static double eval(const double *v) { return gmm_nll(v, v + K, v + K + K * D, v + NPAR, NPTS); }

static double v[NPAR + NPTS * D], dv[NPAR + NPTS * D];

static void fd_check(const char *what, int lo, int hi) {
  for (int i = lo; i < hi; ++i) {
    double save = v[i];
    double h = 1e-3 * fmax(1.0, fabs(save));
    const double off[4] = {-2.0, -1.0, 1.0, 2.0};
    double f[4];
    for (int k = 0; k < 4; ++k) {
      v[i] = save + off[k] * h;
      f[k] = eval(v);
    }
    v[i] = save;
    double fd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
    /* relative error, with components below 1e-2 measured against 1e-2 */
    double err = fabs(dv[i] - fd) / fmax(fabs(fd), 1e-2);
    ++check_count;
    if (!(err <= 1e-6)) {
      ++check_failures;
      fprintf(stderr, "%s:%d: FAILED %s [%d]: got %.17g, want (FD) %.17g (rel. err %.3g)\n", __FILE__, __LINE__,
              what, i, dv[i], fd, err);
    }
  }
}

int main(void) {
  double *alpha = v, *mu = v + K, *logsig = v + K + K * D, *x = v + NPAR;
  for (int k = 0; k < K; ++k) {
    alpha[k] = 0.3 * k - 0.4;
    for (int j = 0; j < D; ++j) {
      mu[k * D + j] = 1.5 * cos(1.7 * k + 0.9 * j);
      logsig[k * D + j] = -0.3 + 0.15 * ((k + 2 * j) % 5);
    }
  }
  for (int i = 0; i < NPTS; ++i)
    for (int j = 0; j < D; ++j)
      x[i * D + j] = 1.5 * cos(1.7 * (i % K) + 0.9 * j) + 0.6 * sin(3.1 * i + 1.3 * j);

  for (int i = 0; i < NPAR + NPTS * D; ++i)
    dv[i] = 0.0;
  __enzyme_autodiff((void *)gmm_nll, alpha, dv, mu, dv + K, logsig, dv + K + K * D, x, dv + NPAR, NPTS);
  fd_check("d/dalpha", 0, K);
  fd_check("d/dmu", K, K + K * D);
  fd_check("d/dlogsig", K + K * D, NPAR);
  fd_check("d/dx", NPAR, NPAR + NPTS * D);

  /* d/dalpha sums to zero (softmax is shift invariant) */
  double sa = 0.0;
  for (int k = 0; k < K; ++k)
    sa += dv[k];
  CHECK_TOL(sa + 1.0, 1.0, 1e-12);

  /* data constant: parameter gradients unchanged */
  double dp[NPAR];
  for (int i = 0; i < NPAR; ++i)
    dp[i] = 0.0;
  __enzyme_autodiff((void *)gmm_nll, alpha, dp, mu, dp + K, logsig, dp + K + K * D, enzyme_const, x, NPTS);
  for (int i = 0; i < NPAR; ++i)
    CHECK_TOL(dp[i], dv[i], 1e-12);
  return check_summary("gmm");
}
