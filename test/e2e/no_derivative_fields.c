/* Struct fields marked CT_NO_DERIVATIVE (Swift's @noDerivative stored
 * properties): a learning rate and a step counter in a layer's parameters
 * are constants wherever the struct goes (through a pointer, by value,
 * copied whole, in a heap array of layers), and the tangent struct's field
 * is left untouched (it holds a sentinel here), also where the function
 * writes the field (through its own copy, and through the caller's
 * pointer). The other fields' derivatives are checked against
 * central differences, and a few steps of gradient descent over the struct
 * of parameters run with them. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef struct {
  double *w;
  int n;
  double bias;
  CT_NO_DERIVATIVE double lr;    /* a hyperparameter: no derivative */
  CT_NO_DERIVATIVE double decay; /* written by the step below */
} Layer;

static double forward(const Layer *L, const double *x) {
  double s = L->bias;
  for (int i = 0; i < L->n; ++i)
    s += L->w[i] * x[i];
  return tanh(s) * L->lr; /* lr scales the value but carries no derivative */
}

/* two layers on the heap, the second a copy of the first (whole struct) */
static double two_layers(Layer *ls, const double *x) {
  Layer copy = ls[0];
  copy.decay *= 0.5; /* a write into the no_derivative field */
  return forward(&copy, x) + forward(&ls[1], x) * copy.decay;
}

static double by_value(Layer L, const double *x) { return forward(&L, x) * forward(&L, x); }

/* writes the no_derivative field through the caller's pointer */
static double decaying(Layer *L, const double *x) {
  L->decay *= 0.9;
  return forward(L, x) * L->decay;
}

static double two_layers_at(double *p, void *ctx) {
  Layer *ls = ctx; /* p: the weights and biases of both layers */
  double x[3] = {0.5, -1.0, 0.25};
  double *keep0 = ls[0].w, *keep1 = ls[1].w;
  ls[0].w = p;
  ls[1].w = p + 3;
  ls[0].bias = p[6];
  ls[1].bias = p[7];
  double v = two_layers(ls, x);
  ls[0].w = keep0;
  ls[1].w = keep1;
  return v;
}

int main(void) {
  enum { N = 3 };
  double x[N] = {0.5, -1.0, 0.25}, dx[N] = {0};
  Layer *ls = malloc(2 * sizeof *ls), *dls = calloc(2, sizeof *dls);
  double *w = malloc(2 * N * sizeof *w), *dw = calloc(2 * N, sizeof *dw);
  for (int i = 0; i < 2 * N; ++i)
    w[i] = 0.3 * i - 0.7;
  for (int k = 0; k < 2; ++k) {
    ls[k] = (Layer){w + k * N, N, 0.1 * k, 0.5 + k, 0.8};
    dls[k] = (Layer){dw + k * N, 0, 0.0, -7.0, -9.0}; /* sentinels */
  }
  double v = ct_value_with_gradient(two_layers, ls, dls, x, dx);
  CHECK_D(v, two_layers(ls, x));
  double p[8], grad[8];
  for (int i = 0; i < 2 * N; ++i) {
    p[i] = w[i];
    grad[i] = dw[i];
  }
  p[6] = ls[0].bias;
  p[7] = ls[1].bias;
  grad[6] = dls[0].bias;
  grad[7] = dls[1].bias;
  CHECK_FD_GRADIENT("two_layers", two_layers_at, ls, p, 8, grad, 1e-6, 1e-7);
  for (int k = 0; k < 2; ++k) {
    CHECK(dls[k].lr == -7.0);
    CHECK(dls[k].decay == -9.0);
  }

  /* by value: the tangent struct's lr stays as it was */
  Layer L = ls[0], dL = {dw, 0, 0.0, 3.0, 4.0};
  memset(dw, 0, 2 * N * sizeof *dw);
  ct_gradient(by_value, L, &dL, x, dx);
  double s = L.bias;
  for (int i = 0; i < N; ++i)
    s += L.w[i] * x[i];
  double f = tanh(s) * L.lr, dfds = (1 - tanh(s) * tanh(s)) * L.lr;
  CHECK_D(dL.bias, 2 * f * dfds);
  CHECK_D(dw[1], 2 * f * dfds * x[1]);
  CHECK(dL.lr == 3.0 && dL.decay == 4.0);

  /* a write into the field through the pointer: its shadow keeps its
     sentinel, and the decay scales the derivatives as a constant */
  Layer dd = {dw + N, 0, 0.0, 5.0, 6.0};
  memset(dw, 0, 2 * N * sizeof *dw);
  double decay0 = ls[1].decay;
  ct_gradient(decaying, &ls[1], &dd, x, dx);
  CHECK_D(ls[1].decay, 0.9 * decay0);
  s = ls[1].bias;
  for (int i = 0; i < N; ++i)
    s += ls[1].w[i] * x[i];
  dfds = (1 - tanh(s) * tanh(s)) * ls[1].lr * ls[1].decay;
  CHECK_D(dd.bias, dfds);
  CHECK_D(dw[N + 2], dfds * x[2]);
  CHECK(dd.lr == 5.0 && dd.decay == 6.0);

  /* gradient descent on the first layer's parameters, its own lr as the
     step: the loss goes down */
  double target = 0.2, first = 0.0, last = 0.0;
  for (int it = 0; it < 20; ++it) {
    Layer d = {dw, 0, 0.0, 0.0, 0.0};
    memset(dw, 0, N * sizeof *dw);
    double y = ct_value_with_gradient(forward, &ls[0], &d, x, dx);
    double loss = (y - target) * (y - target);
    if (it == 0)
      first = loss;
    last = loss;
    for (int i = 0; i < N; ++i)
      ls[0].w[i] -= ls[0].lr * 2 * (y - target) * dw[i];
    ls[0].bias -= ls[0].lr * 2 * (y - target) * d.bias;
    CHECK(d.lr == 0.0);
  }
  CHECK(last < 0.5 * first);

  free(ls);
  free(dls);
  free(w);
  free(dw);
  return check_summary("no_derivative_fields");
}
