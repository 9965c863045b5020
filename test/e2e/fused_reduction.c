/* Reduction loops whose reverse runs inside their forward iterations
 * (pass/fused.c) and their neighbours that must not: every gradient
 * against central differences (and against a hand-written gradient where
 * one is short), at -O0..-O3. Fused (test/lit/remark_fused.c pins some):
 * Rosenbrock's chained form (returned; through the Enzyme ABI's
 * `*out = f` with a seed of 2.5 in dout, and with out being the x[n-1]
 * the loop reads), several accumulators combined
 * after the loop with constant and argument coefficients, a dot product
 * (fmuladd), a conditional term (a select of two sums), an active scalar
 * argument inside the body. Not fused: the sum squared after the loop,
 * a store after the loop, an inner loop using a value of its outer
 * loop's iteration, a sum with a value reset inside the loop. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <string.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

enum { N = 9 };

static double chain(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n - 1; i++) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

static void chain_out(const double *x, int n, double *out) { *out = chain(x, n); }

/* x[n-1] = f(x): the output overwrites an input */
static void chain_in_place(double *x, int n) { x[n - 1] = chain(x, n); }

static double several(const double *x, double c, int n) {
  double s = 0.0, q = 1.0, w = 0.0;
  for (int i = 0; i < n; i++) {
    s += x[i] * x[i];
    q -= sin(x[i]);
    w = fma(x[i], 0.5, w);
  }
  return 2.0 * s + c * q - w;
}

static double dot(const double *x, const double *y, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    f += x[i] * y[i];
  return f;
}

static double conditional(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    double t = x[i] * x[i];
    if (x[i] > 0.3)
      f += t;
    else
      f -= 0.5 * t * x[i];
  }
  return f;
}

static double scaled(const double *x, double c, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    f += c * x[i] * x[i] + exp(c * x[i]);
  return f;
}

static double squared(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    f += x[i] * x[i] * x[i];
  return f * f;
}

static double stored_after(const double *x, double *y, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    f += x[i] * x[i];
  y[0] = 3.0 * f;
  return f + y[1] * y[0];
}

static double nested(const double *x, int n) {
  double f = 0.0;
  for (int j = 0; j < 3; j++) {
    double s = x[j] * x[j];
    for (int i = 0; i < n; i++)
      f += s * x[i] + x[i] * x[i];
  }
  return f;
}

static double nested_plain(const double *x, int n) {
  double f = 0.0;
  for (int j = 0; j < 3; j++)
    for (int i = 0; i < n; i++)
      f += (j + 1) * x[i] * x[(i + j) % n];
  return f;
}

static double reset(const double *x, int n) {
  double f = 0.0, g = 0.0;
  for (int i = 0; i < n; i++) {
    f += x[i] * x[i];
    if (f > 2.0) {
      g += f;
      f = 0.0;
    }
  }
  return f + 3.0 * g;
}

/* ---- central differences ---- */

static double c_arg = 0.7;
static double f_chain(double *x, void *ctx) { (void)ctx; return chain(x, N); }
static double f_several(double *x, void *ctx) { (void)ctx; return several(x, c_arg, N); }
static double f_conditional(double *x, void *ctx) { (void)ctx; return conditional(x, N); }
static double f_scaled(double *x, void *ctx) { (void)ctx; return scaled(x, c_arg, N); }
static double f_squared(double *x, void *ctx) { (void)ctx; return squared(x, N); }
static double f_nested(double *x, void *ctx) { (void)ctx; return nested(x, N); }
static double f_nested_plain(double *x, void *ctx) { (void)ctx; return nested_plain(x, N); }
static double f_reset(double *x, void *ctx) { (void)ctx; return reset(x, N); }
static double f_scaled_c(double *c, void *ctx) { return scaled((const double *)ctx, *c, N); }
static double f_stored(double *x, void *ctx) {
  double y[2] = {0.0, *(double *)ctx};
  return stored_after(x, y, N);
}

static void fill(double *x) {
  for (int i = 0; i < N; i++)
    x[i] = 0.9 - 0.23 * i + 0.05 * (i % 3);
}

