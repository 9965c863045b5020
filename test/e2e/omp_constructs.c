/* More OpenMP constructs in differentiated code: parallel sections,
 * lastprivate, single and master with the barriers between them, a
 * recursive helper (a differentiated call, not inlined) inside the region,
 * num_threads, the if clause, a parallel region nested in another,
 * collapse(2) with a dynamic schedule, heap and local scratch memory
 * filled in a region, and gradients computed inside the
 * user's own parallel loop (the inner region then runs on one thread per
 * gradient). */
#include <cotangent.h>
#include <omp.h>
#include <stdlib.h>

#include "omp_check.h"

#define N 40

static double sections(const double *x, double *y, int n) {
#pragma omp parallel sections
  {
#pragma omp section
    y[0] = sin(x[0]) * x[1];
#pragma omp section
    y[1] = x[2] * x[3] * x[0];
  }
  return y[0] * y[1] + y[1];
}
static double lastpriv(const double *x, int n) {
  double last = 0;
#pragma omp parallel for lastprivate(last)
  for (int i = 0; i < n; ++i) last = x[i] * x[i];
  return last * x[0];
}
static double single(const double *x, double *y, int n) {
  double s = 0;
#pragma omp parallel
  {
#pragma omp single
    y[0] = x[0] * 3;
#pragma omp for reduction(+:s)
    for (int i = 0; i < n; ++i) s += y[0] * x[i];
#pragma omp master
    y[1] = s;
  }
  return s + y[1];
}
static double rec(double v, int k) { return k == 0 ? v : sin(rec(v, k - 1)) * v; }
static double recursive(const double *x, double *y, int n) {
#pragma omp parallel for
  for (int i = 0; i < n; ++i) y[i] = rec(x[i], i % 4);
  double s = 0;
  for (int i = 0; i < n; ++i) s += y[i];
  return s;
}
static double nt(const double *x, double *y, int n) {
#pragma omp parallel for num_threads(3)
  for (int i = 0; i < n; ++i) y[i] = x[i] * x[i] * (1 + 0 * omp_get_thread_num());
  double s = 0; for (int i = 0; i < n; ++i) s += y[i] * x[i]; return s;
}
static double cond(const double *x, double *y, int n) {
#pragma omp parallel for if(n > 10)
  for (int i = 0; i < n; ++i) y[i] = sin(x[i]);
  double s = 0; for (int i = 0; i < n; ++i) s += y[i] * x[i]; return s;
}
static double nest(const double *x, double *y, int n) {
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    double t = 0;
#pragma omp parallel for reduction(+:t)
    for (int j = 0; j < n; ++j) t += x[j] * x[i];
    y[i] = t;
  }
  double s = 0; for (int i = 0; i < n; ++i) s += y[i] * y[i]; return s;
}
static double coll(const double *x, double *y, int n) {
#pragma omp parallel for collapse(2) schedule(dynamic)
  for (long i = 0; i < 5; ++i) for (long j = 0; j < 6; ++j) y[i * 6 + j] = x[i] * x[j] + x[i+j];
  double s = 0; for (int i = 0; i < n; ++i) s += y[i] * y[i]; return s;
}
/* a heap scratch buffer and a local array filled in the region */
static double scratch(const double *x, double *y, int n) {
  double *t = malloc(n * sizeof *t);
  double loc[N];
  (void)y;
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    t[i] = sin(x[i]);
    loc[i] = x[i] * x[i];
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += t[i] * loc[n - 1 - i];
  free(t);
  return s;
}

static double buf[N];
static double f_sections(const double *x) { return sections(x, buf, N); }
static double f_last(const double *x) { return lastpriv(x, N); }
static double f_single(const double *x) { return single(x, buf, N); }
static double f_rec(const double *x) { return recursive(x, buf, N); }
static double f_nt(const double *x) { return nt(x, buf, N); }
static double f_cond(const double *x) { return cond(x, buf, N); }
static double f_nest(const double *x) { return nest(x, buf, N); }
static double f_coll(const double *x) { return coll(x, buf, N); }
static double f_scratch(const double *x) { return scratch(x, buf, N); }
int main(void) {
  double x[N], dx[N], y[N], dy[N];
  for (int i = 0; i < N; ++i) x[i] = 0.3 + 0.02 * i;
  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  ct_gradient(sections, x, dx, y, dy, N);
  check_fd("sections", f_sections, x, dx, N);
  memset(dx, 0, sizeof dx);
  ct_gradient(lastpriv, x, dx, N);
  check_fd("lastprivate", f_last, x, dx, N);
  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  ct_gradient(single, x, dx, y, dy, N);
  check_fd("single", f_single, x, dx, N);
  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  ct_gradient(recursive, x, dx, y, dy, N);
  check_fd("recursive", f_rec, x, dx, N);
#define CASE(f, ref)                                                                                   \
  memset(dx, 0, sizeof dx);                                                                            \
  memset(dy, 0, sizeof dy);                                                                            \
  ct_gradient(f, x, dx, y, dy, N);                                                                     \
  check_fd(#f, ref, x, dx, N)
  CASE(nt, f_nt);
  CASE(cond, f_cond);
  CASE(nest, f_nest);
  CASE(coll, f_coll);
  CASE(scratch, f_scratch);
  /* gradients computed inside the user's own parallel loop */
  int bad = 0;
#pragma omp parallel for reduction(+:bad)
  for (int k = 0; k < 8; ++k) {
    double xl[N], dxl[N] = {0}, yl[N], dyl[N] = {0};
    for (int i = 0; i < N; ++i) xl[i] = x[i] + 0.01 * k;
    ct_gradient(recursive, xl, dxl, yl, dyl, N);
    double ys[N];
    for (int i = 0; i < N; ++i) {
      double h = 1e-6, a = xl[i];
      xl[i] = a + h;
      double up = recursive(xl, ys, N);
      xl[i] = a - h;
      double down = recursive(xl, ys, N);
      xl[i] = a;
      double want = (up - down) / (2 * h);
      bad += fabs(want - dxl[i]) > 1e-6 * (1 + fabs(want));
    }
  }
  CHECK(bad == 0);
  return check_summary("omp_constructs");
}
