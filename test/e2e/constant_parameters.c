/* Parameters held constant: CT_NO_DERIVATIVE on a parameter (also once the
 * function is inlined into a caller), and a wrt list (CT_DIFFERENTIABLE_WRT)
 * that leaves the other parameters without derivative pointers in the
 * operators; analytic checks. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
/* k is a hyper-parameter: held constant */
static double model(double x, CT_NO_DERIVATIVE double k) { return sin(k * x); }
static double outer(double x, double k) { return model(x, k) * k; }
double wrt_x(double x, double y) CT_DIFFERENTIABLE_WRT(x);
double wrt_x(double x, double y) { return x * y; }
int main(void) {
  double dx, dk;
  ct_gradient(model, 0.5, &dx, 2.0);   /* no pointer after k */
  int bad = fabs(dx - 2.0 * cos(1.0)) > 1e-12;
  ct_gradient(outer, 0.5, &dx, 2.0, &dk);  /* k of outer is active: only the direct factor counts */
  bad += fabs(dk - sin(1.0)) > 1e-12;
  bad += fabs(dx - 4.0 * cos(1.0)) > 1e-12;
  double v = ct_value_with_gradient(wrt_x, 3.0, &dx, 5.0);  /* y is not in wrt: constant */
  bad += fabs(dx - 5.0) > 1e-12 || v != 15.0;
  printf("%s %g %g\n", bad ? "FAIL" : "ok", dx, dk);
  return bad;
}
