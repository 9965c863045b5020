/* Functions whose results are written through pointers, in every native
 * operator: ct_gradient and ct_value_with_gradient of a void function (the
 * output shadows hold the seed, consumed; the inputs' adjoints are added),
 * a function returning a value and writing more results through pointers
 * (return seed 1, output shadows hold theirs), and ct_gradient_of a void
 * function. Checked against analytic derivatives and central differences. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include "pointer_outputs_models.h"

/* one explicit Euler step of a damped chain of oscillators */
static void step(const double *state, double *next, int n) {
  for (int i = 0; i < n; ++i)
    next[i] = state[i] + 0.05 * spring(state, i, n);
}

/* a mean returned, the variance written through a pointer */
static double mean_var(const double *x, int n, double *var) {
  double m = 0.0;
  for (int i = 0; i < n; ++i)
    m += x[i];
  m /= n;
  double v = 0.0;
  for (int i = 0; i < n; ++i)
    v += (x[i] - m) * (x[i] - m);
  *var = v / n;
  return m;
}

/* L(state) = sum_i w_i step(state)_i */
static double weighted_step(const double *state, const double *w, int n) {
  double *next = malloc(n * sizeof *next);
  step(state, next, n);
  double s = 0.0;
  for (int i = 0; i < n; ++i)
    s += w[i] * next[i];
  free(next);
  return s;
}

int main(void) {
  /* to_cartesian: seed (a, b) on xy: dr = a cos th + b sin th,
     dth = -a r sin th + b r cos th */
  double r = 1.7, th = 0.6, xy[2], dxy[2] = {0.3, -1.2}, dr = 0.0, dth = 0.0;
  ct_gradient(to_cartesian, r, &dr, th, &dth, xy, dxy);
  CHECK_D(xy[0], r * cos(th));
  CHECK_D(xy[1], r * sin(th));
  CHECK_D(dr, 0.3 * cos(th) - 1.2 * sin(th));
  CHECK_D(dth, -0.3 * r * sin(th) - 1.2 * r * cos(th));
  CHECK(dxy[0] == 0.0 && dxy[1] == 0.0); /* the seed is consumed */

  /* ct_value_with_gradient of a void function returns 0 */
  double dxy2[2] = {1.0, 0.0};
  double v = ct_value_with_gradient(to_cartesian, r, &dr, th, &dth, xy, dxy2);
  CHECK(v == 0.0);
  CHECK_D(dr, cos(th));
  CHECK_D(dth, -r * sin(th));

  /* step: a vector-Jacobian product, against central differences of
     weighted_step */
  enum { N = 6 };
  double *state = malloc(N * sizeof *state), *next = malloc(N * sizeof *next);
  double *dstate = calloc(N, sizeof *dstate), *dnext = malloc(N * sizeof *dnext);
  double w[N];
  for (int i = 0; i < N; ++i) {
    state[i] = 0.3 * i - 0.4;
    w[i] = 1.0 + 0.25 * i;
    dnext[i] = w[i];
  }
  ct_gradient(step, state, dstate, next, dnext, N);
  for (int i = 0; i < N; ++i) {
    double h = 1e-6, keep = state[i];
    state[i] = keep + h;
    double up = weighted_step(state, w, N);
    state[i] = keep - h;
    double down = weighted_step(state, w, N);
    state[i] = keep;
    CHECK_TOL(dstate[i], (up - down) / (2 * h), 1e-7);
    CHECK(dnext[i] == 0.0);
  }

  /* a return value and a result through a pointer: seed 1 on the mean, and
     the seed in dvar on the variance; d mean/dx_i = 1/n,
     d var/dx_i = 2 (x_i - m) / n */
  double x[4] = {1.0, 2.5, -0.5, 4.0}, dx[4] = {0}, var, dvar = 3.0;
  double m = ct_value_with_gradient(mean_var, x, dx, 4, &var, &dvar);
  CHECK_D(m, 1.75);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 0.25 + 3.0 * 2.0 * (x[i] - m) / 4.0);

  /* ct_gradient_of a void function: its gradient returns nothing */
  void (*g)(double, double *, double, double *, double *, double *) = ct_gradient_of(to_cartesian);
  double seed[2] = {0.0, 2.0};
  dr = dth = 0.0;
  g(r, &dr, th, &dth, xy, seed);
  CHECK_D(dr, 2.0 * sin(th));
  CHECK_D(dth, 2.0 * r * cos(th));

  free(state);
  free(next);
  free(dstate);
  free(dnext);
  return check_summary("pointer_outputs");
}
