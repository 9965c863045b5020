// A custom derivative whose signature does not fit the function is an
// error at the derivative, spelling out the expected signature.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

double f(double x, const double *v, int n);

CT_DERIVATIVE(f)
// CHECK: diag_custom_signature.c:[[@LINE+1]]:{{[0-9]+}}: error: 'f_pullback' cannot be the derivative of 'f': a derivative must be 'void f_pullback(double, pointer, int, double, pointer, pointer)'
void f_pullback(double x, double seed, double *dx) { *dx += seed * x; }

double use(double x, const double *v) {
  double dx;
  ct_gradient(f, x, &dx, v, (double *)0, 3);
  return dx;
}
