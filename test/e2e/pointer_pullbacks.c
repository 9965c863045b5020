/* ct_pullback, ct_value_with_pullback and ct_gradient_of on function
 * pointers known only at run time (chosen from a table by a run-time
 * index): CT_DIFFERENTIABLE functions of this file (static ones too) and
 * of another file (lib/models_lib.c, compiled separately). A pullback of a
 * function with a floating-point result takes its seed; one of a void
 * function (results through a pointer) its shadows when applied. Checked
 * against central differences and analytic derivatives; applied several
 * times per pullback. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* run.sh sources: lib/models_lib.c */

double lib_logistic_loss(const double *w, const double *x, double y, int n) CT_DIFFERENTIABLE;
void lib_rotate(double angle, const double *in, double *out, int npoints) CT_DIFFERENTIABLE;
double lib_hypot3(double a, double b, double c) CT_DIFFERENTIABLE;

CT_DIFFERENTIABLE static double local_hypot3(double a, double b, double c) { return cbrt(a * a * a + b * b + c); }

typedef double (*loss_fn)(const double *, const double *, double, int);
typedef double (*scalar3_fn)(double, double, double);
typedef void (*rotate_fn)(double, const double *, double *, int);

static double loss_at(double *w, void *ctx) {
  const double *x = ctx;
  return lib_logistic_loss(w, x, 1.0, 4);
}

static double weighted_rotate(double angle, const double *in, const double *seed, int np) {
  double *out = malloc(2 * np * sizeof *out), s = 0.0;
  lib_rotate(angle, in, out, np);
  for (int i = 0; i < 2 * np; ++i)
    s += seed[i] * out[i];
  free(out);
  return s;
}

int main(int argc, char **argv) {
  (void)argv;
  int pick = argc - 1; /* 0: a run-time choice the compiler cannot see */
  loss_fn losses[2] = {lib_logistic_loss, NULL};
  scalar3_fn scalars[2] = {lib_hypot3, local_hypot3};
  rotate_fn rotations[1] = {lib_rotate};

  /* a loss over arrays: the pullback binds the weights' shadow */
  enum { N = 4 };
  double w[N] = {0.3, -0.2, 0.5, 0.1}, x[N] = {1.0, 2.0, -1.0, 0.5}, dw[N] = {0}, dx[N] = {0};
  ct_pullback_t pb;
  double v = ct_value_with_pullback(losses[pick], &pb, w, dw, x, dx, 1.0, N);
  CHECK_D(v, lib_logistic_loss(w, x, 1.0, N));
  double dy = 0.0;
  ct_pullback_apply(pb, 1.0, &dy);
  ct_pullback_apply(pb, 0.5, &dy); /* adds half again into dw (dy is written) */
  ct_pullback_free(pb);
  double z = 0.0;
  for (int i = 0; i < N; ++i)
    z += w[i] * x[i];
  CHECK_D(dy, 0.5 * -(log(1.0 / (1.0 + exp(-z))) - log(1.0 - 1.0 / (1.0 + exp(-z)))));
  for (int i = 0; i < N; ++i)
    dw[i] /= 1.5;
  CHECK_FD_GRADIENT("logistic loss", loss_at, x, w, N, dw, 1e-6, 1e-7);

  /* scalars, another file's function and a static one of this file */
  for (int k = 0; k < 2; ++k) {
    scalar3_fn f = scalars[(pick + k) % 2];
    pb = ct_pullback(f, 1.0, 2.0, 2.5);
    double da, db, dc;
    ct_pullback_apply(pb, 2.0, &da, &db, &dc);
    ct_pullback_free(pb);
    double h = 1e-6;
    CHECK_TOL(da, 2.0 * (f(1.0 + h, 2.0, 2.5) - f(1.0 - h, 2.0, 2.5)) / (2 * h), 1e-7);
    CHECK_TOL(db, 2.0 * (f(1.0, 2.0 + h, 2.5) - f(1.0, 2.0 - h, 2.5)) / (2 * h), 1e-7);
    CHECK_TOL(dc, 2.0 * (f(1.0, 2.0, 2.5 + h) - f(1.0, 2.0, 2.5 - h)) / (2 * h), 1e-7);

    /* ct_gradient_of the same pointer */
    double (*g)(double, double *, double, double *, double, double *) = ct_gradient_of(f);
    double ga, gb, gc;
    CHECK_D(g(1.0, &ga, 2.0, &gb, 2.5, &gc), f(1.0, 2.0, 2.5));
    CHECK_D(ga, da / 2.0);
    CHECK_D(gc, dc / 2.0);
  }

  /* a void function: vector-Jacobian products with several seeds */
  enum { NP = 3 };
  double in[2 * NP] = {1, 0, 0, 1, 0.5, -0.5}, out[2 * NP];
  double angle = 0.7;
  pb = ct_pullback(rotations[pick], angle, in, out, NP);
  CHECK_D(out[0], cos(angle));
  for (int s = 0; s < 2; ++s) {
    double seed[2 * NP], dout[2 * NP], din[2 * NP] = {0}, dangle = 0.0;
    for (int i = 0; i < 2 * NP; ++i)
      dout[i] = seed[i] = 1.0 + 0.5 * i - s;
    ct_pullback_apply(pb, &dangle, din, dout);
    double h = 1e-6;
    CHECK_TOL(dangle,
              (weighted_rotate(angle + h, in, seed, NP) - weighted_rotate(angle - h, in, seed, NP)) / (2 * h), 1e-7);
    for (int i = 0; i < 2 * NP; ++i) {
      double keep = in[i];
      in[i] = keep + h;
      double up = weighted_rotate(angle, in, seed, NP);
      in[i] = keep - h;
      double down = weighted_rotate(angle, in, seed, NP);
      in[i] = keep;
      CHECK_TOL(din[i], (up - down) / (2 * h), 1e-7);
    }
  }
  ct_pullback_free(pb);
  return check_summary("pointer_pullbacks");
}
