/* Several differentiable(wrt) attributes on one function (Swift's several
 * @differentiable(wrt:) configurations): each operator call picks the
 * configuration its arguments fit (a derivative pointer after exactly the
 * parameters of one wrt list; ct_const or a plain value for the others), in
 * ct_gradient, ct_value_with_gradient, pullbacks (ct_const picks) and
 * ct_derivative; and calls of a function of another file
 * (lib/configurations_lib.c), which exports each configuration, each call
 * using the one its derivatives need. Analytic derivatives at -O0..-O3
 * (ASan). Parameters outside the chosen list get no derivative, so a wrong
 * pick gives wrong values or a compile error. */
/* run.sh sources: lib/configurations_lib.c */
#include "check.h"

#include <cotangent.h>
#include <math.h>

double f(double x, double y) CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y);
double f(double x, double y) { return x * x * y + sin(y); }

/* a loss with three configurations: the weights, weights and inputs, the
 * regularisation strength */
double loss(const double *w, const double *x, double reg, int n) CT_DIFFERENTIABLE_WRT(w)
    CT_DIFFERENTIABLE_WRT(w, x) CT_DIFFERENTIABLE_WRT(reg);
double loss(const double *w, const double *x, double reg, int n) {
  double s = 0, r = 0;
  for (int i = 0; i < n; ++i) {
    s += w[i] * x[i];
    r += w[i] * w[i];
  }
  return s * s + reg * r;
}

double lib_h(double x, double y) CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y);
static double h_want(double x, double y) { return exp(0.5 * x) * cos(y) + x * y * y; }
double through_x(double a, double b) { return lib_h(a * a, b) * a; }   /* needs wrt x */
double through_y(double a, double b) { return lib_h(a, b * b) + b; }   /* needs wrt y */

int main(void) {
  double x = 1.5, y = 0.5;
  double dx = 0, dy = 0;
  ct_gradient(f, x, &dx, y); /* wrt x */
  CHECK_D(dx, 2 * x * y);
  double v = ct_value_with_gradient(f, x, y, &dy); /* wrt y */
  CHECK_D(v, f(x, y));
  CHECK_D(dy, x * x + cos(y));
  dx = 0;
  ct_gradient(f, x, &dx, ct_const(y));
  CHECK_D(dx, 2 * x * y);

  ct_pullback_t pb;
  double v2 = ct_value_with_pullback(f, &pb, ct_const(x), y); /* wrt y */
  double g = 0;
  ct_pullback_apply(pb, 2.0, &g);
  ct_pullback_free(pb);
  CHECK_D(v2, f(x, y));
  CHECK_D(g, 2 * (x * x + cos(y)));
  pb = ct_pullback(f, x, ct_const(y)); /* wrt x */
  g = 0;
  ct_pullback_apply(pb, 1.0, &g);
  ct_pullback_free(pb);
  CHECK_D(g, 2 * x * y);

  /* forward mode: tangents are values, so ct_const says which */
  CHECK_D(ct_derivative(f, x, 1.0, ct_const(y)), 2 * x * y);    /* wrt x */
  CHECK_D(ct_derivative(f, ct_const(x), y, 1.0), x * x + cos(y)); /* wrt y */

  enum { N = 4 };
  double w[N] = {0.5, -1.0, 2.0, 0.25}, in[N] = {1.0, 2.0, -0.5, 3.0};
  double s = 0, r = 0;
  for (int i = 0; i < N; ++i) {
    s += w[i] * in[i];
    r += w[i] * w[i];
  }
  double dw[N] = {0}, din[N] = {0}, dreg = 0, reg = 0.1;
  ct_gradient(loss, w, dw, in, reg, N); /* wrt w */
  for (int i = 0; i < N; ++i)
    CHECK_D(dw[i], 2 * s * in[i] + 2 * reg * w[i]);
  for (int i = 0; i < N; ++i)
    dw[i] = 0;
  ct_gradient(loss, w, dw, in, din, reg, N); /* wrt w, x */
  for (int i = 0; i < N; ++i) {
    CHECK_D(dw[i], 2 * s * in[i] + 2 * reg * w[i]);
    CHECK_D(din[i], 2 * s * w[i]);
  }
  ct_gradient(loss, w, in, reg, &dreg, N); /* wrt reg */
  CHECK_D(dreg, r);

  /* another file's function, each configuration */
  {
    double a = 0.7, b = -0.4, da = 0, db = 0;
    ct_gradient(through_x, a, &da, ct_const(b));
    double hx = 0.5 * exp(0.5 * a * a) * cos(b) + b * b; /* dh/dx at (a^2, b) */
    CHECK_D(da, hx * 2 * a * a + h_want(a * a, b));
    ct_gradient(through_y, ct_const(a), b, &db);
    double hy = -exp(0.5 * a) * sin(b * b) + 2 * a * b * b; /* dh/dy at (a, b^2) */
    CHECK_D(db, hy * 2 * b + 1);
    /* forward mode across files: the first configuration's exported tangent */
    CHECK_D(ct_derivative(through_x, a, 1.0, ct_const(b)), hx * 2 * a * a + h_want(a * a, b));
  }
  return check_summary("differentiable_configurations");
}
