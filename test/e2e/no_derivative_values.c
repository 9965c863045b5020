/* A no_derivative function keeps its value: a call of one returns what its
 * body computes, whether it is called from main or from differentiated
 * code, also when its body calls an operator itself (slope: d(x^3)/dx by
 * ct_gradient = 3x^2), when it takes no arguments, and when its result is
 * not its first argument. Analytic checks (the calls used to be replaced by
 * their first argument, so slope(x) returned x). */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double cube(double x) { return x * x * x; }

/* a Newton helper: the derivative of cube, computed by the operator */
CT_NO_DERIVATIVE double slope(double x) {
  double d = 0;
  ct_gradient(cube, x, &d);
  return d;
}

static int steps_taken;
CT_NO_DERIVATIVE double step_size(void) { return 0.5 + 0.25 * steps_taken; }
CT_NO_DERIVATIVE double preconditioner(double x, double scale) { return scale / (1.0 + x * x); }

/* Newton iteration for cube(x) = c, as a user writes it */
static double cube_root(double c) {
  double x = 1.0;
  for (int i = 0; i < 60; ++i)
    x -= (cube(x) - c) / slope(x);
  return x;
}

/* differentiated: slope and preconditioner are constants here */
static double loss(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * slope(w[i]) * preconditioner(w[i], 2.0) + step_size() * w[i];
  return s;
}

int main(void) {
  int bad = 0;
  const double xs[3] = {1.5, -0.7, 2.0};
  for (int i = 0; i < 3; ++i) {
    double got = slope(xs[i]), want = 3 * xs[i] * xs[i];
    if (fabs(got - want) > 1e-12) { bad++; printf("slope(%g) = %g, want %g\n", xs[i], got, want); }
  }
  double r = cube_root(10.0);
  if (fabs(r - cbrt(10.0)) > 1e-12) { bad++; printf("cube_root(10) = %.17g, want %.17g\n", r, cbrt(10.0)); }
  steps_taken = 2;
  if (fabs(step_size() - 1.0) > 0) { bad++; printf("step_size() = %g, want 1\n", step_size()); }
  double p = preconditioner(3.0, 2.0);
  if (fabs(p - 0.2) > 1e-15) { bad++; printf("preconditioner(3, 2) = %g, want 0.2\n", p); }

  double w[3] = {0.5, -1.25, 2.0}, dw[3] = {0};
  double v = ct_value_with_gradient(loss, w, dw, 3);
  double want_v = 0;
  for (int i = 0; i < 3; ++i) {
    double c = 3 * w[i] * w[i] * (2.0 / (1.0 + w[i] * w[i]));
    want_v += w[i] * c + 1.0 * w[i];
    double want = c + 1.0; /* the no_derivative factors are constants */
    if (fabs(dw[i] - want) > 1e-12) { bad++; printf("dw[%d] = %g, want %g\n", i, dw[i], want); }
  }
  if (fabs(v - want_v) > 1e-12) { bad++; printf("loss = %g, want %g\n", v, want_v); }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
