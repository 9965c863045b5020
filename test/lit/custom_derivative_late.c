// A pullback declared (CT_DERIVATIVE on a mere declaration) below the
// definition of its function, its body in another file compiled
// separately: the pullback is used, not the body (whose derivative
// differs), at -O0..-O3, for a scalar function and for a void one writing
// an array. A declared pullback whose function is not declared before it is
// an error at the pullback (it used to be ignored).
// RUN: %clang -O2 -c %S/Inputs/late_pullback_lib.c -o %t.lib.o
// RUN: %cc -O0 %s %t.lib.o -o %t0 && %t0 | FileCheck %s
// RUN: %cc -O1 %s %t.lib.o -o %t1 && %t1 | FileCheck %s
// RUN: %cc -O2 %s %t.lib.o -o %t2 && %t2 | FileCheck %s
// RUN: %cc -O3 %s %t.lib.o -o %t3 && %t3 | FileCheck %s
// RUN: not %cc -O2 -DUNDECLARED -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNDECLARED
// CHECK: ok
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

#ifdef UNDECLARED
// UNDECLARED: custom_derivative_late.c:[[@LINE+2]]:6: error: 'later_pullback' is declared as the derivative of 'later', which is not a function declared before it; declare 'later' first
CT_DERIVATIVE(later)
void later_pullback(double x, double seed, double *dx);
double later(double x) { return x; }
#else
double quantize(double x) { return round(4.0 * x) / 4.0; }
/* y = relu(x), elementwise */
void step(const double *x, double *y, long n) {
  for (long i = 0; i < n; ++i)
    y[i] = x[i] > 0 ? x[i] : 0.0;
}

CT_DERIVATIVE(quantize)
void quantize_pullback(double x, double seed, double *dx);
CT_DERIVATIVE(step)
void step_pullback(const double *x, double *y, long n, double *dx, double *dy);

static double loss(const double *w, const double *x, double *h, long n) {
  double z[8];
  for (long i = 0; i < n; ++i)
    z[i] = w[i] * quantize(x[i]);
  step(z, h, n);
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += h[i];
  return s;
}

int main(void) {
  double w[4] = {0.5, -1.5, 2.0, 1.0}, x[4] = {0.3, 0.6, -0.8, 1.1}, h[4];
  double dw[4] = {0}, dx[4] = {0}, dh[4] = {0};
  ct_gradient(loss, w, dw, x, dx, h, dh, 4L);
  int bad = 0;
  for (int i = 0; i < 4; ++i) {
    double q = round(4.0 * x[i]) / 4.0, slope = w[i] * q > 0 ? 1.0 : 0.1;
    bad |= fabs(dw[i] - slope * q) > 1e-15 || fabs(dx[i] - slope * w[i]) > 1e-15;
  }
  printf("%s\n", bad ? "WRONG" : "ok");
  return bad;
}
#endif
