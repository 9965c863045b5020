// A call to a function without a derivative rule on the differentiated path
// is a compile error naming the function and the callee, at the call's
// file:line:col (with and without -g).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>

extern double mystery(double);
extern int enzyme_const;
extern double __enzyme_autodiff(void *, ...);

// CHECK: diag_unsupported_call.c:[[@LINE+1]]:42: error: cannot differentiate 'f': call to 'mystery' has no derivative
static double f(double x) { return 2.0 * mystery(x) + x; }

static double g(double x, double y) {
  double s = sin(x);
  // CHECK: diag_unsupported_call.c:[[@LINE+1]]:14: error: cannot differentiate 'g': call to 'nextafter' has no derivative
  return s * nextafter(y, 0.0) + y; /* C99, without a rule */
}

double use_f(double x) {
  double dx;
  ct_gradient(f, x, &dx);
  return dx;
}

double use_g(double x, double y) {
  double dx, dy;
  ct_gradient(g, x, &dx, y, &dy);
  return dx + dy;
}

// The same call off the differentiated path (nextafter(y, 0) with y constant) is fine:
// no error for use_g_const.
double use_g_const(double x, double y) {
  return __enzyme_autodiff((void *)g, x, enzyme_const, y);
}
// A function without a derivative that writes its result through a pointer
// to a local (an out-parameter): before, the local was taken as constant and
// the gradient was a silent zero with only a warning.
extern void mystery_out(double x, double *out);
static double h(double x) {
  double r;
  // CHECK: diag_unsupported_call.c:[[@LINE+1]]:3: error: cannot differentiate 'h': call to 'mystery_out' has no derivative
  mystery_out(x, &r);
  return r * x;
}

double use_h(double x) {
  double dx;
  ct_gradient(h, x, &dx);
  return dx;
}

// CHECK-NOT: does not depend on its differentiable arguments
// CHECK-NOT: error:
// CHECK: 3 errors generated.
