// setjmp (a call that returns twice) in a differentiated function, or in a
// helper it calls, is a compile error at the call, with and without -g, at
// every -O level: the reverse pass cannot replay a longjmp back into the
// function (it used to give 2 instead of 50.6 at -O0).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O3 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#define _POSIX_C_SOURCE 200809L /* sigsetjmp */
#include <cotangent.h>
#include <setjmp.h>

static jmp_buf overflow;

static double checked(double v) {
  if (v > 50)
    longjmp(overflow, 1);
  return v;
}

/* grows y until it overflows, then returns the last value */
double grow(double x) {
  double y = x;
  // CHECK: diag_setjmp.c:[[@LINE+1]]:7: error: cannot differentiate 'grow': call to '_setjmp' may return twice (setjmp/longjmp); the reverse pass cannot replay a jump back into the function; report errors through return values instead
  if (setjmp(overflow))
    return y;
  for (;;)
    y = checked(y * x);
}

static int try_scale(double *y, double s) {
  sigjmp_buf env;
  // CHECK: diag_setjmp.c:[[@LINE+1]]:7: error: cannot differentiate 'scaled': call to '__sigsetjmp' may return twice
  if (sigsetjmp(env, 0))
    return 0;
  *y *= s;
  return 1;
}

double scaled(double x) {
  double y = x;
  try_scale(&y, x);
  return y;
}

double d_grow(double x) {
  double dx;
  ct_gradient(grow, x, &dx);
  return dx;
}

double d_scaled(double x) {
  double dx;
  ct_gradient(scaled, x, &dx);
  return dx;
}
// CHECK-NOT: error:
// CHECK: 2 errors generated.
