/* The other file of e2e/forward_separate.c, compiled separately (no LTO):
 * differentiable functions whose tangent functions this file exports
 * (__ct_fwd_<f>, for each one's canonical activity) for forward mode in
 * the other file: a loop over an array, a wrt list (k constant), a void
 * function writing its results through a pointer. */
#include <cotangent.h>
#include <math.h>

CT_DIFFERENTIABLE double energy(const double *x, int n) {
  double e = 0;
  for (int i = 0; i + 1 < n; i++) {
    double d = x[i + 1] - x[i];
    e += d * d * (1 + 0.1 * sin(x[i]));
  }
  return e;
}

double scaled(double a, double k) CT_DIFFERENTIABLE_WRT(a);
double scaled(double a, double k) { return k * tanh(a) + a * a; }

CT_DIFFERENTIABLE void step(const double *s, double *next, int n, double dt) {
  for (int i = 0; i < n; i++)
    next[i] = s[i] + dt * cos(s[(i + 1) % n]) * s[i];
}
