// Vector forward mode does not differentiate OpenMP parallel regions yet: an
// error at the region naming it (scalar forward mode does:
// test/e2e/omp_forward.c; reverse mode: test/e2e/omp_*.c).
// RUN: not %cc -fopenmp -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -fopenmp -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -fopenmp -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>

double loss(const double *x, int n) {
  double s = 0;
  // CHECK: diag_forward_openmp.c:[[@LINE+1]]:1: error: cannot differentiate 'loss': call to '__kmpc_fork_call' is part of an OpenMP parallel region, which vector forward mode does not differentiate yet; use one direction at a time (ct_derivative)
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; ++i)
    s += sin(x[i]);
  return s;
}
void tangents(const double *x, double *dx, int n, double *d) {
  ct_derivative_n(2, loss, d, x, dx, n * sizeof(double), n);
}
