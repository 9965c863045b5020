// Allocations Cotangent cannot shadow are compile errors at the construct
// (also without -g): a realloc of memory holding pointers and doubles
// together (the reverse pass would add pointer bits as doubles), an
// __attribute__((malloc)) declaration without a size, and malformed
// CT_ALLOCATOR attributes (at the declaration).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
#include <cotangent.h>
#include <stdlib.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

typedef struct {
  double w;
  double *p;
} Item;

__attribute__((malloc)) double *mystery(int n);
// CHECK-DAG: diag_allocators.c:[[@LINE+1]]:9: error: CT_ALLOCATOR(size_param, element_bytes, deallocator) on 'by_pointer': size_param must be the index (from 0) of an integer parameter, or -1 for a fixed size
double *by_pointer(double *like) CT_ALLOCATOR(0, sizeof(double), free);
// CHECK-DAG: diag_allocators.c:[[@LINE+1]]:9: error: CT_ALLOCATOR(size_param, element_bytes, deallocator) on 'no_free': deallocator must be a function whose first parameter is the pointer it frees
double *no_free(long n) CT_ALLOCATOR(0, sizeof(double), 0);

static double mixed(const double *x, int n) {
  Item *items = NULL;
  for (int i = 0; i < n; ++i) {
    // CHECK-DAG: diag_allocators.c:[[@LINE+1]]:13: error: cannot differentiate 'mixed': call to 'realloc' moves memory holding pointers and floating-point values together
    items = realloc(items, (size_t)(i + 1) * sizeof *items);
    items[i].w = x[i];
    items[i].p = malloc(sizeof(double));
    *items[i].p = x[i] * 2;
  }
  double s = 0;
  for (int i = 0; i < n; ++i) {
    s += items[i].w * *items[i].p;
    free(items[i].p);
  }
  free(items);
  return s;
}

static double unsized(const double *x, int n) {
  // CHECK-DAG: diag_allocators.c:[[@LINE+1]]:15: error: cannot differentiate 'unsized': call to 'mystery' returns new memory (__attribute__((malloc))) of a size Cotangent cannot tell; declare it with __attribute__((alloc_size(N))) too, or with CT_ALLOCATOR
  double *m = mystery(n);
  for (int i = 0; i < n; ++i)
    m[i] = x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += m[i] * m[i];
  free(m);
  return s;
}

static double malformed(const double *x, int n) {
  double *m = by_pointer((double *)x), *q = no_free(n);
  for (int i = 0; i < n; ++i) {
    m[i] = x[i];
    q[i] = m[i];
  }
  return q[0];
}

void use(double *v, double *dv) {
  __enzyme_autodiff((void *)mixed, enzyme_dup, v, dv, enzyme_const, 4);
  __enzyme_autodiff((void *)unsized, enzyme_dup, v, dv, enzyme_const, 4);
  __enzyme_autodiff((void *)malformed, enzyme_dup, v, dv, enzyme_const, 4);
}
