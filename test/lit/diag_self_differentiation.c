// An operator applied to the function that contains it, directly or through
// a cycle of calls, is a compile error at the operator call (it used to be
// an undefined reference to __ct_gradient at link time), with and without
// -g, at every -O level.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O3 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

extern double __enzyme_autodiff(void *, ...);

/* Newton's method on itself: the step needs f' at the current point */
double f(double x) {
  double dx = 0;
  if (x > 100)
    // CHECK: diag_self_differentiation.c:[[@LINE+1]]:5: error: ct_gradient: cannot differentiate 'f' inside itself: this call is part of 'f' (in its body or in a function it calls); call the operator from a function that 'f' does not call
    ct_gradient(f, x - 1, &dx);
  return x * x + dx;
}

static double odd(double x, int n);

static double even(double x, int n) {
  if (n == 0)
    return x;
  // CHECK: diag_self_differentiation.c:[[@LINE+1]]:30: error: __enzyme_autodiff: cannot differentiate 'odd' inside itself: this call is part of 'odd'
  return odd(x * x, n - 1) + __enzyme_autodiff((void *)odd, x, n);
}

static double odd(double x, int n) { return n == 0 ? x : 2 * even(x, n - 1); }

double chain(double x) { return odd(x, 3); }

double d_chain(double x) {
  double dx;
  ct_gradient(chain, x, &dx);
  return dx;
}
// CHECK-NOT: error:
// CHECK: 2 errors generated.
