// Moving a double byte by byte (unsigned char accesses) cannot be
// differentiated: an error at the access, not a silently wrong gradient.
// clang emits type information for accesses when optimizing, so this is
// detected at -O1 and above (at -O0 it is a known limitation).
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <stddef.h>

extern double __enzyme_autodiff(void *, ...);

static void swap_bytes(void *a, void *b, size_t sz) {
  unsigned char *p = a, *q = b;
  for (size_t k = 0; k < sz; ++k) {
    // CHECK: diag_byte_copy.c:[[@LINE+1]]:23: error: cannot differentiate 'f': 'load' instruction moves differentiable floating-point data as raw bytes
    unsigned char t = p[k];
    p[k] = q[k];
    q[k] = t;
  }
}

static double f(double *x) {
  swap_bytes(&x[0], &x[1], sizeof(double));
  return x[0] + 2.0 * x[1];
}

void use(double *x, double *dx) { __enzyme_autodiff((void *)f, x, dx); }
