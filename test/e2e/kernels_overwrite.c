// Arrays a kernel's pullback reads that the function writes again after
// the call: the forward pass keeps a copy on the tape (the kernels declare
// their arrays' lengths with CT_ACCESS), so the gradient is right. Cases:
// an input overwritten after ct_dot; softmax into the same array in every
// iteration of a loop (its pullback reads the result); a recurrent net
// whose states are rows of one array, written by ct_gemv and then by tanh
// while ct_gemv reads the previous row; a float variant; a pullback object
// applied twice. Checked against central finite differences (the pullback
// against the gradient, so also against them).
#include "check.h"
#include <cotangent.h>
#include <string.h>

#define N 6
#define T 4

static double later(double *x, const double *w, long n) {
  double d = ct_dot(x, w, n);
  x[0] = d;     /* after the call that read x */
  x[n - 1] *= 3; /* again */
  return d * ct_sum(x, n) + ct_dot(x, w, n);
}

static double loop(const double *x, double *p, long n) {
  double s = 0;
  for (int t = 0; t < T; ++t) {
    double z[N];
    for (long i = 0; i < n; ++i)
      z[i] = x[i] * (t + 1);
    ct_softmax(z, p, n); /* p rewritten by the next iteration */
    s += p[t] * (t + 2) + ct_dot(p, x, n);
  }
  return s;
}

static double rnn(const double *W, double *h, long n) {
  for (int t = 0; t < T; ++t) {
    ct_gemv(n, n, W, h + t * n, h + (t + 1) * n);
    for (long i = 0; i < n; ++i)
      h[(t + 1) * n + i] = tanh(h[(t + 1) * n + i]);
  }
  return ct_logsumexp(h + T * n, n);
}

static float loopf(const float *x, float *p, long n) {
  float s = 0;
  for (int t = 0; t < T; ++t) {
    ct_softmaxf(x, p, n);
    s += p[t] * (float)(t + 1);
    p[t] = 0; /* overwrites the result the pullback reads */
  }
  return s;
}

static double loopf_ref(const double *x) {
  double m = x[0], z = 0, s = 0;
  for (int i = 1; i < N; ++i)
    m = x[i] > m ? x[i] : m;
  for (int i = 0; i < N; ++i)
    z += exp(x[i] - m);
  for (int t = 0; t < T; ++t)
    s += exp(x[t] - m) / z * (t + 1);
  return s;
}

int main(void) {
  double x[N], w[N], x0[N];
  for (int i = 0; i < N; ++i) {
    x0[i] = 0.3 * i - 0.7;
    w[i] = 1.0 - 0.2 * i;
  }
  const double eps = 1e-6;
  { /* later */
    double dx[N] = {0}, dw[N] = {0};
    memcpy(x, x0, sizeof x);
    ct_gradient(later, x, dx, w, dw, (long)N);
    for (int i = 0; i < N; ++i) {
      double a[N], b[N];
      memcpy(a, x0, sizeof a);
      memcpy(b, x0, sizeof b);
      a[i] += eps;
      b[i] -= eps;
      CHECK_AT_TOL("later dx", i, dx[i], (later(a, w, N) - later(b, w, N)) / (2 * eps), 1e-6);
    }
  }
  { /* loop */
    double dx[N] = {0}, p[N], dp[N] = {0};
    ct_gradient(loop, x0, dx, p, dp, (long)N);
    for (int i = 0; i < N; ++i) {
      double old = x0[i];
      x0[i] = old + eps;
      double fp = loop(x0, p, N);
      x0[i] = old - eps;
      double fm = loop(x0, p, N);
      x0[i] = old;
      CHECK_AT_TOL("loop dx", i, dx[i], (fp - fm) / (2 * eps), 1e-6);
    }
  }
  { /* loop as a pullback applied twice: the kept copies are read twice */
    double dx[N] = {0}, p[N], dp[N] = {0}, g[N] = {0}, dp2[N] = {0};
    ct_gradient(loop, x0, g, p, dp2, (long)N);
    ct_pullback_t pb;
    double v = ct_value_with_pullback(loop, &pb, x0, dx, p, dp, (long)N);
    CHECK_TOL(v, loop(x0, p, N), 1e-14);
    ct_pullback_apply(pb, 1.0);
    ct_pullback_apply(pb, 0.5);
    ct_pullback_free(pb);
    for (int i = 0; i < N; ++i)
      CHECK_AT_TOL("loop pullback dx", i, dx[i], 1.5 * g[i], 1e-12);
  }
  { /* rnn: d/dW and d/dh0 */
    double W[N * N], dW[N * N] = {0}, h[(T + 1) * N] = {0}, dh[(T + 1) * N] = {0}, h0[N];
    for (int i = 0; i < N * N; ++i)
      W[i] = 0.05 * ((i * 7) % 11) - 0.25;
    for (int i = 0; i < N; ++i)
      h0[i] = h[i] = 0.5 - 0.15 * i;
    ct_gradient(rnn, W, dW, h, dh, (long)N);
    for (int i = 0; i < N * N + N; ++i) {
      double *v = i < N * N ? &W[i] : &h0[i - N * N], old = *v;
      double fp, fm;
      *v = old + eps;
      memcpy(h, h0, sizeof h0);
      fp = rnn(W, h, N);
      *v = old - eps;
      memcpy(h, h0, sizeof h0);
      fm = rnn(W, h, N);
      *v = old;
      CHECK_AT_TOL("rnn", i, i < N * N ? dW[i] : dh[i - N * N], (fp - fm) / (2 * eps), 1e-6);
    }
  }
  { /* float: reference in double */
    float xf[N], dxf[N] = {0}, p[N], dp[N] = {0};
    double xd[N];
    for (int i = 0; i < N; ++i)
      xd[i] = xf[i] = (float)x0[i];
    ct_gradient(loopf, xf, dxf, p, dp, (long)N);
    for (int i = 0; i < N; ++i) {
      double old = xd[i];
      xd[i] = old + eps;
      double fp = loopf_ref(xd);
      xd[i] = old - eps;
      double fm = loopf_ref(xd);
      xd[i] = old;
      CHECK_AT_TOL("loopf dx", i, dxf[i], (fp - fm) / (2 * eps), 1e-5);
    }
  }
  return check_summary("kernels_overwrite");
}
