/* ct_gradient_of (a gradient function pointer with a plain C signature) and
 * operators applied to function pointers known only at run time (looked up
 * in the registry of CT_DIFFERENTIABLE functions); analytic checks. The
 * run-time error for a function that is not differentiable is tested in
 * test/lit/runtime_pointer_error.c. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
CT_DIFFERENTIABLE double f1(double x, double y) { return x * sin(y); }
CT_DIFFERENTIABLE static float f2(float x, int n) { float r = x; for (int i = 1; i < n; ++i) r *= x; return r; }
double not_diff(double x) { return x; }
static int bad;
static void check(const char *w, double got, double want) { if (fabs(got - want) > 1e-6 * fmax(1, fabs(want))) { bad++; printf("FAIL %s %g %g\n", w, got, want); } }
int main(int argc, char **argv) {
  (void)argv;
  double (*g)(double, double *, double, double *) = ct_gradient_of(f1);
  double dx, dy;
  double v = g(2.0, &dx, 0.5, &dy);
  check("gof v", v, 2 * sin(0.5)); check("gof dx", dx, sin(0.5)); check("gof dy", dy, 2 * cos(0.5));
  double (*volatile fp)(double, double) = f1;
  v = ct_value_with_gradient(fp, 2.0, &dx, 0.5, &dy);
  check("rt v", v, 2 * sin(0.5)); check("rt dx", dx, sin(0.5)); check("rt dy", dy, 2 * cos(0.5));
  float (*volatile fq)(float, int) = f2;
  float fx;
  ct_gradient(fq, 1.5f, &fx, 3);
  check("rt f2", fx, 3 * 1.5 * 1.5);
  if (argc > 1) { double (*volatile fr)(double) = not_diff; ct_gradient(fr, 1.0, &dx); }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
