// The README's runtime-kernels example: gemv, softmax, dot and logsumexp
// in one function, its gradient against central finite differences.
#include "check.h"
#include <cotangent.h>
#include <string.h>

double loss(const double *W, const double *x, double *h, double *p, const double *v, long m, long n) {
  ct_gemv(m, n, W, x, h);
  ct_softmax(h, p, m);
  return ct_dot(p, v, m) + ct_logsumexp(h, m);
}

int main(void) {
  enum { m = 3, n = 4 };
  double W[m * n], x[n], v[m], h[m], p[m];
  for (int i = 0; i < m * n; ++i)
    W[i] = 0.1 * i - 0.5;
  for (int j = 0; j < n; ++j)
    x[j] = 0.3 * j - 0.2;
  for (int i = 0; i < m; ++i)
    v[i] = 1.0 - 0.7 * i;
  double dW[m * n] = {0}, dx[n] = {0}, dv[m] = {0}, dh[m] = {0}, dp[m] = {0};
  ct_gradient(loss, W, dW, x, dx, h, dh, p, dp, v, dv, (long)m, (long)n);
  double *vars[] = {W, x, v}, *grads[] = {dW, dx, dv};
  int sizes[] = {m * n, n, m};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < sizes[k]; ++i) {
      double old = vars[k][i], eps = 1e-6;
      vars[k][i] = old + eps;
      double fp = loss(W, x, h, p, v, m, n);
      vars[k][i] = old - eps;
      double fm = loss(W, x, h, p, v, m, n);
      vars[k][i] = old;
      CHECK_AT_TOL("loss", k * 100 + i, grads[k][i], (fp - fm) / (2 * eps), 1e-7);
    }
  return check_summary("kernels_readme");
}
