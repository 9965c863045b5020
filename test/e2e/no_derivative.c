/* no_derivative functions: a call of one is a constant (its value is used,
 * no derivative flows through it), even when it receives pointers to
 * differentiable data; analytic check. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
CT_NO_DERIVATIVE double noisy_scale(double x) { return 1.0 + 0.01 * sin(1000 * x); }
CT_NO_DERIVATIVE void log_values(const double *v, int n) { (void)v; (void)n; }
int enzyme_dup;
extern double __enzyme_autodiff(void *, ...);
static double f(double *v, int n) { log_values(v, n); double s = 0; for (int i = 0; i < n; ++i) s += v[i] * noisy_scale(v[i]); return s; }
int main(void) {
  double v[3] = {0.1, 0.2, 0.3}, dv[3] = {0};
  __enzyme_autodiff((void *)f, enzyme_dup, v, dv, 3);
  int bad = 0;
  for (int i = 0; i < 3; ++i) { double want = 1.0 + 0.01 * sin(1000 * v[i]); /* analytic, not through the call */
    if (fabs(dv[i] - want) > 1e-15 || fabs(noisy_scale(v[i]) - want) > 1e-15) { bad++; printf("%d %g %g\n", i, dv[i], want); } }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
