/* Functions of pointer_outputs.c and pointer_outputs_pullback.c whose
 * results go out through pointers (or that help such a function): polar to
 * cartesian, and the force of a damped chain of oscillators that an Euler
 * step uses. */
#ifndef COTANGENT_TEST_E2E_POINTER_OUTPUTS_MODELS_H
#define COTANGENT_TEST_E2E_POINTER_OUTPUTS_MODELS_H

#include <math.h>

/* polar to cartesian: the most common shape of numerical C */
static void to_cartesian(double r, double th, double *xy) {
  xy[0] = r * cos(th);
  xy[1] = r * sin(th);
}

/* the force on oscillator i of a damped chain */
static double spring(const double *s, int i, int n) {
  double left = i > 0 ? s[i - 1] : 0.0, right = i + 1 < n ? s[i + 1] : 0.0;
  return left - 2.0 * s[i] + right - 0.1 * s[i] * s[i] * s[i];
}

#endif
