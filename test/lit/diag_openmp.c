// OpenMP constructs Cotangent does not differentiate are compile errors at
// the construct, naming it (with and without -g): a task, an ordered
// block, OpenMP locks, and a float captured by copy (firstprivate; doubles
// are supported).
// RUN: not %cc -fopenmp -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -fopenmp -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -fopenmp -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <omp.h>

static double tasks(double *x, int n) {
  double s = 0;
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < n; ++i) {
// CHECK-DAG: diag_openmp.c:[[@LINE+1]]:1: error: cannot differentiate 'tasks': 'omp task' is not supported in differentiated code
#pragma omp task
    x[i] *= 2;
  }
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}

static double ordered(double *x, int n) {
  double s = 0;
#pragma omp parallel for ordered
  for (int i = 0; i < n; ++i) {
// CHECK-DAG: diag_openmp.c:[[@LINE+1]]:1: error: cannot differentiate 'ordered': 'omp ordered' is not supported
#pragma omp ordered
    x[i] *= 2;
  }
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}

static float by_copy(const float *x, float *y, int n, float a) {
// CHECK-DAG: diag_openmp.c:[[@LINE+1]]:1: error: cannot differentiate 'by_copy': it passes a differentiable float by value into a parallel region (firstprivate)
#pragma omp parallel for firstprivate(a)
  for (int i = 0; i < n; ++i)
    y[i] = a * x[i];
  return y[0];
}

static double locks(const double *x, int n) {
  double s = 0;
  omp_lock_t l;
// CHECK-DAG: diag_openmp.c:[[@LINE+1]]:3: error: cannot differentiate 'locks': 'omp locks (omp_set_lock)' is not supported
  omp_init_lock(&l);
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    omp_set_lock(&l);
    s += x[i] * x[i];
    omp_unset_lock(&l);
  }
  omp_destroy_lock(&l);
  return s;
}

double run(double *x, double *dx, double *y, double *dy, int n) {
  float da, fx[4], fdx[4], fy[4], fdy[4];
  ct_gradient(tasks, x, dx, n);
  ct_gradient(ordered, x, dx, n);
  ct_gradient(locks, x, dx, n);
  ct_gradient(by_copy, fx, fdx, fy, fdy, 4, 2.0f, &da);
  return da + y[0] + dy[0];
}
