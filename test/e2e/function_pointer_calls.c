/* Calls through function pointers inside differentiated code, dispatched at
 * run time to the gradient of the function the pointer holds: a function
 * pointer passed to a helper (an integrator), a table of functions selected
 * by an int (activations, libm functions), a struct holding a callback (a
 * sum of energy terms, on the heap), a callback that calls another through
 * a pointer, callbacks whose result is written through a pointer (into a
 * local or into the differentiated function's output), a function-pointer
 * parameter of the differentiated function itself (constant by default),
 * and a CT_DIFFERENTIABLE callback of another file (lib/callbacks_lib.c).
 * Through ct_gradient and Enzyme's ABI. Each gradient against central
 * differences at -O0..-O3 (ASan, valgrind). Before run-time dispatch, a
 * callback writing its result through a pointer gave a zero derivative with
 * only a warning, and the others were compile errors. */
/* run.sh sources: lib/callbacks_lib.c */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

int enzyme_dup, enzyme_const, enzyme_out;
extern void __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_d(void *, ...);

#define H 1e-6
#define TOL 1e-7

/* ---- a function pointer passed to a helper: the trapezoidal rule ---- */
typedef double (*integrand)(double t, const double *p);
static double damped(double t, const double *p) { return exp(-p[0] * t) * sin(p[1] * t); }
static double poly(double t, const double *p) { return p[0] * t * t + p[1] * t; }

static double trapezoid(integrand f, const double *p, double a, double b, int n) {
  double h = (b - a) / n, s = 0.5 * (f(a, p) + f(b, p));
  for (int i = 1; i < n; ++i)
    s += f(a + i * h, p);
  return s * h;
}

static integrand pick_integrand(int k) { return k ? poly : damped; }
double integral(const double *p, int k) { return trapezoid(pick_integrand(k), p, 0.0, 2.0, 20); }

/* ---- a table of activations chosen by an int, writing through `out` ---- */
typedef void (*activation)(const double *in, double *out, int n);
static void softplus(const double *in, double *out, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = log1p(exp(in[i]));
}
static void tanh_all(const double *in, double *out, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = tanh(in[i]);
}
static void square_all(const double *in, double *out, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = in[i] * in[i];
}
static const activation ACTIVATIONS[3] = {softplus, tanh_all, square_all};

/* a two-layer net: the hidden values are written by the activation into a
   local array, the result is their weighted sum */
double net(const double *w, int act) {
  double in[4], hidden[4];
  for (int i = 0; i < 4; ++i)
    in[i] = w[i] * (i + 1) - w[4];
  ACTIVATIONS[act](in, hidden, 4);
  double s = 0;
  for (int i = 0; i < 4; ++i)
    s += w[5 + i] * hidden[i];
  return s;
}

/* the activation writes straight into the differentiated function's output
   (Enzyme ABI, enzyme_dup on out) */
void layer(const double *in, double *out, int act) { ACTIVATIONS[act % 3](in, out, 4); }

/* a scalar callback writing through a pointer, from a local table and from
   another file */
typedef void (*scalar_out)(double x, double *out);
static void cube_out(double x, double *out) { *out = x * x * x; }
static void exp_out(double x, double *out) { *out = exp(0.5 * x); }
CT_DIFFERENTIABLE void lib_softsign(double x, double *out);
double through_out(double x, int k) {
  scalar_out ops[3] = {cube_out, exp_out, lib_softsign};
  double r;
  ops[k % 3](x, &r);
  return r * x;
}

/* libm functions in a table */
static double (*const MATH[3])(double) = {sin, exp, sqrt};
double math_table(const double *x, int k) { return MATH[k](x[0]) * x[1] + MATH[(k + 1) % 3](x[1]); }

/* ---- a struct holding a callback: energy terms on the heap ---- */
typedef struct {
  double (*energy)(const double *x, const double *w);
  double w[2];
} term;
static double spring(const double *x, const double *w) { return 0.5 * w[0] * (x[1] - x[0] - w[1]) * (x[1] - x[0] - w[1]); }
static double gravity(const double *x, const double *w) { return w[0] * (x[0] + x[1]) + w[1] * cos(x[0]); }
/* a callback calling another through a pointer held in a global */
static double (*volatile inner_shape)(double) = tanh;
static double shaped(const double *x, const double *w) { return w[0] * inner_shape(w[1] * x[1]); }

typedef struct {
  int n;
  term *terms;
} model;

double total_energy(const double *x, const model *m) {
  double e = 0;
  for (int i = 0; i < m->n; ++i)
    e += m->terms[i].energy(x, m->terms[i].w);
  return e;
}

