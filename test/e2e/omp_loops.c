/* OpenMP parallel loops: a static-schedule map, a dynamic schedule, a
 * shared scalar every thread reads (its adjoint is added by all threads at
 * once), a serial loop after a parallel one, a region in a helper, a
 * firstprivate double, and a constant array read in a region. */
#include <cotangent.h>
#include <omp.h>

#include "omp_check.h"

#define N 64

/* y = sin(x) * x in parallel, then a serial sum of squares */
static double map_static(const double *x, double *y, int n) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; ++i)
    y[i] = sin(x[i]) * x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  return s;
}

/* dynamic schedule, chunk 3, uneven work per iteration */
static double map_dynamic(const double *x, double *y, int n) {
#pragma omp parallel for schedule(dynamic, 3)
  for (int i = 0; i < n; ++i) {
    double t = x[i];
    for (int k = 0; k < i % 5; ++k)
      t = t * cos(t) + 0.5;
    y[i] = t;
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (i + 1) * y[i];
  return s;
}

/* every iteration reads the shared scale *a and x[0]: all threads add into
 * the same adjoints */
static double shared_reads(const double *x, const double *a, double *y, int n) {
#pragma omp parallel for schedule(static, 1)
  for (int i = 0; i < n; ++i)
    y[i] = *a * x[i] * x[0] + exp(*a * 0.1);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  return s;
}

/* the parallel loop lives in a helper the differentiated function calls;
 * the loop body calls another helper */
static double body(double v, double w) { return v * v * w + log(1 + v * v); }
static void smooth(const double *x, double *y, int n) {
#pragma omp parallel for schedule(guided)
  for (int i = 1; i < n - 1; ++i)
    y[i] = body(x[i], 0.25 * (x[i - 1] + x[i + 1]));
}
static double nested(const double *x, double *y, int n) {
  y[0] = y[n - 1] = 0;
  smooth(x, y, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sin(y[i]);
  return s;
}

/* a double captured by copy (firstprivate): each thread updates its own
 * copy, so the result depends on which iterations a thread gets (static
 * schedule: the same for the same number of threads) */
static double first_private(const double *x, double *y, int n, double a) {
#pragma omp parallel for firstprivate(a) schedule(static)
  for (int i = 0; i < n; ++i) {
    y[i] = a * x[i];
    a = a * 1.01 + 0.001 * x[i];
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  return s;
}

/* a constant array (enzyme_const) read in the region: no adjoint goes
 * into it */
int enzyme_const, enzyme_dup;
extern void __enzyme_autodiff(void *, ...);
static double weighted(const double *w, const double *x, int n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; ++i)
    s += w[i] * sin(x[i]);
  return s;
}

static double buf[N];
static double f_first_private(const double *x) { return first_private(x + 1, buf, N, x[0]); }
static double f_static(const double *x) { return map_static(x, buf, N); }
static double f_dynamic(const double *x) { return map_dynamic(x, buf, N); }
static double f_shared(const double *x) { return shared_reads(x + 1, x, buf, N); }
static double f_nested(const double *x) { return nested(x, buf, N); }

int main(void) {
  double x[N + 1], dx[N + 1], y[N], dy[N];
  for (int i = 0; i <= N; ++i)
    x[i] = 0.3 + 0.02 * i;

  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  double v = ct_value_with_gradient(map_static, x, dx, y, dy, N);
  CHECK_D(v, f_static(x));
  check_fd("map_static", f_static, x, dx, N);

  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(map_dynamic, x, dx, y, dy, N);
  CHECK_D(v, f_dynamic(x));
  check_fd("map_dynamic", f_dynamic, x, dx, N);

  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(shared_reads, x + 1, dx + 1, x, dx, y, dy, N);
  CHECK_D(v, f_shared(x));
  check_fd("shared_reads", f_shared, x, dx, N + 1);

  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(nested, x, dx, y, dy, N);
  CHECK_D(v, f_nested(x));
  check_fd("nested", f_nested, x, dx, N);

  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(first_private, x + 1, dx + 1, y, dy, N, x[0], &dx[0]);
  CHECK_D(v, f_first_private(x));
  check_fd("first_private", f_first_private, x, dx, N + 1);

  double w[N], w0[N];
  for (int i = 0; i < N; ++i)
    w[i] = w0[i] = 1.0 + 0.1 * i;
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)weighted, enzyme_const, w, enzyme_dup, x, dx, N);
  for (int i = 0; i < N; ++i) {
    CHECK(w[i] == w0[i]);
    CHECK_D(dx[i], w0[i] * cos(x[i]));
  }

  printf("threads: %d\n", omp_get_max_threads());
  return check_summary("omp_loops");
}
