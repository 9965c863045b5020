// Operator calls whose arguments do not fit the differentiated function are
// compile errors at the operator call (file:line:col of the ct_gradient or
// __enzyme_autodiff call), with and without -g.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

int enzyme_out, enzyme_const;
extern double __enzyme_autodiff(void *, ...);
double declared_only(double);

static double f2(double x, double y) { return x * y; }
static double fi(double x, int n) { return x * n; }
static int ret_int(double x) { return (int)(x * x); }

void int_literal(double *dx, double *dy) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: argument for parameter 1 is an integer but the parameter is floating point (write e.g. 2.0 instead of 2)
  ct_gradient(f2, 2, dx, 3.0, dy);
}

void too_few(double *dx) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: too few arguments: parameter 2 of the function has no value
  ct_gradient(f2, 1.0, dx);
}

void too_few_enzyme(void) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:9: error: __enzyme_autodiff: too few arguments: parameter 2 of the function has no value
  (void)__enzyme_autodiff((void *)f2, 1.0);
}

void too_many(double *dx, double *dy) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: 1 argument(s) too many for the function's parameters
  ct_gradient(f2, 1.0, dx, 2.0, dy, 3.0);
}

void no_pointer(double *dy) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: floating-point parameter 1 must be followed by a pointer that receives its derivative (e.g. &dx)
  ct_gradient(f2, 1.0, 2.0, dy);
}

// ct_gradient accepts run-time function pointers (test/e2e/function_pointers.c);
// Enzyme's ABI does not, and says so.
double function_pointer(double (*p)(double, double)) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:10: error: __enzyme_autodiff: the function to differentiate must be a function known at compile time here, not a function pointer computed at run time
  return __enzyme_autodiff((void *)p, 1.0, 2.0);
}

void no_body(double *dx) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: cannot differentiate 'declared_only': its body is not in this translation unit
  ct_gradient(declared_only, 1.0, dx);
}

double out_on_int(void) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:10: error: __enzyme_autodiff: parameter 2 is marked active (enzyme_out) but is not floating point
  return __enzyme_autodiff((void *)fi, 1.0, enzyme_out, 3);
}

void enzyme_marker_in_native_call(double *dx) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: marker for parameter 2 belongs to the other API
  ct_gradient(f2, 1.0, dx, enzyme_const, 2.0);
}

void integer_result(double *dx) {
  // CHECK: diag_operator_args.c:[[@LINE+1]]:3: error: ct_gradient: 'ret_int' must return a floating-point value
  ct_gradient(ret_int, 1.0, dx);
}
// CHECK-NOT: error:
// CHECK: 10 errors generated.
