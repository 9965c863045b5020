// Misused split-mode options of Enzyme's ABI (enzyme_allocated, enzyme_tape,
// enzyme_nofree, __enzyme_augmentsize) are errors at the operator call.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <stddef.h>
int enzyme_dup, enzyme_const, enzyme_tape, enzyme_allocated, enzyme_nofree;
size_t __enzyme_augmentsize(void *, ...);
double __enzyme_augmentsize_d(void *, ...);
void __enzyme_augmentfwd(void *, ...);
void __enzyme_reverse(void *, ...);
double __enzyme_autodiff(void *, ...);

static void f(double *u, const double *x) { u[0] = x[0] * x[0]; }

void too_small(double *u, double *du, double *x, double *dx) {
  char buffer[4];
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_augmentfwd: the tape's buffer (enzyme_allocated) has 4 bytes, fewer than the 8 the tape takes (__enzyme_augmentsize)
  __enzyme_augmentfwd((void *)f, enzyme_allocated, sizeof buffer, enzyme_tape, buffer, u, du, x, dx);
}

void tape_without_size(double *u, double *du, double *x, double *dx, void *buffer) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_augmentfwd: enzyme_tape needs enzyme_allocated, followed by the buffer's size (from __enzyme_augmentsize): the augmented forward writes the tape into that buffer
  __enzyme_augmentfwd((void *)f, enzyme_tape, buffer, u, du, x, dx);
}

void size_without_tape(double *u, double *du, double *x, double *dx) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_reverse: enzyme_allocated needs enzyme_tape, followed by the buffer the tape goes into
  __enzyme_reverse((void *)f, enzyme_allocated, (size_t)16, u, du, x, dx);
}

void tape_not_pointer(double *u, double *du, double *x, double *dx) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_reverse: enzyme_tape must be followed by the tape (a pointer: the buffer, with enzyme_allocated)
  __enzyme_reverse((void *)f, enzyme_tape, 3.0, u, du, x, dx);
}

void size_twice(double *u, double *du, double *x, double *dx, void *b) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_reverse: enzyme_allocated is given twice
  __enzyme_reverse((void *)f, enzyme_allocated, (size_t)16, enzyme_allocated, (size_t)16, enzyme_tape, b, u, du, x, dx);
}

void in_combined_mode(double *u, double *du, double *x, double *dx, void *b) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:9: error: __enzyme_autodiff: enzyme_tape belongs to split mode (__enzyme_augmentfwd and __enzyme_reverse)
  (void)__enzyme_autodiff((void *)f, enzyme_tape, b, u, du, x, dx);
}

void in_native_api(double *dx) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: ct_gradient: enzyme_nofree belongs to Enzyme's API
  ct_gradient(f, enzyme_nofree, (double *)0, (double *)0, (double *)0, dx);
}

size_t size_with_values(double *u, double *x) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:10: error: __enzyme_augmentsize: takes the function and an activity marker (enzyme_dup, enzyme_const, ...) per parameter, no values: argument 3 is not a marker
  return __enzyme_augmentsize((void *)f, enzyme_dup, u, enzyme_dup, x);
}

size_t size_too_many_markers(void) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:10: error: __enzyme_augmentsize: 3 markers for the 2 parameter(s) of 'f'
  return __enzyme_augmentsize((void *)f, enzyme_dup, enzyme_dup, enzyme_const);
}

double size_as_double(void) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:10: error: __enzyme_augmentsize must be declared to return an integer type (size_t or int)
  return __enzyme_augmentsize_d((void *)f, enzyme_dup, enzyme_dup);
}

void reverse_missing_tape(double *u, double *du, double *x, double *dx) {
  // CHECK-DAG: diag_enzyme_split.c:[[@LINE+1]]:3: error: __enzyme_reverse: expected 1 argument(s) after the function's arguments (the tape), found 0
  __enzyme_reverse((void *)f, u, du, x, dx);
}
