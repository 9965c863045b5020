/* ct_value_with_differential / ct_differential_apply / ct_differential_free:
 * the differential recorded at a point, applied to several tangents, equals
 * ct_derivative at that point each time, and applying it does not run f
 * again (f's side effect, a call counter, is not repeated; the point's
 * array is overwritten after recording and the tangents still belong to
 * the recorded point). Shapes: the extended Rosenbrock function (a loop
 * over an array), a function with branches and a heap scratch array and a
 * libm call per element, a void function writing its outputs through a
 * pointer (their tangents go to the tangent array), float arguments, a
 * ct_const argument, a CT_NO_DERIVATIVE array (passed alone, no tangent),
 * a loop whose trip count depends on the data, integer indices read from
 * memory and computed with divisions (the apply run repeats the integer
 * computations and reads the rest from the record). */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int calls;

static double rosen(const double *x, int n) {
  ++calls;
  double s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/* branches, a heap scratch array, libm */
static double robust(const double *x, double scale, int n) {
  double *r = malloc(n * sizeof *r), s = 0;
  for (int i = 0; i < n; ++i)
    r[i] = x[i] * scale - sin(i + x[(i + 1) % n]);
  for (int i = 0; i < n; ++i) {
    double a = fabs(r[i]);
    if (a < 0.5)
      s += r[i] * r[i];
    else if (a < 2)
      s += exp(a) - 1;
    else
      s += 4 * log(a);
  }
  free(r);
  return s;
}

/* outputs through a pointer */
static void rotate(const double *in, double *out, double angle) {
  double c = cos(angle), s = sin(angle);
  out[0] = c * in[0] - s * in[1];
  out[1] = s * in[0] + c * in[1];
}

static double weighted(const double *x, const double *w CT_NO_DERIVATIVE, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * sin(x[i]);
  return s;
}

/* a gather through an index array, strides by division and remainder */
typedef struct {
  int n;
  const int *idx;
} plan_t;
static double gather(const double *x, const plan_t *p) {
  double s = 0;
  for (int i = 0; i < p->n; ++i) {
    int j = p->idx[i], k = j / 3 + j % 3;
    s += i % 2 ? x[j] * x[k] : cos(x[j] - x[k]);
  }
  return s;
}

static float squash(float x, float y) { return tanhf(x * y) + x; }

/* iterate until converged: the trip count depends on x */
static double sqrt_newton(double x) {
  double r = x > 1 ? x : 1;
  while (fabs(r * r - x) > 1e-12 * x)
    r = 0.5 * (r + x / r);
  return r;
}

int main(void) {
  enum { N = 7 };
  double x[N], t[N], x0[N];
  for (int i = 0; i < N; ++i)
    x[i] = x0[i] = 0.6 + 0.15 * i;
  ct_differential_t d;
  calls = 0;
  double v = ct_value_with_differential(rosen, &d, x, N);
  CHECK(calls == 1);
  CHECK_D(v, rosen(x0, N));
  for (int i = 0; i < N; ++i)
    x[i] = -3.0; /* the differential is at the recorded point */
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < N; ++i)
      t[i] = cos(k + 0.7 * i);
    calls = 0;
    double got = ct_differential_apply(d, t);
    CHECK(calls == 0);
    CHECK_AT_D("rosen differential", k, got, ct_derivative(rosen, x0, t, N));
  }
  ct_differential_free(d);

  double xr[5] = {0.3, -1.2, 2.5, 0.1, -0.4}, tr[5];
  v = ct_value_with_differential(robust, &d, xr, 1.3, 5);
  CHECK_D(v, robust(xr, 1.3, 5));
  for (int k = 0; k < 5; ++k) {
    for (int i = 0; i < 5; ++i)
      tr[i] = (i == k) + 0.1 * i;
    double ts = k == 4 ? 1.0 : 0.0;
    CHECK_AT_D("robust differential", k, ct_differential_apply(d, tr, ts), ct_derivative(robust, xr, tr, 1.3, ts, 5));
  }
  ct_differential_free(d);

  double in[2] = {0.4, -1.1}, out[2], dout[2], want[2], angle = 0.8;
  ct_value_with_differential(rotate, &d, in, out, angle);
  CHECK_D(out[0], cos(angle) * in[0] - sin(angle) * in[1]);
  for (int k = 0; k < 3; ++k) {
    double din[2] = {k == 0, k == 1}, dwant_in[2] = {k == 0, k == 1}, da = k == 2;
    CHECK_D(ct_differential_apply(d, din, dout, da), 0.0);
    ct_derivative(rotate, in, dwant_in, out, want, angle, da);
    CHECK_AT_D("rotate differential 0", k, dout[0], want[0]);
    CHECK_AT_D("rotate differential 1", k, dout[1], want[1]);
  }
  ct_differential_free(d);

  {
    double xw[3] = {0.5, -1.0, 2.0}, w[3] = {1.0, 2.0, -0.5}, tw[3] = {0.3, 1.0, -2.0};
    v = ct_value_with_differential(weighted, &d, xw, w, 3);
    CHECK_D(v, weighted(xw, w, 3));
    CHECK_D(ct_differential_apply(d, tw), ct_derivative(weighted, xw, tw, w, 3));
    ct_differential_free(d);
  }

  {
    int idx[6] = {5, 0, 3, 7, 2, 6};
    plan_t plan = {6, idx};
    double xg[8], tg[8], xg0[8];
    for (int i = 0; i < 8; ++i)
      xg[i] = xg0[i] = 0.2 * i - 0.5;
    v = ct_value_with_differential(gather, &d, xg, ct_const(&plan));
    CHECK_D(v, gather(xg0, &plan));
    idx[0] = 1; /* changed after recording: the record holds what was read */
    for (int k = 0; k < 3; ++k) {
      for (int i = 0; i < 8; ++i)
        tg[i] = sin(k + i);
      double got = ct_differential_apply(d, tg);
      idx[0] = 5;
      CHECK_AT_D("gather differential", k, got, ct_derivative(gather, xg0, tg, ct_const(&plan)));
      idx[0] = 1;
    }
    ct_differential_free(d);
  }

  float fv = (float)ct_value_with_differential(squash, &d, 0.5f, ct_const(1.5f));
  CHECK_F(fv, squash(0.5f, 1.5f));
  CHECK_F(ct_differential_apply(d, 1.0), ct_derivative(squash, 0.5f, 1.0f, ct_const(1.5f)));
  CHECK_F(ct_differential_apply(d, 2.0f), 2 * ct_derivative(squash, 0.5f, 1.0f, ct_const(1.5f)));
  ct_differential_free(d);

  for (double a = 0.5; a < 20; a *= 3) {
    v = ct_value_with_differential(sqrt_newton, &d, a);
    CHECK_AT_TOL("sqrt value", a, v, sqrt(a), 1e-12);
    CHECK_AT_TOL("sqrt differential", a, ct_differential_apply(d, 1.0), 0.5 / sqrt(a), 1e-9);
    CHECK_AT_D("sqrt differential vs ct_derivative", a, ct_differential_apply(d, 3.0),
               ct_derivative(sqrt_newton, a, 3.0));
    ct_differential_free(d);
  }
  ct_differential_free(NULL);
  return check_summary("differential");
}
