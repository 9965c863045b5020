/* A retroactive custom derivative for a libm function (erf), deliberately
 * 10x the true derivative so the check proves it replaces the built-in
 * rule. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
/* a retroactive derivative for a libm function: deliberately 10x the true
 * derivative of erf, to see that it is used instead of the built-in rule */
CT_DERIVATIVE(erf)
void erf_pullback(double x, double seed, double *dx) { *dx += 10.0 * seed * 1.1283791670955126 * exp(-x * x); }
static double f(double x) { return erf(x) * 2.0; }
int main(void) {
  double d;
  ct_gradient(f, 0.5, &d);
  double want = 20.0 * 1.1283791670955126 * exp(-0.25);
  printf("%s %g %g\n", fabs(d - want) < 1e-12 ? "ok" : "FAIL", d, want);
  return fabs(d - want) >= 1e-12;
}
