/* ct_jacobian(f, J, x, n, y, m): the dense Jacobian of a small nonlinear
 * map void f(const double *x, double *y), row-major m x n, both by one
 * vector forward pass (n <= m: 3 inputs, 5 outputs) and by m reverse
 * passes (n > m: 5 inputs, 2 outputs), each entry against central
 * differences, and y holding f(x). The maps use a loop, a branch and libm
 * (exp, atan2, log1p, hypot). */
#include "check.h"

#include <cotangent.h>

/* 3 -> 5: a robot arm's joint angles to a few workspace features */
static void arm(const double *q, double *y) {
  double px = 0, py = 0, a = 0;
  for (int i = 0; i < 3; ++i) {
    a += q[i];
    px += (1.0 - 0.2 * i) * cos(a);
    py += (1.0 - 0.2 * i) * sin(a);
  }
  y[0] = px;
  y[1] = py;
  y[2] = hypot(px, py);
  y[3] = atan2(py, px);
  y[4] = a > 1.0 ? exp(a - 1.0) : a;
}

/* 5 -> 2: a log-sum and a weighted sum */
static void summary(const double *x, double *y) {
  double m = x[0], s = 0, w = 0;
  for (int i = 1; i < 5; ++i)
    if (x[i] > m)
      m = x[i];
  for (int i = 0; i < 5; ++i) {
    s += exp(x[i] - m);
    w += (i + 1) * x[i] * x[i];
  }
  y[0] = m + log(s);
  y[1] = log1p(w);
}

static void check_fd(const char *what, void (*f)(const double *, double *), const double *x, int n, int m,
                     const double *J) {
  double xp[8], xm[8], yp[8], ym[8], h = 1e-6;
  for (int k = 0; k < n; ++k) {
    for (int i = 0; i < n; ++i)
      xp[i] = xm[i] = x[i];
    xp[k] += h;
    xm[k] -= h;
    f(xp, yp);
    f(xm, ym);
    for (int i = 0; i < m; ++i)
      CHECK_AT_TOL(what, i * n + k, J[i * n + k], (yp[i] - ym[i]) / (2 * h), 1e-7);
  }
}

int main(void) {
  double q[3] = {0.3, 0.5, 0.4}, y[5], J[15], want[5];
  ct_jacobian(arm, J, q, 3, y, 5); /* forward: one pass of width 3 */
  arm(q, want);
  for (int i = 0; i < 5; ++i)
    CHECK_AT_D("arm value", i, y[i], want[i]);
  check_fd("arm jacobian (forward)", arm, q, 3, 5, J);

  double x[5] = {0.2, -1.0, 0.7, 0.65, -0.3}, s[2], K[10], swant[2];
  ct_jacobian(summary, K, x, 5, s, 2); /* reverse: two passes */
  summary(x, swant);
  for (int i = 0; i < 2; ++i)
    CHECK_AT_D("summary value", i, s[i], swant[i]);
  check_fd("summary jacobian (reverse)", summary, x, 5, 2, K);
  /* the same map's rows by forward mode, one direction at a time, agree */
  for (int k = 0; k < 5; ++k) {
    double dx[5] = {0}, ds[2];
    dx[k] = 1.0;
    ct_derivative(summary, x, dx, s, ds);
    CHECK_AT_D("summary column", k, K[k], ds[0]);
    CHECK_AT_D("summary column", 5 + k, K[5 + k], ds[1]);
  }
  return check_summary("jacobian");
}