/* ---- a function-pointer parameter of the differentiated function ---- */
static double field(double t, double y) { return -y * y + sin(t); }
double euler(double (*rhs)(double, double), double y0, int steps) {
  double y = y0, h = 0.05;
  for (int i = 0; i < steps; ++i)
    y += h * rhs(i * h, y);
  return y;
}

/* ---- central differences ---- */
typedef struct {
  int k;
  const model *m;
} ctx_t;
static double fd_integral(double *p, void *c) { return integral(p, ((ctx_t *)c)->k); }
static double fd_net(double *w, void *c) { return net(w, ((ctx_t *)c)->k); }
static double fd_math(double *x, void *c) { return math_table(x, ((ctx_t *)c)->k); }
static double fd_energy(double *x, void *c) { return total_energy(x, ((ctx_t *)c)->m); }
static double fd_layer(double *in, void *c) {
  double out[4];
  layer(in, out, ((ctx_t *)c)->k);
  return out[0] + 2 * out[1] + 3 * out[2] + 4 * out[3];
}

static void check_integral(void) {
  double p[2] = {0.4, 1.3};
  for (int k = 0; k < 2; ++k) {
    double dp[2] = {0, 0};
    ct_gradient(integral, p, dp, k);
    ctx_t c = {k, NULL};
    CHECK_FD_GRADIENT("integral", fd_integral, &c, p, 2, dp, H, TOL);
  }
}

static void check_net(void) {
  double w[9] = {0.3, -0.2, 0.5, 0.1, 0.05, 1.0, -0.7, 0.4, 0.9};
  for (int k = 0; k < 3; ++k) {
    double dw[9] = {0};
    __enzyme_autodiff((void *)net, enzyme_dup, w, dw, enzyme_const, k);
    ctx_t c = {k, NULL};
    CHECK_FD_GRADIENT("net", fd_net, &c, w, 9, dw, H, TOL);
  }
}

static void check_layer(void) {
  double in[4] = {0.3, -0.4, 1.1, 0.2};
  for (int k = 0; k < 3; ++k) {
    double din[4] = {0}, out[4], dout[4] = {1, 2, 3, 4};
    __enzyme_autodiff((void *)layer, enzyme_dup, in, din, enzyme_dup, out, dout, enzyme_const, k);
    ctx_t c = {k, NULL};
    CHECK_FD_GRADIENT("layer", fd_layer, &c, in, 4, din, H, TOL);
  }
}

static void check_through_out(void) {
  double x = 0.8;
  for (int k = 0; k < 3; ++k) {
    double dx = 0;
    double v = ct_value_with_gradient(through_out, x, &dx, k);
    CHECK_D(v, through_out(x, k));
    double fd = (through_out(x + H, k) - through_out(x - H, k)) / (2 * H);
    CHECK_AT_TOL("through_out", k, dx, fd, TOL);
  }
}

static void check_math(void) {
  double x[2] = {0.6, 1.7};
  for (int k = 0; k < 3; ++k) {
    double dx[2] = {0, 0};
    ct_gradient(math_table, x, dx, k);
    ctx_t c = {k, NULL};
    CHECK_FD_GRADIENT("math_table", fd_math, &c, x, 2, dx, H, TOL);
  }
}

static void check_energy(void) {
  model *m = malloc(sizeof *m);
  m->n = 4;
  m->terms = malloc(4 * sizeof *m->terms);
  m->terms[0] = (term){spring, {2.0, 0.5}};
  m->terms[1] = (term){gravity, {0.3, 0.7}};
  m->terms[2] = (term){shaped, {1.5, 0.8}};
  m->terms[3] = (term){spring, {0.5, -0.2}};
  double x[2] = {0.2, 1.1}, dx[2] = {0, 0};
  ct_gradient(total_energy, x, dx, ct_const(m));
  ctx_t c = {0, m};
  CHECK_FD_GRADIENT("total_energy", fd_energy, &c, x, 2, dx, H, TOL);
  double ex[2] = {0, 0};
  __enzyme_autodiff((void *)total_energy, enzyme_dup, x, ex, enzyme_const, m);
  CHECK_FD_GRADIENT("total_energy (Enzyme)", fd_energy, &c, x, 2, ex, H, TOL);
  free(m->terms);
  free(m);
}

static void check_euler(void) {
  double y0 = 0.7, dy0 = 0;
  ct_gradient(euler, field, y0, &dy0, 8);
  double fd = (euler(field, y0 + H, 8) - euler(field, y0 - H, 8)) / (2 * H);
  CHECK_TOL(dy0, fd, TOL);
  CHECK_TOL(__enzyme_autodiff_d((void *)euler, field, y0, enzyme_const, 8), fd, TOL);
}

int main(void) {
  check_integral();
  check_net();
  check_layer();
  check_through_out();
  check_math();
  check_energy();
  check_euler();
  return check_summary("function_pointer_calls");
}
