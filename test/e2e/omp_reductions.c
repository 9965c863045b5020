/* OpenMP reductions and critical sections: reduction(+:s), reduction(*:p)
 * and reduction(max:m) (each thread combines its partial result in a
 * critical section that the reverse re-enters in the opposite order), a
 * critical section with a product, omp atomic, a pointer passed
 * firstprivate, an array section reduction, and a parallel region with two
 * worksharing loops and a barrier between them. */
#include <cotangent.h>
#include <omp.h>

#include "omp_check.h"

#define N 48

static double sum_reduction(const double *x, int n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; ++i)
    s += sin(x[i]) * x[i];
  return s * s;
}

static double prod_reduction(const double *x, int n) {
  double p = 1;
#pragma omp parallel for reduction(* : p) schedule(dynamic, 2)
  for (int i = 0; i < n; ++i)
    p *= 1 + 0.1 * x[i];
  return p;
}

static double max_reduction(const double *x, int n) {
  double m = -1e300;
#pragma omp parallel for reduction(max : m)
  for (int i = 0; i < n; ++i)
    m = fmax(m, x[i] * cos(x[i]));
  return m;
}

/* the value does not depend on the order threads enter, but the adjoint
 * of each step needs the p and m that step saw */
static double critical_product(const double *x, int n) {
  double s = 0, p = 1, m = 0;
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    double t = exp(-x[i]);
#pragma omp critical
    {
      s += t;
      p *= 1 + 0.05 * t;
      m = fmax(m, t * x[i]);
    }
  }
  return p + s * m;
}

static double atomic_sum(const double *x, int n) {
  double s = 0;
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    double t = x[i] * x[i];
#pragma omp atomic
    s += t;
  }
  return sqrt(s);
}

/* two loops in one region: the second reads what the first wrote (the
 * barrier between them is mirrored in the reverse); w is firstprivate */
static double two_phases(const double *x, double *tmp, int n) {
  const double *w = x;
  double s = 0;
#pragma omp parallel firstprivate(w)
  {
#pragma omp for
    for (int i = 0; i < n; ++i)
      tmp[i] = w[i] * w[i];
#pragma omp for reduction(+ : s)
    for (int i = 0; i < n; ++i)
      s += tmp[n - 1 - i] * tmp[i] + w[i];
  }
  return s;
}

/* an array section reduction: each thread's private copy of h is added
 * into h in the critical section */
static double histogram(const double *x, int n) {
  double h[4] = {0};
#pragma omp parallel for reduction(+ : h[:4])
  for (int i = 0; i < n; ++i)
    h[i % 4] += x[i] * x[i];
  return h[0] * h[1] + h[2] * h[3];
}

static double buf[N];
static double f_hist(const double *x) { return histogram(x, N); }
static double f_sum(const double *x) { return sum_reduction(x, N); }
static double f_prod(const double *x) { return prod_reduction(x, N); }
static double f_max(const double *x) { return max_reduction(x, N); }
static double f_critical(const double *x) { return critical_product(x, N); }
static double f_atomic(const double *x) { return atomic_sum(x, N); }
static double f_phases(const double *x) { return two_phases(x, buf, N); }

int main(void) {
  double x[N], dx[N], t[N], dt[N];
  for (int i = 0; i < N; ++i)
    x[i] = 0.2 + 0.9 * sin(1.7 * i);

  double v;
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(sum_reduction, x, dx, N);
  CHECK_D(v, f_sum(x));
  check_fd("sum", f_sum, x, dx, N);
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(prod_reduction, x, dx, N);
  CHECK_TOL(v, f_prod(x), 1e-12);
  check_fd("prod", f_prod, x, dx, N);
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(max_reduction, x, dx, N);
  CHECK_D(v, f_max(x));
  check_fd("max", f_max, x, dx, N);
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(critical_product, x, dx, N);
  CHECK_TOL(v, f_critical(x), 1e-12);
  check_fd("critical", f_critical, x, dx, N);
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(atomic_sum, x, dx, N);
  CHECK_TOL(v, f_atomic(x), 1e-12);
  check_fd("atomic", f_atomic, x, dx, N);
  memset(dx, 0, sizeof dx);
  memset(dt, 0, sizeof dt);
  v = ct_value_with_gradient(two_phases, x, dx, t, dt, N);
  CHECK_TOL(v, f_phases(x), 1e-12);
  check_fd("two_phases", f_phases, x, dx, N);
  memset(dx, 0, sizeof dx);
  v = ct_value_with_gradient(histogram, x, dx, N);
  CHECK_TOL(v, f_hist(x), 1e-12);
  check_fd("histogram", f_hist, x, dx, N);

  /* a pullback applied twice: the region's tapes and ticket locks are
     rewound for the second reverse pass */
  double dx2[N] = {0};
  ct_pullback_t pb;
  v = ct_value_with_pullback(critical_product, &pb, x, dx2, N);
  CHECK_TOL(v, f_critical(x), 1e-12);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 0.5);
  ct_pullback_free(pb);
  memset(dx, 0, sizeof dx);
  ct_gradient(critical_product, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_TOL(dx2[i], 1.5 * dx[i], 1e-12);
  return check_summary("omp_reductions");
}
