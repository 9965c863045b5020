/* Operators inside differentiated functions: the operator calls in the code
 * a gradient differentiates are lowered first, whatever the order of the
 * functions in the file (they used to stay operator calls inside the
 * gradient: an undefined __ct_gradient at link time, or a zero derivative).
 * A slope at a fixed point scaling a model (constant w.r.t. x), and second
 * derivatives of a closed form and of a loop (Newton's method needs f''),
 * checked against derivatives written out by hand. */
#include "check.h"

#include <cotangent.h>
#include <math.h>

/* differentiated before the functions below are defined */
static double scaled_model(double x, double c);
static double slope(double x);
static double series_slope(double x, int n);

static double d_scaled_model(double x, double c) {
  double dx;
  ct_gradient(scaled_model, x, &dx, ct_const(c));
  return dx;
}

static double curvature(double x) {
  double dx;
  ct_gradient(slope, x, &dx);
  return dx;
}

static double series_curvature(double x, int n) {
  double dx;
  ct_gradient(series_slope, x, &dx, n);
  return dx;
}

static double cube(double t) { return t * t * t; }

/* g'(c) sin(x) with g = cube: 3 c^2 sin(x) */
static double scaled_model(double x, double c) {
  double dc = 0;
  ct_gradient(cube, c, &dc);
  return dc * sin(x);
}

static double bump(double t) { return t * t * sin(t); }

static double slope(double x) {
  double d = 0;
  ct_gradient(bump, x, &d);
  return d;
}

/* t sum_k w_k sin(k t) with w_k = 1 / k (a multiplication: the guard of
 * a division's reverse against a zero seed is not differentiable where that
 * seed is zero, at t = 0 here) */
static double series(double t, int n) {
  double s = 0, w[16];
  for (int k = 1; k <= n; ++k)
    w[k - 1] = 1.0 / k;
  for (int k = 1; k <= n; ++k)
    s += w[k - 1] * sin(k * t);
  return s * t;
}

static double series_slope(double x, int n) {
  double d = 0;
  ct_gradient(series, x, &d, n);
  return d;
}

int main(void) {
  for (double x = -1.0; x <= 1.5; x += 0.5) {
    CHECK_AT_D("scaled_model", x, d_scaled_model(x, 2.0), 12.0 * cos(x));
    CHECK_AT_D("curvature", x, curvature(x), 2 * sin(x) + 4 * x * cos(x) - x * x * sin(x));
    double want = 0;
    for (int k = 1; k <= 6; ++k)
      want += 2 * cos(k * x) - k * x * sin(k * x);
    CHECK_AT_TOL("series_curvature", x, series_curvature(x, 6), want, 1e-11);
  }
  return check_summary("nested_operators");
}
