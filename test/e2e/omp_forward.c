/* Forward mode (ct_derivative, ct_value_with_derivative, __enzyme_fwddiff)
 * through OpenMP parallel regions: a parallel for filling a heap buffer,
 * reduction(+) and reduction(max), critical and atomic updates of shared
 * accumulators, a double captured by copy (firstprivate), a dynamic
 * schedule with single, master and the barriers between them, and a
 * recursive helper (a differentiated call) inside the region. Every
 * directional derivative along each unit vector is checked against
 * central differences of the primal (which runs in parallel too), with 1,
 * 2 and 4 threads. */
#include <cotangent.h>
#include <omp.h>
#include <stdlib.h>

#include "omp_check.h"

#define N 24

int enzyme_dup, enzyme_const;
extern double __enzyme_fwddiff(void *, ...);

static double map_then_sum(const double *x, int n) {
  double *y = malloc((size_t)n * sizeof *y);
#pragma omp parallel for
  for (int i = 0; i < n; ++i)
    y[i] = sin(x[i]) * x[(i + 1) % n];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  free(y);
  return s;
}

static double reduce_sum(const double *x, int n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static, 3)
  for (int i = 0; i < n; ++i)
    s += exp(0.1 * x[i]) * x[(i + 1) % n];
  return s * s;
}

static double reduce_max(const double *x, int n) {
  double m = -1e300;
#pragma omp parallel for reduction(max : m)
  for (int i = 0; i < n; ++i) {
    double v = x[i] * x[i] + 0.01 * i;
    m = v > m ? v : m;
  }
  return m * x[0];
}

static double critical_atomic(const double *x, int n) {
  double acc = 0, t = 0;
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    double v = x[i] * x[(i + 2) % n];
#pragma omp critical
    acc += v * v;
#pragma omp atomic
    t += cos(x[i]);
  }
  return acc * t;
}

static double captured_copy(const double *x, int n) {
  double a = 2.0 * x[0] + x[1];
  double *y = malloc((size_t)n * sizeof *y);
#pragma omp parallel for firstprivate(a)
  for (int i = 0; i < n; ++i)
    y[i] = a * x[i] + a * a;
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sin(y[i]);
  free(y);
  return s;
}

static double single_master(const double *x, int n) {
  double y[2] = {0, 0}, s = 0;
#pragma omp parallel
  {
#pragma omp single
    y[0] = x[0] * 3;
#pragma omp for reduction(+ : s) schedule(dynamic, 2)
    for (int i = 0; i < n; ++i)
      s += y[0] * x[i] * x[i];
#pragma omp master
    y[1] = s;
  }
  return s + y[1] * x[1];
}

static double rec(double v, int k) { return k == 0 ? v : sin(rec(v, k - 1)) * v; }
static double recursive(const double *x, int n) {
  double y[N];
#pragma omp parallel for
  for (int i = 0; i < n; ++i)
    y[i] = rec(x[i], i % 4);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * x[i];
  return s;
}

/* primals of one argument, for check_fd */
static double p_map(const double *x) { return map_then_sum(x, N); }
static double p_sum(const double *x) { return reduce_sum(x, N); }
static double p_max(const double *x) { return reduce_max(x, N); }
static double p_crit(const double *x) { return critical_atomic(x, N); }
static double p_copy(const double *x) { return captured_copy(x, N); }
static double p_single(const double *x) { return single_master(x, N); }
static double p_rec(const double *x) { return recursive(x, N); }

/* The gradient, one directional derivative per unit vector. */
#define FORWARD_GRADIENT(fn, x, grad)                                                                  \
  for (int k = 0; k < N; ++k) {                                                                        \
    double dir[N] = {0};                                                                               \
    dir[k] = 1;                                                                                        \
    grad[k] = ct_derivative(fn, x, dir, N);                                                            \
  }

int main(void) {
  double x[N], grad[N];
  for (int i = 0; i < N; ++i)
    x[i] = 0.3 + 0.05 * i - 0.4 * (i % 3 == 1);

  FORWARD_GRADIENT(map_then_sum, x, grad);
  check_fd("map_then_sum", p_map, x, grad, N);
  FORWARD_GRADIENT(reduce_sum, x, grad);
  check_fd("reduce_sum", p_sum, x, grad, N);
  FORWARD_GRADIENT(reduce_max, x, grad);
  check_fd("reduce_max", p_max, x, grad, N);
  FORWARD_GRADIENT(critical_atomic, x, grad);
  check_fd("critical_atomic", p_crit, x, grad, N);
  FORWARD_GRADIENT(captured_copy, x, grad);
  check_fd("captured_copy", p_copy, x, grad, N);
  FORWARD_GRADIENT(single_master, x, grad);
  check_fd("single_master", p_single, x, grad, N);
  FORWARD_GRADIENT(recursive, x, grad);
  check_fd("recursive", p_rec, x, grad, N);

  /* the value too, and a direction mixing all components */
  double dir[N], want = 0, t = 0;
  for (int i = 0; i < N; ++i)
    dir[i] = 0.5 - 0.1 * (i % 4);
  double v = ct_value_with_derivative(reduce_sum, &t, x, dir, N);
  CHECK_D(v, reduce_sum(x, N));
  FORWARD_GRADIENT(reduce_sum, x, grad);
  for (int i = 0; i < N; ++i)
    want += grad[i] * dir[i];
  CHECK_TOL(t, want, 1e-10);

  /* through Enzyme's ABI */
  for (int k = 0; k < N; ++k) {
    double d[N] = {0};
    d[k] = 1;
    grad[k] = __enzyme_fwddiff((void *)critical_atomic, enzyme_dup, x, d, enzyme_const, N);
  }
  check_fd("critical_atomic (__enzyme_fwddiff)", p_crit, x, grad, N);
  return check_summary("omp_forward");
}
