/* Forward mode through control flow: data-dependent branches, a switch,
 * loops with run-time trip counts (a Speelpenning product, a nested i-j-k
 * loop), break and early return, a loop running until convergence (Newton's
 * square root), a goto; each directional derivative against analytic
 * values or central differences along the direction, and against the
 * reverse gradient. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <string.h>

static double speel(const double *x, int n) {
  double p = 1;
  for (int i = 0; i < n; ++i)
    p *= x[i];
  return p;
}

static double branchy(double x, int k) {
  double y;
  if (x > 0.5)
    y = sin(x) * x;
  else {
    y = exp(x);
    if (k > 2)
      y = y * y;
  }
  return y;
}

static double pick(double x, int mode) {
  switch (mode) {
  case 0: return x * x;
  case 1: return log(x);
  case 2: return 1.0 / x;
  default: return cos(x);
  }
}

/* Newton's iteration for sqrt(a), until it stops changing */
static double newton_sqrt(double a) {
  double y = a > 1 ? a : 1.0;
  for (int it = 0; it < 100; ++it) {
    double ny = 0.5 * (y + a / y);
    if (fabs(ny - y) < 1e-15 * ny) {
      y = ny;
      break;
    }
    y = ny;
  }
  return y;
}

/* early return from inside a loop */
static double first_big(const double *x, int n, double limit) {
  double acc = 0;
  for (int i = 0; i < n; ++i) {
    acc += x[i] * x[i];
    if (acc > limit)
      return acc * x[i];
  }
  return -acc;
}

/* x^T A y over run-time sizes, i-j-k order */
static double bilinear(const double *A, const double *x, const double *y, int m, int n) {
  double s = 0;
  for (int i = 0; i < m; ++i) {
    double row = 0;
    for (int j = 0; j < n; ++j)
      row += A[i * n + j] * y[j];
    s += x[i] * row;
  }
  return s;
}

static double with_goto(double x, int n) {
  double s = 0;
  int i = 0;
again:
  s += sin(x * i);
  if (++i < n)
    goto again;
  return s;
}

/* the directional derivative of f at x along v by central differences */
typedef double (*vec_fn)(const double *, int);
static double fd_dir(vec_fn f, const double *x, const double *v, int n) {
  double a[16], b[16], h = 1e-6;
  for (int i = 0; i < n; ++i) {
    a[i] = x[i] + h * v[i];
    b[i] = x[i] - h * v[i];
  }
  return (f(a, n) - f(b, n)) / (2 * h);
}

static double first_big_10(const double *x, int n) { return first_big(x, n, 10.0); }

int main(void) {
  double x[8], v[8], g[8];
  for (int i = 0; i < 8; ++i) {
    x[i] = 1.0 + 0.1 * i;
    v[i] = 0.5 - 0.15 * i;
  }
  for (int n = 0; n <= 8; n += 4) {
    double dv[8];
    memcpy(dv, v, sizeof dv);
    double want = 0, p = speel(x, n);
    for (int i = 0; i < n; ++i)
      want += p / x[i] * v[i];
    CHECK_AT_D("speel", n, ct_derivative(speel, x, dv, n), want);
  }
  for (double xv = 0.1; xv < 1; xv += 0.3)
    for (int k = 1; k < 5; k += 2) {
      double h = 1e-6, fd = (branchy(xv + h, k) - branchy(xv - h, k)) / (2 * h);
      CHECK_AT_TOL("branchy", xv, ct_derivative(branchy, xv, 1.0, k), fd, 1e-7);
    }
  for (int mode = 0; mode < 4; ++mode) {
    double xv = 1.7;
    double want = mode == 0 ? 2 * xv : mode == 1 ? 1 / xv : mode == 2 ? -1 / (xv * xv) : -sin(xv);
    CHECK_AT_D("pick", mode, ct_derivative(pick, xv, 1.0, mode), want);
  }
  for (double a = 0.25; a < 20; a *= 3)
    CHECK_AT_TOL("newton_sqrt", a, ct_derivative(newton_sqrt, a, 1.0), 0.5 / sqrt(a), 1e-12);
  /* the loop leaves early (after 4 elements) or runs to the end */
  for (int n = 3; n <= 8; n += 5) {
    CHECK_AT_TOL("first_big", n, ct_derivative(first_big, x, v, n, ct_const(10.0)), fd_dir(first_big_10, x, v, n), 1e-7);
    double gx[8] = {0};
    ct_gradient(first_big, x, gx, n, ct_const(10.0));
    double dot = 0;
    for (int i = 0; i < n; ++i)
      dot += gx[i] * v[i];
    CHECK_AT_D("first_big: grad . v", n, ct_derivative(first_big, x, v, n, ct_const(10.0)), dot);
  }
  {
    double A[12], dA[12], y[4], dy[4], dx[3];
    for (int i = 0; i < 12; ++i) {
      A[i] = sin(i + 1.0);
      dA[i] = 0.01 * i;
    }
    for (int j = 0; j < 4; ++j) {
      y[j] = 0.5 * j - 1;
      dy[j] = 1.0 / (j + 1);
    }
    for (int i = 0; i < 3; ++i)
      dx[i] = i - 1.0;
    double want = bilinear(dA, x, y, 3, 4) + bilinear(A, dx, y, 3, 4) + bilinear(A, x, dy, 3, 4);
    CHECK_D(ct_derivative(bilinear, A, dA, x, dx, y, dy, 3, 4), want);
  }
  for (int n = 1; n < 6; n += 2) {
    double want = 0;
    for (int i = 0; i < n; ++i)
      want += i * cos(0.3 * i);
    CHECK_AT_D("with_goto", n, ct_derivative(with_goto, 0.3, 1.0, n), want);
  }
  (void)g;
  return check_summary("forward_control_flow");
}
