// Vector forward mode's errors, each at its construct (file:line:col, also
// without -g): a width that is not a compile-time constant (ct_derivative_n
// and enzyme_width), out of range, given after the arguments; too few
// tangents for the width (a width mismatch), a result type too small for the
// N tangents, enzyme_dupv without enzyme_width, a tangent block without its
// stride; and what vector mode does not follow yet (realloc, memcpy of
// memory holding pointers).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
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

/* realloc of differentiable memory */
double grow(const double *x, int n) {
  double *a = 0, s = 0;
  for (int i = 0; i < n; ++i) {
    // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:9: error: cannot differentiate 'grow': call to 'realloc' reallocates differentiable memory, which vector forward mode does not follow yet; use malloc and memcpy, or one direction at a time (ct_derivative)
    a = realloc(a, (size_t)(i + 1) * sizeof *a);
    a[i] = x[i] * x[i];
    s += a[i];
  }
  free(a);
  return s;
}
double t_grow(double *x, double *dx, double *d) { return ct_derivative_n(2, grow, d, x, dx, 8, 3); }

/* structs holding pointers copied whole (an array of them) */
struct pair {
  double *a, *b;
};
double copied(struct pair *p, int n) {
  struct pair q[4];
  // CHECK-DAG: diag_forward_vector.c:[[@LINE+1]]:3: error: cannot differentiate 'copied': {{.*}}copies memory holding pointers to differentiable data, which vector forward mode does not follow yet
  __builtin_memcpy(q, p, (unsigned)n % 4 * sizeof q[0]);
  return *q[0].a * *q[1].b;
}
double t_copied(struct pair *p, struct pair *dp, double *d) { return ct_derivative_n(2, copied, d, p, dp, sizeof *dp, 2); }
