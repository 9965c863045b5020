/* Pullbacks of functions whose results are written through pointers:
 * ct_pullback(step, state, next, n) takes the arguments alone, and each
 * ct_pullback_apply(pb, dstate, dnext) is a vector-Jacobian product (one
 * pointer per argument not constant, in parameter order: shadows holding
 * the outputs' seeds, derivative pointers of scalars). Several seeds per
 * pullback, the full Jacobian of to_cartesian row by row, ct_value_with_
 * pullback, and a function returning a value and writing another result
 * (bound shadows, as before). Checked against central differences and
 * analytic derivatives. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include "pointer_outputs_models.h"

/* two Euler steps through a scratch buffer on the heap */
static void step(const double *state, double *next, int n) {
  double *mid = malloc(n * sizeof *mid);
  for (int i = 0; i < n; ++i)
    mid[i] = state[i] + 0.05 * spring(state, i, n);
  for (int i = 0; i < n; ++i)
    next[i] = mid[i] + 0.05 * spring(mid, i, n);
  free(mid);
}

static double weighted_step(const double *state, const double *w, int n) {
  double *next = malloc(n * sizeof *next);
  step(state, next, n);
  double s = 0.0;
  for (int i = 0; i < n; ++i)
    s += w[i] * next[i];
  free(next);
  return s;
}

/* a scaled copy: out = a * x, with a held constant below */
static void scale(double a, const double *x, double *out, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = a * x[i] * x[i];
}

int main(void) {
  enum { N = 5 };
  double *state = malloc(N * sizeof *state), *next = malloc(N * sizeof *next);
  for (int i = 0; i < N; ++i)
    state[i] = 0.2 * i - 0.3;
  ct_pullback_t pb = ct_pullback(step, state, next, N);
  for (int seed = 0; seed < 3; ++seed) { /* three seeds, one pullback */
    double w[N], dnext[N], dstate[N] = {0};
    for (int i = 0; i < N; ++i)
      dnext[i] = w[i] = 1.0 + 0.5 * i * seed - 0.3 * seed;
    ct_pullback_apply(pb, dstate, dnext);
    for (int i = 0; i < N; ++i) {
      double h = 1e-6, keep = state[i];
      state[i] = keep + h;
      double up = weighted_step(state, w, N);
      state[i] = keep - h;
      double down = weighted_step(state, w, N);
      state[i] = keep;
      CHECK_TOL(dstate[i], (up - down) / (2 * h), 1e-7);
      CHECK(dnext[i] == 0.0); /* consumed */
    }
  }
  ct_pullback_free(pb);

  /* the Jacobian of to_cartesian, one row per application */
  double r = 2.0, th = 0.4, xy[2];
  double v = ct_value_with_pullback(to_cartesian, &pb, r, th, xy);
  CHECK(v == 0.0);
  CHECK_D(xy[0], r * cos(th));
  double J[2][2];
  for (int row = 0; row < 2; ++row) {
    double dxy[2] = {row == 0, row == 1};
    ct_pullback_apply(pb, &J[row][0], &J[row][1], dxy);
  }
  ct_pullback_free(pb);
  CHECK_D(J[0][0], cos(th));
  CHECK_D(J[0][1], -r * sin(th));
  CHECK_D(J[1][0], sin(th));
  CHECK_D(J[1][1], r * cos(th));

  /* a constant scalar takes no pointer */
  double x[3] = {1.0, -2.0, 0.5}, out[3];
  pb = ct_pullback(scale, ct_const(3.0), x, out, 3);
  double dx[3] = {0}, dout[3] = {1.0, 2.0, -1.0};
  ct_pullback_apply(pb, dx, dout);
  ct_pullback_free(pb);
  CHECK_D(dx[0], 3.0 * 2 * 1.0 * 1.0);
  CHECK_D(dx[1], 3.0 * 2 * -2.0 * 2.0);
  CHECK_D(dx[2], 3.0 * 2 * 0.5 * -1.0);

  free(state);
  free(next);
  return check_summary("pointer_outputs_pullback");
}
