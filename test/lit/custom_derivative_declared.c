// Custom derivatives whose function and pullback are only declared in a
// header (bodies in a library compiled separately, without the plugin):
// CT_DERIVATIVE on the pullback's declaration (the frontend plugin records
// the link on the function) and CT_DERIVATIVE_IS on the function's. Checked
// against analytic derivatives at -O0..-O3; a declared pullback with the
// wrong signature is an error at its declaration.
// RUN: %clang -O2 -c %S/Inputs/decl_pullback_lib.c -o %t.lib.o
// RUN: %cc -O0 -I%S/Inputs %s %t.lib.o -o %t0 && %t0 | FileCheck %s
// RUN: %cc -O1 -I%S/Inputs %s %t.lib.o -o %t1 && %t1 | FileCheck %s
// RUN: %cc -O2 -I%S/Inputs %s %t.lib.o -o %t2 && %t2 | FileCheck %s
// RUN: %cc -O3 -I%S/Inputs %s %t.lib.o -o %t3 && %t3 | FileCheck %s
// RUN: not %cc -O2 -DWRONG -I%S/Inputs -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=WRONG
// CHECK: ok 2 pullback calls
#include "decl_pullback.h"
#include <math.h>
#include <stdio.h>

#ifdef WRONG
double twice(double x);
// WRONG: custom_derivative_declared.c:[[@LINE+2]]:{{[0-9]+}}: error: 'twice_pullback' cannot be the derivative of 'twice'
CT_DERIVATIVE(twice)
void twice_pullback(double x, double *dx);
double g(double x) { return twice(x); }
void use(void) { double d; ct_gradient(g, 1.0, &d); }
#else
extern int pullback_calls;

static double loss(const double *x, const double *w, double c, long n) { return wsum(x, w, n) + cube(c) * x[1]; }

int main(void) {
  double x[3] = {0.5, -1.0, 2.0}, w[3] = {1.0, 2.0, 3.0}, dx[3] = {0}, dw[3] = {0}, c = 0.7, dc = 0;
  ct_gradient(loss, x, dx, w, dw, c, &dc, 3L);
  int bad = 0;
  for (int i = 0; i < 3; ++i) {
    double want_dx = 2 * w[i] * x[i] + (i == 1 ? c * c * c : 0), want_dw = x[i] * x[i];
    bad |= fabs(dx[i] - want_dx) > 1e-12 || fabs(dw[i] - want_dw) > 1e-12;
  }
  bad |= fabs(dc - 3 * c * c * x[1]) > 1e-12;
  printf("%s %d pullback calls\n", bad ? "WRONG" : "ok", pullback_calls);
  return bad;
}
#endif
