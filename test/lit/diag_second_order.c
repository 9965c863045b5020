// Second derivatives (an operator inside a function another operator
// differentiates, reverse over reverse) work where the inner gradient is
// plain arithmetic (test/e2e/nested_operators.c, enzyme_second_order.c).
// Where it keeps a tape of differentiable values, allocates shadow memory
// or makes a pullback, the outer operator is an error explaining why (after
// the generator's error at the runtime call it met); an inner operator on a
// function pointer known only at run time is an error at the outer operator
// (it used to give a zero derivative with only a warning).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);
extern void __enzyme_autodiff_v(void *, ...);

/* sum_i sin(x^i): the inner gradient tapes powers of x */
static double poly(double x, int n) {
  double s = 0, p = 1;
  for (int i = 0; i < n; ++i) {
    s += sin(p);
    p *= x;
  }
  return s;
}
static double slope(double x) { return __enzyme_autodiff((void *)poly, x, 5); }
double curvature(double x) {
  // CHECK-DAG: diag_second_order.c:[[@LINE+1]]:10: error: __enzyme_autodiff: cannot differentiate 'slope' (second derivatives): it computes a gradient itself (the __enzyme_autodiff at {{.*}}diag_second_order.c:{{[0-9]+}}:{{[0-9]+}} in 'slope'), whose code keeps a tape; differentiating such a gradient again (reverse over reverse) is not supported yet (reverse over forward works: take the inner derivative in forward mode, ct_derivative or __enzyme_fwddiff, whose code keeps no tape)
  return __enzyme_autodiff((void *)slope, x);
}

/* a scratch array: its shadow is allocated */
static double cubes(double *x, int n) {
  double *t = malloc(n * sizeof *t), s = 0;
  for (int i = 0; i < n; ++i)
    t[i] = x[i] * x[i];
  for (int i = 0; i < n; ++i)
    s += t[i] * x[i];
  free(t);
  return s;
}
static double first(double *x, int n) {
  double g[4] = {0};
  __enzyme_autodiff_v((void *)cubes, x, g, n);
  return g[0];
}
void hessian_row(double *x, double *dx) {
  // CHECK-DAG: diag_second_order.c:[[@LINE+1]]:3: error: __enzyme_autodiff: cannot differentiate 'first' (second derivatives): it computes a gradient itself (the __enzyme_autodiff at {{.*}}diag_second_order.c:{{[0-9]+}}:{{[0-9]+}} in 'first'), whose code
  __enzyme_autodiff_v((void *)first, x, dx, 3);
}

/* a pullback made inside */
static double cube(double x) { return x * x * x; }
static double by_pullback(double x) {
  ct_pullback_t pb = ct_pullback(cube, x);
  double d = 0;
  ct_pullback_apply(pb, 1.0, &d);
  ct_pullback_free(pb);
  return d;
}
double pullback_curvature(double x) {
  // CHECK-DAG: diag_second_order.c:[[@LINE+1]]:10: error: __enzyme_autodiff: cannot differentiate 'by_pullback' (second derivatives): it computes a gradient itself (the ct_pullback at {{.*}}diag_second_order.c:{{[0-9]+}}:{{[0-9]+}} in 'by_pullback'), whose code makes a pullback
  return __enzyme_autodiff((void *)by_pullback, x);
}

/* an operator on a function pointer known at run time */
static double through_pointer(double x, double (*p)(double)) {
  double d = 0;
  ct_gradient(p, x, &d);
  return d;
}
double pointer_curvature(double x) {
  // CHECK-DAG: diag_second_order.c:[[@LINE+1]]:10: error: __enzyme_autodiff: cannot differentiate 'through_pointer': it computes a gradient itself (the ct_gradient at {{.*}}diag_second_order.c:{{[0-9]+}}:{{[0-9]+}} in 'through_pointer') of a function pointer known only at run time, calling that gradient through a pointer; differentiating it again (second derivatives) is not supported: apply the inner operator to the function itself
  return __enzyme_autodiff((void *)through_pointer, x, enzyme_const, cube);
}
