/* Higher-order functions in differentiated code, with differentiable
 * function-pointer types (Swift's @differentiable function types): an
 * integrator taking its right-hand side (a function named at the operator
 * call, one chosen at run time from a table of a differentiable type, one of
 * another file declared CT_DIFFERENTIABLE), map and reduce helpers taking
 * the function they apply, a loss taking its activation as a struct field.
 * The derivative flows through each call through the pointer. Checked
 * against analytic derivatives and central differences at -O0..-O3 (ASan);
 * compiled with -Werror, so a warning at the operator calls (a function
 * pointer not proven differentiable) would fail it too. */
/* run.sh sources: lib/callbacks_lib.c */
#include "check.h"

#include <cotangent.h>
#include <math.h>

#define H 1e-6
#define TOL 1e-7

/* ---- an integrator taking its right-hand side ---- */
typedef double (*rhs_fn)(double t, double y) CT_DIFFERENTIABLE;

CT_DIFFERENTIABLE double logistic(double t, double y) { return y * (1.0 - y) + 0.1 * sin(t); }
static double decay(double t, double y) { return -0.5 * y * exp(-0.2 * t); }
static const rhs_fn FIELDS[2] = {logistic, decay};

/* Heun's method: y(t1) from y0 */
double integrate(rhs_fn g, double y0, double t1, int n) {
  double h = t1 / n, y = y0, t = 0;
  for (int i = 0; i < n; ++i) {
    double k1 = g(t, y), k2 = g(t + h, y + h * k1);
    y += 0.5 * h * (k1 + k2);
    t += h;
  }
  return y;
}

/* ---- map and reduce taking the function they apply ---- */
typedef double (*unary_fn)(double) CT_DIFFERENTIABLE;
typedef double (*binary_fn)(double, double) CT_DIFFERENTIABLE;

static double softplus(double x) { return log1p(exp(x)); }
static double square(double x) { return x * x; }
static double add(double a, double b) { return a + b; }
static double smooth_max(double a, double b) { return log(exp(a) + exp(b)); }

static void map(unary_fn f, const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = f(x[i]);
}
static double reduce(binary_fn op, const double *x, int n, double init) {
  double acc = init;
  for (int i = 0; i < n; ++i)
    acc = op(acc, x[i]);
  return acc;
}
/* reduce(op, map(f, x)) */
double map_reduce(unary_fn f, binary_fn op, const double *x, int n) {
  double y[8];
  map(f, x, y, n);
  return reduce(op, y, n, 0.0);
}

/* ---- a loss whose activation is a struct field ---- */
typedef struct {
  unary_fn act;
  double w[3];
} neuron;
double neuron_loss(const neuron *u, const double *x, double target) {
  double z = u->w[0] * x[0] + u->w[1] * x[1] + u->w[2];
  double e = u->act(z) - target;
  return e * e;
}

/* ---- a differentiable callback of another file (lib/callbacks_lib.c) ---- */
typedef void (*out_fn)(double x, double *out) CT_DIFFERENTIABLE;
CT_DIFFERENTIABLE void lib_softsign(double x, double *out);
double apply_twice(out_fn f, double x) {
  double a, b;
  f(x, &a);
  f(a, &b);
  return b;
}

static double softsign_lib(double x) { return x / (1 + fabs(x)) + 0.5 * x * x; }
static double softsign_lib_d(double x) { return 1 / ((1 + fabs(x)) * (1 + fabs(x))) + x; }

