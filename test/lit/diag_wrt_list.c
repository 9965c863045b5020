// wrt lists and differentiable functions the frontend rejects, each at the
// attribute: an unknown name (named, whatever follows it), a name of a
// parameter that cannot have a derivative (integer, struct by value), and a
// differentiable function whose result is not floating point. Ordinary
// undeclared identifiers are still reported as such.
// RUN: not %cc -std=c2x -O0 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -std=c2x -O2 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -std=c2x -O2 -g -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

// CHECK-NOT: undeclared identifier 'n'
// CHECK: diag_wrt_list.c:[[@LINE+1]]:55: error: 'z' is not a parameter of 'unknown'
double unknown(double x, int n) CT_DIFFERENTIABLE_WRT(z, n);

// CHECK: diag_wrt_list.c:[[@LINE+1]]:58: error: 'n' has type 'int', which has no derivative: a wrt list names floating-point or pointer parameters
double integer(double x, int n) CT_DIFFERENTIABLE_WRT(x, n);

// CHECK: diag_wrt_list.c:[[@LINE+1]]:25: error: 'count' has type 'unsigned int', which has no derivative
[[ct::differentiable(x, count)]] double integer_c23(double x, unsigned count);

struct pair {
  double a, b;
};
// CHECK: diag_wrt_list.c:[[@LINE+1]]:67: error: 's' is a struct passed by value: derivatives with respect to struct arguments are not supported yet (pass a pointer to it)
double by_value(double y, struct pair s) CT_DIFFERENTIABLE_WRT(y, s);

// a global of that name is not a parameter either
double scale;
// CHECK: diag_wrt_list.c:[[@LINE+1]]:65: error: 'scale' is not a parameter of 'global_name'
double global_name(double x, double y) CT_DIFFERENTIABLE_WRT(x, scale);

// CHECK: diag_wrt_list.c:[[@LINE+1]]:55: error: 'nope' is not a parameter of 'gnu'
double gnu(double x) __attribute__((differentiable(x, nope)));

// CHECK: diag_wrt_list.c:[[@LINE+1]]:1: error: 'rounded' cannot be differentiable: its result has type 'int', which has no derivative (a differentiable function returns float or double, a pointer, or void when it writes its results through pointers)
CT_DIFFERENTIABLE int rounded(double x) { return (int)(x + 0.5); }

// CHECK: diag_wrt_list.c:[[@LINE+1]]:3: error: 'steps' cannot be differentiable: its result has type 'long'
[[ct::differentiable(x)]] long steps(double x);

// accepted: several names, pointers, both spellings
double fine(const double *w, double x, double y, long n) CT_DIFFERENTIABLE_WRT(w, y);
[[ct::differentiable(y, w)]] double fine_c23(const double *w, double x, double y, long n);
CT_DIFFERENTIABLE void writes(const double *x, double *y, long n);

int ordinary(void) {
  // CHECK: diag_wrt_list.c:[[@LINE+1]]:10: error: use of undeclared identifier 'undeclared_thing'
  return undeclared_thing;
}
// CHECK-NOT: error:
// CHECK: 9 errors generated.
