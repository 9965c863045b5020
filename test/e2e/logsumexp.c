/* logsumexp (max-shifted for stability: a data-dependent max in a loop),
 * softmax cross-entropy with an integer label, a batched linear classifier
 * whose labels come through a constant pointer, and softmax written into an
 * output array whose shadow holds the caller's seed.
 *   d lse / dz       = softmax(z)
 *   d CE / dz        = softmax(z) - onehot(label)
 *   d CE / dW[k][j]  = (p_k - y_k) h_j,  d CE / db = p - y,  d CE / dh = W^T (p - y)
 *   softmax VJP      = p .* (s - <p, s>) */
#include "check.h"

/* analytic references: 1e-10 relative leaves room for a different summation order */
#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_ce(void *, ...);
extern double __enzyme_autodiff_batch(void *, ...);
extern void __enzyme_autodiff_softmax(void *, ...);

#define K 7
#define D 5
#define B 9

static double lse(const double *z, int n) {
  double m = z[0];
  for (int i = 1; i < n; ++i)
    if (z[i] > m)
      m = z[i];
  double s = 0.0;
  for (int i = 0; i < n; ++i)
    s += exp(z[i] - m);
  return m + log(s);
}

static double cross_entropy(const double *z, int n, int label) { return lse(z, n) - z[label]; }

/* mean cross-entropy over a batch of logits W h_b + bias */
static double batch_loss(const double *W, const double *bias, const double *H, const int *labels, int nb) {
  double total = 0.0;
  for (int b = 0; b < nb; ++b) {
    double z[K];
    for (int k = 0; k < K; ++k) {
      double acc = bias[k];
      for (int j = 0; j < D; ++j)
        acc += W[k * D + j] * H[b * D + j];
      z[k] = acc;
    }
    total += cross_entropy(z, K, labels[b]);
  }
  return total / nb;
}

static void softmax(const double *z, double *p, int n) {
  double m = z[0];
  for (int i = 1; i < n; ++i)
    m = z[i] > m ? z[i] : m;
  double s = 0.0;
  for (int i = 0; i < n; ++i) {
    p[i] = exp(z[i] - m);
    s += p[i];
  }
  for (int i = 0; i < n; ++i)
    p[i] /= s;
}

static void ref_softmax(const double *z, int n, double *p) {
  double s = 0.0;
  for (int i = 0; i < n; ++i)
    s += exp(z[i]);
  for (int i = 0; i < n; ++i)
    p[i] = exp(z[i]) / s;
}

static void zero(double *a, int n) {
  for (int i = 0; i < n; ++i)
    a[i] = 0.0;
}

int main(void) {
  double z[K] = {0.3, -1.2, 2.5, 2.5, 0.0, -3.0, 1.7}; /* a tie at the max */
  double dz[K], p[K];
  ref_softmax(z, K, p);

  zero(dz, K);
  __enzyme_autodiff((void *)lse, z, dz, K);
  for (int i = 0; i < K; ++i)
    CHECK_AT("lse", i, dz[i], p[i]);

  /* large logits: the shift keeps it finite, the gradient is still softmax */
  double big[K], dbig[K], pbig[K];
  for (int i = 0; i < K; ++i)
    big[i] = z[i] + 800.0;
  zero(dbig, K);
  __enzyme_autodiff((void *)lse, big, dbig, K);
  ref_softmax(z, K, pbig);
  for (int i = 0; i < K; ++i)
    CHECK_AT("lse shifted by 800", i, dbig[i], pbig[i]);

  for (int label = 0; label < K; ++label) {
    zero(dz, K);
    __enzyme_autodiff_ce((void *)cross_entropy, z, dz, K, label);
    for (int i = 0; i < K; ++i)
      CHECK_AT("cross_entropy", i + 100 * label, dz[i], p[i] - (i == label ? 1.0 : 0.0));
  }

  /* batched classifier */
  double W[K * D], dW[K * D], bias[K], dbias[K], H[B * D], dH[B * D];
  int labels[B];
  for (int i = 0; i < K * D; ++i)
    W[i] = 0.5 * sin(1.1 * i + 0.2);
  for (int k = 0; k < K; ++k)
    bias[k] = 0.1 * k - 0.3;
  for (int i = 0; i < B * D; ++i)
    H[i] = cos(0.7 * i) + 0.05 * i;
  for (int b = 0; b < B; ++b)
    labels[b] = (3 * b + 1) % K;
  zero(dW, K * D);
  zero(dbias, K);
  zero(dH, B * D);
  __enzyme_autodiff_batch((void *)batch_loss, enzyme_dup, W, dW, enzyme_dup, bias, dbias, enzyme_dup, H, dH,
                          enzyme_const, labels, B);
  double rW[K * D], rb[K], rH[B * D];
  zero(rW, K * D);
  zero(rb, K);
  zero(rH, B * D);
  for (int b = 0; b < B; ++b) {
    double zb[K], pb[K];
    for (int k = 0; k < K; ++k) {
      zb[k] = bias[k];
      for (int j = 0; j < D; ++j)
        zb[k] += W[k * D + j] * H[b * D + j];
    }
    ref_softmax(zb, K, pb);
    for (int k = 0; k < K; ++k) {
      double e = (pb[k] - (k == labels[b] ? 1.0 : 0.0)) / B;
      rb[k] += e;
      for (int j = 0; j < D; ++j) {
        rW[k * D + j] += e * H[b * D + j];
        rH[b * D + j] += e * W[k * D + j];
      }
    }
  }
  for (int i = 0; i < K * D; ++i)
    CHECK_AT("batch dW", i, dW[i], rW[i]);
  for (int k = 0; k < K; ++k)
    CHECK_AT("batch dbias", k, dbias[k], rb[k]);
  for (int i = 0; i < B * D; ++i)
    CHECK_AT("batch dH", i, dH[i], rH[i]);

  /* softmax into an output array: seed s in the output's shadow */
  double out[K], dout[K], s[K];
  for (int i = 0; i < K; ++i) {
    s[i] = 0.25 * i - 0.6;
    dout[i] = s[i];
    out[i] = 0.0;
  }
  zero(dz, K);
  __enzyme_autodiff_softmax((void *)softmax, enzyme_dup, z, dz, enzyme_dup, out, dout, K);
  double ps = 0.0;
  for (int i = 0; i < K; ++i)
    ps += p[i] * s[i];
  for (int i = 0; i < K; ++i) {
    CHECK_AT("softmax value", i, out[i], p[i]);
    CHECK_AT("softmax vjp", i, dz[i], p[i] * (s[i] - ps));
    CHECK(dout[i] == 0.0); /* the seed is consumed */
  }
  return check_summary("logsumexp");
}