int main(void) {
  /* integrate: a function named at the call, one from a typed table */
  for (int k = 0; k < 2; ++k) {
    rhs_fn g = FIELDS[k];
    double y0 = 0.3, t1 = 1.5, dy0 = 0, dt1 = 0;
    double v = ct_value_with_gradient(integrate, g, y0, &dy0, t1, &dt1, 40);
    CHECK_D(v, integrate(g, y0, t1, 40));
    double fd_y = (integrate(g, y0 + H, t1, 40) - integrate(g, y0 - H, t1, 40)) / (2 * H);
    double fd_t = (integrate(g, y0, t1 + H, 40) - integrate(g, y0, t1 - H, 40)) / (2 * H);
    CHECK_TOL(dy0, fd_y, TOL);
    CHECK_TOL(dt1, fd_t, TOL);
  }
  {
    double dy0 = 0;
    ct_gradient(integrate, logistic, 0.2, &dy0, ct_const(1.0), 30);
    double fd = (integrate(logistic, 0.2 + H, 1.0, 30) - integrate(logistic, 0.2 - H, 1.0, 30)) / (2 * H);
    CHECK_TOL(dy0, fd, TOL);
    /* a pullback over the same call, applied twice */
    ct_pullback_t pb;
    double v = ct_value_with_pullback(integrate, &pb, decay, 0.7, 2.0, 25);
    double d1 = 0, d2 = 0, e1 = 0, e2 = 0;
    ct_pullback_apply(pb, 1.0, &d1, &e1);
    ct_pullback_apply(pb, -2.0, &d2, &e2);
    ct_pullback_free(pb);
    CHECK_D(v, integrate(decay, 0.7, 2.0, 25));
    double fd_y = (integrate(decay, 0.7 + H, 2.0, 25) - integrate(decay, 0.7 - H, 2.0, 25)) / (2 * H);
    CHECK_TOL(d1, fd_y, TOL);
    CHECK_TOL(d2, -2.0 * fd_y, TOL);
  }

  /* map/reduce: sum softplus(x_i) and log-sum-exp of x_i^2, analytic */
  {
    double x[5] = {0.3, -1.2, 2.0, 0.5, -0.1}, dx[5] = {0};
    double v = ct_value_with_gradient(map_reduce, softplus, add, x, dx, 5);
    double want = 0;
    for (int i = 0; i < 5; ++i) {
      want += log1p(exp(x[i]));
      CHECK_D(dx[i], 1 / (1 + exp(-x[i])));
    }
    CHECK_D(v, want);
    double dz[5] = {0};
    binary_fn ops[2] = {add, smooth_max};
    ct_gradient(map_reduce, square, ops[1], x, dz, 5);
    double s = 1; /* exp(0): the initial value 0 takes part in the max */
    for (int i = 0; i < 5; ++i)
      s += exp(x[i] * x[i]);
    for (int i = 0; i < 5; ++i)
      CHECK_TOL(dz[i], 2 * x[i] * exp(x[i] * x[i]) / s, 1e-12);
  }

  /* the activation in a struct: dloss/dw analytic */
  {
    neuron u = {softplus, {0.4, -0.3, 0.1}}, du = {0, {0, 0, 0}};
    double x[2] = {1.5, -0.5}, dx[2] = {0};
    ct_gradient(neuron_loss, &u, &du, x, dx, ct_const(0.8));
    double z = 0.4 * 1.5 - 0.3 * -0.5 + 0.1, e = log1p(exp(z)) - 0.8, s = 1 / (1 + exp(-z));
    CHECK_D(du.w[0], 2 * e * s * x[0]);
    CHECK_D(du.w[1], 2 * e * s * x[1]);
    CHECK_D(du.w[2], 2 * e * s);
    CHECK_D(dx[0], 2 * e * s * u.w[0]);
    CHECK_D(dx[1], 2 * e * s * u.w[1]);
  }

  /* another file's differentiable callback */
  {
    double dx = 0, x = 0.6;
    out_fn f = lib_softsign;
    double v = ct_value_with_gradient(apply_twice, f, x, &dx);
    double a = softsign_lib(x);
    CHECK_D(v, softsign_lib(a));
    CHECK_D(dx, softsign_lib_d(a) * softsign_lib_d(x));
  }
  return check_summary("differentiable_function_values");
}
