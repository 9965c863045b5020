/* Differentiable functions of another file, reached only through function
 * pointers in test/e2e/pointer_pullbacks.c: a loss over an array, a void
 * step writing its results through a pointer, and a function of scalars.
 * This file registers each with its gradient entries and pullback maker. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

CT_DIFFERENTIABLE double lib_logistic_loss(const double *w, const double *x, double y, int n) {
  double z = 0.0;
  for (int i = 0; i < n; ++i)
    z += w[i] * x[i];
  double p = 1.0 / (1.0 + exp(-z));
  return -(y * log(p) + (1.0 - y) * log(1.0 - p));
}

CT_DIFFERENTIABLE void lib_rotate(double angle, const double *in, double *out, int npoints) {
  double c = cos(angle), s = sin(angle);
  for (int k = 0; k < npoints; ++k) {
    out[2 * k] = c * in[2 * k] - s * in[2 * k + 1];
    out[2 * k + 1] = s * in[2 * k] + c * in[2 * k + 1];
  }
}

CT_DIFFERENTIABLE double lib_hypot3(double a, double b, double c) { return sqrt(a * a + b * b + c * c); }