static void check_chain(void) {
  double x[N], g[N] = {0}, want[N] = {0};
  fill(x);
  double v = ct_value_with_gradient(chain, x, g, N);
  CHECK_D(v, chain(x, N));
  for (int i = 0; i < N - 1; i++) { /* the hand-written gradient */
    double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
    want[i] += -400.0 * a * x[i] - 2.0 * b;
    want[i + 1] += 200.0 * a;
  }
  for (int i = 0; i < N; i++)
    CHECK_AT_D("chain", i, g[i], want[i]);
  CHECK_FD_GRADIENT("chain", f_chain, NULL, x, N, g, 1e-6, 1e-6);

  /* the Enzyme form: seed 2.5 in dout, which ends zeroed */
  double g2[N] = {0}, out = 0.0, dout = 2.5;
  __enzyme_autodiff((void *)chain_out, enzyme_dup, x, g2, enzyme_const, N, enzyme_dup, &out, &dout);
  CHECK_D(out, chain(x, N));
  CHECK(dout == 0.0);
  for (int i = 0; i < N; i++)
    CHECK_AT_D("chain_out", i, g2[i], 2.5 * want[i]);

  /* out is x[n-1], read by the loop: dout (g4[n-1]) holds the seed, then
     the derivative with respect to the input x[n-1] */
  double x4[N], g4[N] = {0};
  memcpy(x4, x, sizeof x4);
  g4[N - 1] = 1.5;
  __enzyme_autodiff((void *)chain_out, enzyme_dup, x4, g4, enzyme_const, N, enzyme_dup, &x4[N - 1], &g4[N - 1]);
  CHECK_D(x4[N - 1], chain(x, N));
  for (int i = 0; i < N; i++)
    CHECK_AT_D("chain_out aliased", i, g4[i], 1.5 * want[i]);

  /* the same written as x[n-1] = f (not fused) */
  double x3[N], g3[N] = {0};
  memcpy(x3, x, sizeof x3);
  g3[N - 1] = 1.5;
  __enzyme_autodiff((void *)chain_in_place, enzyme_dup, x3, g3, enzyme_const, N);
  CHECK_D(x3[N - 1], chain(x, N));
  for (int i = 0; i < N; i++)
    CHECK_AT_D("chain_in_place", i, g3[i], 1.5 * want[i]);
}

static void check_others(void) {
  double x[N], y[N], g[N] = {0}, gy[N] = {0}, dc = 0.0;
  fill(x);
  for (int i = 0; i < N; i++)
    y[i] = 0.3 * i - 1.0;

  ct_gradient(several, x, g, c_arg, &dc, N);
  CHECK_FD_GRADIENT("several", f_several, NULL, x, N, g, 1e-6, 1e-6);
  double q = 1.0;
  for (int i = 0; i < N; i++)
    q -= sin(x[i]);
  CHECK_D(dc, q);

  memset(g, 0, sizeof g);
  ct_gradient(dot, x, g, y, gy, N);
  for (int i = 0; i < N; i++) {
    CHECK_AT_D("dot dx", i, g[i], y[i]);
    CHECK_AT_D("dot dy", i, gy[i], x[i]);
  }

  memset(g, 0, sizeof g);
  ct_gradient(conditional, x, g, N);
  CHECK_FD_GRADIENT("conditional", f_conditional, NULL, x, N, g, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  dc = 0.0;
  ct_gradient(scaled, x, g, c_arg, &dc, N);
  CHECK_FD_GRADIENT("scaled", f_scaled, NULL, x, N, g, 1e-6, 1e-6);
  double c = c_arg;
  CHECK_FD_GRADIENT("scaled dc", f_scaled_c, x, &c, 1, &dc, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  ct_gradient(squared, x, g, N);
  CHECK_FD_GRADIENT("squared", f_squared, NULL, x, N, g, 1e-6, 1e-6);

  double ys[2] = {0.0, 0.4}, dys[2] = {0.0, 0.0}, y1 = 0.4;
  memset(g, 0, sizeof g);
  ct_gradient(stored_after, x, g, ys, dys, N);
  CHECK_FD_GRADIENT("stored_after", f_stored, &y1, x, N, g, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  ct_gradient(nested, x, g, N);
  CHECK_FD_GRADIENT("nested", f_nested, NULL, x, N, g, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  ct_gradient(nested_plain, x, g, N);
  CHECK_FD_GRADIENT("nested_plain", f_nested_plain, NULL, x, N, g, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  ct_gradient(reset, x, g, N);
  CHECK_FD_GRADIENT("reset", f_reset, NULL, x, N, g, 1e-6, 1e-6);
}

int main(void) {
  check_chain();
  check_others();
  return check_summary("fused_reduction");
}
