// Misuse of the second-order operators and of differentials is a compile
// error at the call (with and without -g): a differential of a recursive
// function (its tangent code calls a tangent function, which the record
// cannot follow yet), a tangent that is neither a value nor an array,
// missing arguments, a NULL place for the differential; ct_hessian with a
// scalar argument or two arrays not in ct_const, a product with missing
// directions, an objective that does not return a scalar.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>

static double power(double x, int n) { return n == 0 ? 1 : x * power(x, n - 1); }
double recursive(double x) {
  ct_differential_t d;
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:14: error: ct_value_with_differential: cannot record the linearisation of 'power': its derivative calls the derivative of a function that stays a call (recursion, or a function too large to inline), which differentials do not support yet; use ct_derivative for each tangent
  double w = ct_value_with_differential(power, &d, x, 5);
  ct_differential_free(d);
  return w;
}

static double sq(double x) { return x * x; }
double bad_tangent(double x) {
  ct_differential_t d;
  double w = ct_value_with_differential(sq, &d, x);
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:14: error: ct_differential_apply: tangent 1 is neither a floating-point value nor a tangent array
  double r = ct_differential_apply(d, 2);
  ct_differential_free(d);
  return w + r;
}

static double two(double x, double y) { return x * y; }
double missing(double x) {
  ct_differential_t d;
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:10: error: ct_value_with_differential: the arguments do not match 'two': pass its arguments as in a call (ct_const(c) for constants); the tangents go to ct_differential_apply
  return ct_value_with_differential(two, &d, x);
}

double null_place(double x) {
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:10: error: ct_value_with_differential: the second argument must point to where the differential goes, not NULL
  return ct_value_with_differential(sq, 0, x);
}

static double scaled(const double *x, double s) { return s * x[0] * x[1]; }
static double pair(const double *x, const double *y) { return x[0] * y[0]; }
static void nothing(double *x) { x[0] = 0; }
void hessians(double *x, double *y, double *H, double *v, double *hv) {
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:3: error: ct_hessian: 'scaled' has a floating-point parameter 2 not in ct_const; ct_hessian differentiates with respect to one array (use ct_hessian_vector_product for scalar arguments)
  ct_hessian(scaled, H, 2, x, 2.0);
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:3: error: ct_hessian: 'pair' has a second pointer parameter (2) not in ct_const; ct_hessian differentiates with respect to one array: hold the others constant with ct_const
  ct_hessian(pair, H, 1, x, y);
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:3: error: ct_hessian_vector_product: the arguments do not match 'pair': each floating-point argument is followed by its direction and a pointer to its component of H v, each pointer by the direction array and the array H v is added to; integers and ct_const(c) as in a call
  ct_hessian_vector_product(pair, x, v, hv, y);
  // CHECK-DAG: diag_differential.c:[[@LINE+1]]:3: error: ct_hessian_vector_product: 'nothing' must return float or double (a scalar objective)
  ct_hessian_vector_product(nothing, x, v, hv);
}
