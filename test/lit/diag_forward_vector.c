// Vector forward mode's errors, each at its construct (file:line:col, also
// without -g): a width that is not a compile-time constant (ct_derivative_n
// and enzyme_width), out of range, given after the arguments; too few
// tangents for the width (a width mismatch), a result type too small for the
// N tangents, enzyme_dupv without enzyme_width, a tangent block without its
// stride; and what vector mode does not follow yet (a pointer to
// differentiable data stored into memory and loaded back).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>
int enzyme_dup, enzyme_dupv, enzyme_width, enzyme_const;
typedef struct {
  double d[2];
} Vec2;
typedef struct {
  double d[4];
} Vec4;
extern Vec2 __enzyme_fwddiff_v2(void *, ...);
extern Vec4 __enzyme_fwddiff_v4(void *, ...);
extern double __enzyme_fwddiff(void *, ...);

double f(double x, double y) { return x * sin(y); }
double sum(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

double t_runtime_width(int n, double *d) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: ct_derivative_n: the number of directions (N) must be a constant known at compile time: the directions are computed together as vectors of that width
  return ct_derivative_n(n, f, d, 1.0, 1.0, 0.0, 2.0, 0.0, 1.0);
}

Vec2 t_enzyme_runtime_width(int n) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: the number of directions (enzyme_width) must be a constant known at compile time
  return __enzyme_fwddiff_v2((void *)f, enzyme_width, n, 1.0, 1.0, 0.0, 2.0, 0.0, 1.0);
}

double t_width_range(double *d) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: ct_derivative_n: the number of directions is 0; it must be from 1 to 64
  return ct_derivative_n(0, f, d, 1.0, 2.0);
}

Vec2 t_width_late(void) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: enzyme_width must come before the function's arguments
  return __enzyme_fwddiff_v2((void *)f, 1.0, 1.0, enzyme_width, 2, 2.0, 0.0);
}

Vec4 t_too_few_tangents(void) {
  /* width 4, but y has 3 tangents */
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: too few arguments: parameter 2 of the function needs its value and one tangent per direction (4 directions)
  return __enzyme_fwddiff_v4((void *)f, enzyme_width, 4, 1.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 0.0);
}

Vec2 t_result_too_small(void) {
  /* width 4 returned into a struct of 2 */
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: with enzyme_width 4 the result holds 4 tangents (32 bytes), but the call's result type has 16 bytes: declare it as a struct or array of 4 values
  return __enzyme_fwddiff_v2((void *)f, enzyme_width, 4, 1.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0);
}

double t_dupv_no_width(double *x, double *dx) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: parameter 1 is marked enzyme_dupv, which needs vector mode (enzyme_width, N before the arguments)
  return __enzyme_fwddiff((void *)sum, enzyme_dupv, 24, x, dx, 3);
}

double t_block_no_stride(double *x, double *dx, double *d) {
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:10: error: ct_derivative_n: the tangent block of parameter 1 needs its stride, an integer number of bytes between the directions' arrays
  return ct_derivative_n(2, sum, d, x, dx);
}

/* a pointer to differentiable data stored into memory */
struct holder {
  double *p;
};
double through_holder(double *x) {
  struct holder h[1];
  h[0].p = x;
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:42: error: cannot differentiate 'through_holder': 'load' instruction loads a pointer to differentiable data from memory, which vector forward mode does not follow yet; pass the arrays as arguments, or use one direction at a time (ct_derivative)
  return *((volatile struct holder *)h)->p * 2.0;
}
double t_holder(double *x, double *dx, double *d) { return ct_derivative_n(2, through_holder, d, x, dx, 8); }
