/* Custom derivatives (CT_DERIVATIVE): a function declared here and defined
 * later, a function with a body whose registered pullback deliberately
 * differs (3x instead of 2x) to prove it is used, and a pointer parameter
 * whose pullback adds into the shadow. Analytic checks. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
double softplus(double x);  /* body in "a library": declared only */
CT_DERIVATIVE(softplus)
void softplus_pullback(double x, double seed, double *dx) { *dx += seed / (1.0 + exp(-x)); }
/* custom derivative of a function with a body: a deliberately different (scaled) derivative to prove it is used */
static double sq(double x) { return x * x; }
CT_DERIVATIVE(sq)
static void sq_pb(double x, double seed, double *dx) { *dx += 3.0 * x * seed; }
double scale_sum(const double *v, int n, double s);
CT_DERIVATIVE(scale_sum)
void scale_sum_pb(const double *v, int n, double s, double seed, double *dv, double *ds) {
  double t = 0; for (int i = 0; i < n; ++i) { if (dv) dv[i] += seed * s; t += v[i]; } *ds += seed * t; }
static double loss(const double *v, int n, double s) { double r = 0; for (int i = 0; i < 3; ++i) r += softplus(v[i]) + sq(v[i]); return r + scale_sum(v, n, s); }
int enzyme_dup;
extern double __enzyme_autodiff(void *, ...);
int main(void) {
  double d; ct_gradient(softplus, 0.3, &d); int bad = fabs(d - 1/(1+exp(-0.3))) > 1e-15;
  double v[3] = {0.1, -0.5, 2.0}, dv[3] = {0};
  double ds = __enzyme_autodiff((void*)loss, v, dv, 3, 1.5);
  for (int i = 0; i < 3; ++i) { double w = 1/(1+exp(-v[i])) + 3*v[i] + 1.5; if (fabs(dv[i]-w) > 1e-12) { bad++; printf("%d %g %g\n", i, dv[i], w); } }
  if (fabs(ds - 1.6) > 1e-12) { bad++; printf("ds %g\n", ds); }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
double softplus(double x) { return log1p(exp(x)); }
double scale_sum(const double *v, int n, double s) { double t = 0; for (int i = 0; i < n; ++i) t += v[i]; return s * t; }
