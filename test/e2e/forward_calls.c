/* Forward mode through calls that stay calls: recursion (a power, a divide
 * and conquer sum over an array, mutual recursion, a recursive update
 * through a pointer), a recursive accessor returning a pointer into a
 * differentiable array (its shadow comes back with it), a function with a
 * CT_NO_DERIVATIVE parameter and a cold one; and custom derivatives
 * (CT_DERIVATIVE pullbacks) of functions of scalars, whose pullback gives
 * the tangent whatever the body (a straight-through body included). Each
 * against analytic values or central differences. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <string.h>

static double rpow(double x, int n) { return n == 0 ? 1.0 : x * rpow(x, n - 1); }

static double dc_sum(const double *x, int n) {
  if (n == 1)
    return x[0] * x[0] * x[0];
  int h = n / 2;
  return dc_sum(x, h) * 0.5 + dc_sum(x + h, n - h) * 2.0;
}
static double dc_ref(const double *x, int n, double v) {
  if (n == 1)
    return 3 * x[0] * x[0] * v;
  return 0.0 * v;
}

static double odd(double x, int n);
static double even(double x, int n) { return n == 0 ? x : sin(odd(x, n - 1)); }
static double odd(double x, int n) { return n == 0 ? x * x : cos(even(x, n - 1)) * x; }

/* scales x[0..n) by a growing factor, recursively */
static void rscale(double *x, int n, double a) {
  if (n == 0)
    return;
  x[0] *= a;
  rscale(x + 1, n - 1, a * 1.1);
}
static double rscale_sum(double *x, int n, double a) {
  rscale(x, n, a);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

/* a pointer into the array, found recursively */
static double *nth(double *x, int n) { return n == 0 ? x : nth(x + 1, n - 1); }
static double through_nth(double *x, int k) {
  double *p = nth(x, k);
  *p = *p * *p; /* written through the returned pointer */
  return *nth(x, k) + x[0] * 3.0;
}

/* stays a call: a parameter without derivative */
static double scaled(double x, CT_NO_DERIVATIVE double k) { return k * x * x; }
static double use_scaled(double x, double k) { return scaled(x, k) + k * x; }

__attribute__((cold, noinline)) static double rare(double x) { return exp(-x * x); }
static double use_rare(double x) { return rare(x) * x; }

/* custom derivatives */
static double softplus(double x) { return log1p(exp(x)); }
CT_DERIVATIVE(softplus)
void softplus_pullback(double x, double seed, double *dx) { *dx += seed / (1.0 + exp(-x)); }

/* straight through: the body says the derivative is 1, the pullback 2 */
static double doubled_slope(double x) { return x; }
CT_DERIVATIVE(doubled_slope)
void doubled_slope_pullback(double x, double seed, double *dx) {
  (void)x;
  *dx += 2.0 * seed;
}
/* two parameters and an integer one */
static double blend(double a, int k, double b) { return a * b * k; }
CT_DERIVATIVE(blend)
void blend_pullback(double a, int k, double b, double seed, double *da, double *db) {
  *da += seed * b * k;
  *db += seed * a * k;
}
static double use_custom(double x, double y) { return softplus(x * y) + doubled_slope(y) + blend(x, 3, y); }

int main(void) {
  for (int n = 0; n < 6; ++n)
    CHECK_AT_D("rpow", n, ct_derivative(rpow, 1.3, 1.0, n), n ? n * pow(1.3, n - 1) : 0.0);
  {
    double x[7], v[7];
    for (int i = 0; i < 7; ++i) {
      x[i] = 0.5 + 0.2 * i;
      v[i] = 1.0 - 0.3 * i;
    }
    /* by hand: the weights of each leaf */
    double h = 1e-6, a[7], b[7];
    for (int i = 0; i < 7; ++i) {
      a[i] = x[i] + h * v[i];
      b[i] = x[i] - h * v[i];
    }
    CHECK_TOL(ct_derivative(dc_sum, x, v, 7), (dc_sum(a, 7) - dc_sum(b, 7)) / (2 * h), 1e-8);
    CHECK_D(ct_derivative(dc_sum, x, v, 1), dc_ref(x, 1, v[0]));
  }
  for (int n = 0; n < 5; ++n) {
    double xv = 0.7, h = 1e-6;
    CHECK_AT_TOL("even", n, ct_derivative(even, xv, 1.0, n), (even(xv + h, n) - even(xv - h, n)) / (2 * h), 1e-8);
  }
  {
    double x[5] = {1, 2, 3, 4, 5}, dx[5] = {0.5, 0, -1, 0.25, 1}, x0[5], p[5], m[5], h = 1e-6;
    memcpy(x0, x, sizeof x);
    for (int i = 0; i < 5; ++i) {
      p[i] = x0[i] + h * dx[i];
      m[i] = x0[i] - h * dx[i];
    }
    double fd = (rscale_sum(p, 5, 0.9 + h * 0.1) - rscale_sum(m, 5, 0.9 - h * 0.1)) / (2 * h);
    CHECK_TOL(ct_derivative(rscale_sum, x, dx, 5, 0.9, 0.1), fd, 1e-8);
    for (int i = 0; i < 5; ++i) /* the tangent array holds the scaled elements' tangents */
      CHECK_AT_TOL("rscale: x[i]", i, dx[i], (p[i] - m[i]) / (2 * h), 1e-8);
  }
  for (int k = 0; k < 4; ++k) {
    double x[4] = {1.5, 2.5, -0.5, 0.75}, dx[4] = {1, 2, 3, 4};
    double xk = x[k], dxk = dx[k];
    double want = 2 * xk * dxk + (k == 0 ? 3.0 * 2 * xk * dxk : 3.0 * dx[0]);
    CHECK_AT_D("through_nth", k, ct_derivative(through_nth, x, dx, k), want);
    CHECK_AT_D("through_nth: x[k]'", k, dx[k], 2 * xk * dxk);
  }
  CHECK_D(ct_derivative(use_scaled, 1.5, 1.0, 2.0, 0.0), 2 * 2.0 * 1.5 + 2.0);
  CHECK_D(ct_derivative(use_scaled, 1.5, 0.0, 2.0, 1.0), 1.5); /* through scaled's k: none */
  CHECK_D(ct_derivative(use_rare, 0.8, 1.0), exp(-0.64) * (1 - 2 * 0.64));
  {
    double x = 0.6, y = -1.1, s = 1 / (1 + exp(-x * y));
    CHECK_D(ct_derivative(softplus, x, 1.0), 1 / (1 + exp(-x)));
    CHECK_D(ct_derivative(doubled_slope, x, 1.0), 2.0);
    CHECK_D(ct_derivative(use_custom, x, 1.0, y, 0.0), s * y + 3 * y);
    CHECK_D(ct_derivative(use_custom, x, 0.0, y, 1.0), s * x + 2.0 + 3 * x);
    CHECK_D(ct_derivative(blend, x, 0.5, 3, y, 2.0), 3 * (0.5 * y + 2.0 * x));
  }
  return check_summary("forward_calls");
}
