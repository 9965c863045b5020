/* Custom derivatives of "methods": functions taking the struct they act on
 * as `const Self *` or `Self *` (C's object style, Swift's methods on a
 * struct). A method called several times on the same object in one
 * differentiated function (a spring network's energy, a polynomial with
 * heap coefficients evaluated at several points) uses its pullback each
 * time; the pullback gets the object's shadow and adds the adjoints of its
 * fields. A mutating method (`spring_stiffen(Spring *self, double f)`)
 * whose object is only read afterwards works too. Was a compile error ("the
 * call to 'spring_energy' may overwrite it afterwards": in C the `const`
 * was not read, and LLVM's own readonly could not be seen). The pullbacks
 * count their calls, so a differentiated body instead of the pullback
 * fails; analytic checks at every level. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
  double k;
  int n; /* coils: an integer field, no adjoint */
  double rest;
} Spring;

static int energy_calls, stiffen_calls, eval_calls;

double spring_energy(const Spring *self, double x) {
  double d = x - self->rest;
  return 0.5 * self->k * self->n * d * d;
}

CT_DERIVATIVE(spring_energy)
void spring_energy_pullback(const Spring *self, double x, double seed, Spring *dself, double *dx) {
  double d = x - self->rest;
  *dx += seed * self->k * self->n * d;
  if (dself) {
    dself->k += seed * 0.5 * self->n * d * d;
    dself->rest -= seed * self->k * self->n * d;
  }
  energy_calls++;
}

/* k *= f: the pullback reads the new k (nothing writes it again) */
void spring_stiffen(Spring *self, double f) { self->k *= f; }

CT_DERIVATIVE(spring_stiffen)
void spring_stiffen_pullback(Spring *self, double f, Spring *dself, double *df) {
  double old_k = self->k / f;
  if (dself) {
    *df += dself->k * old_k;
    dself->k *= f;
  }
  stiffen_calls++;
}

/* springs[i % 2] stretched to x[i]: each spring's method called n / 2 times */
static double network(Spring *springs, const double *x, int n) {
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += spring_energy(&springs[i % 2], x[i]);
  return e;
}

static double stiffened(Spring *s, double f, double x) {
  spring_stiffen(s, f);
  return spring_energy(s, x) + spring_energy(s, 2 * x);
}

typedef struct {
  double *coef; /* heap, degree + 1 of them */
  int degree;
} Poly;

double poly_eval(const Poly *self, double t) {
  double v = 0;
  for (int j = self->degree; j >= 0; --j)
    v = v * t + self->coef[j];
  return v;
}

CT_DERIVATIVE(poly_eval)
void poly_eval_pullback(const Poly *self, double t, double seed, Poly *dself, double *dt) {
  double dv = 0, tj = 1;
  for (int j = 0; j <= self->degree; ++j) {
    if (dself)
      dself->coef[j] += seed * tj;
    if (j < self->degree)
      dv += (j + 1) * self->coef[j + 1] * tj;
    tj *= t;
  }
  *dt += seed * dv;
  eval_calls++;
}

/* least squares of the polynomial against y at the points ts */
static double fit_loss(Poly *p, const double *ts, const double *ys, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double r = poly_eval(p, ts[i]) - ys[i];
    s += r * r;
  }
  return s;
}

static Poly *poly_new(int degree) { /* allocated in a helper */
  Poly *p = malloc(sizeof *p);
  p->coef = calloc((size_t)degree + 1, sizeof *p->coef);
  p->degree = degree;
  return p;
}

int main(void) {
  Spring s[2] = {{2.0, 3, 0.5}, {1.5, 2, -0.25}}, ds[2] = {{0}};
  double x[6] = {1.5, 0.25, -0.5, 0.75, 1.25, -1.0};
  ct_gradient(network, s, ds, ct_const(x), 6);
  for (int q = 0; q < 2; ++q) {
    double wk = 0, wr = 0;
    for (int i = q; i < 6; i += 2) {
      double d = x[i] - s[q].rest;
      wk += 0.5 * s[q].n * d * d;
      wr -= s[q].k * s[q].n * d;
    }
    CHECK_D(ds[q].k, wk);
    CHECK_D(ds[q].rest, wr);
  }
  CHECK(energy_calls == 6);

  Spring t = {2.0, 3, 0.5}, dt = {0};
  double f = 1.25, df = 0, xv = 1.5, dxv = 0;
  energy_calls = 0;
  ct_gradient(stiffened, &t, &dt, f, &df, xv, &dxv);
  double d1 = xv - 0.5, d2 = 2 * xv - 0.5, k = 2.0 * f;
  CHECK_D(t.k, 2.0 * f); /* the primal ran once */
  CHECK_D(df, 2.0 * 0.5 * 3 * (d1 * d1 + d2 * d2));
  CHECK_D(dt.k, f * 0.5 * 3 * (d1 * d1 + d2 * d2));
  CHECK_D(dt.rest, -k * 3 * (d1 + d2));
  CHECK_D(dxv, k * 3 * (d1 + 2 * d2));
  CHECK(energy_calls == 2 && stiffen_calls == 1);

  Poly *p = poly_new(3), *dp = poly_new(3);
  double c[4] = {0.5, -1.0, 0.25, 0.75}, ts[5] = {-1.0, -0.5, 0.25, 0.8, 1.3}, ys[5] = {1, 0, -1, 0.5, 2};
  for (int j = 0; j < 4; ++j)
    p->coef[j] = c[j];
  ct_gradient(fit_loss, p, dp, ct_const(ts), ct_const(ys), 5);
  for (int j = 0; j < 4; ++j) {
    double want = 0;
    for (int i = 0; i < 5; ++i) {
      double v = ((c[3] * ts[i] + c[2]) * ts[i] + c[1]) * ts[i] + c[0];
      want += 2 * (v - ys[i]) * pow(ts[i], j);
    }
    CHECK_D(dp->coef[j], want);
  }
  CHECK(eval_calls == 5);
  free(p->coef), free(p), free(dp->coef), free(dp);
  return check_summary("custom_methods");
}
