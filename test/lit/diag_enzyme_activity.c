// Activity markers that do not fit their parameter are errors at the
// operator call naming the parameter: enzyme_out on a pointer (to scalars
// or arrays: a pointer is duplicated, its derivative goes into its shadow),
// enzyme_dup and enzyme_dupnoneed on a scalar, in every Enzyme operator.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <stddef.h>
int enzyme_out, enzyme_dup, enzyme_dupnoneed, enzyme_const;
extern double __enzyme_autodiff(void *, ...);
extern void *__enzyme_augmentfwd(void *, ...);
extern double __enzyme_reverse(void *, ...);
extern size_t __enzyme_augmentsize(void *, ...);

static double scale(double *x, double k) { return *x * k; }

double out_on_pointer(double *x) {
  // CHECK-DAG: diag_enzyme_activity.c:[[@LINE+1]]:10: error: __enzyme_autodiff: parameter 1 is marked active (enzyme_out) but is not floating point
  return __enzyme_autodiff((void *)scale, enzyme_out, x, 2.0);
}

double dupnoneed_on_scalar(double *x, double *dx, double *dk) {
  // CHECK-DAG: diag_enzyme_activity.c:[[@LINE+1]]:10: error: __enzyme_autodiff: parameter 2 is marked duplicated but is not a pointer
  return __enzyme_autodiff((void *)scale, enzyme_dup, x, dx, enzyme_dupnoneed, 2.0, dk);
}

void *dup_on_scalar_augment(double *x, double *dx, double *dk) {
  // CHECK-DAG: diag_enzyme_activity.c:[[@LINE+1]]:10: error: __enzyme_augmentfwd: parameter 2 is marked duplicated but is not a pointer
  return __enzyme_augmentfwd((void *)scale, enzyme_dupnoneed, x, dx, enzyme_dup, 2.0, dk);
}

double out_on_pointer_reverse(double *x, void *tape) {
  // CHECK-DAG: diag_enzyme_activity.c:[[@LINE+1]]:10: error: __enzyme_reverse: parameter 1 is marked active (enzyme_out) but is not floating point
  return __enzyme_reverse((void *)scale, enzyme_out, x, 2.0, 1.0, tape);
}

size_t out_on_pointer_size(void) {
  // CHECK-DAG: diag_enzyme_activity.c:[[@LINE+1]]:10: error: __enzyme_augmentsize: parameter 1 is marked active (enzyme_out) but is not floating point
  return __enzyme_augmentsize((void *)scale, enzyme_out, enzyme_const);
}
