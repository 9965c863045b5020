/* Shared helpers of the end-to-end tests: each test program compares the
 * gradients Cotangent computes against derivatives written out by hand,
 * prints every failed check (got vs want) and exits non-zero if any failed.
 *
 *   CHECK_D(got, want)          double, relative tolerance 1e-12
 *   CHECK_F(got, want)          float, relative tolerance 1e-5
 *   CHECK_TOL(got, want, tol)
 *   CHECK_SCALED(got, want, scale, tol)   |got - want| <= tol * scale
 *   CHECK_AT_D/F(what, x, got, want)   the same, naming a function and point
 *   CHECK_FD_GRADIENT(what, f, ctx, x, n, grad, h, tol)   each grad[i]
 *                               against central differences of f(x, ctx)
 *   CHECK(cond)                 an exact condition
 *   return check_summary("name");
 *
 * The relative error is |got - want| / max(|want|, floor) with a tiny
 * absolute floor, so that a want of exactly 0 needs a got of (nearly) 0. */
#ifndef COTANGENT_TEST_E2E_CHECK_H
#define COTANGENT_TEST_E2E_CHECK_H

#include <math.h>
#include <stdio.h>

#define CHECK_TOL_DOUBLE 1e-12
#define CHECK_TOL_FLOAT 1e-5
#define CHECK_ABS_FLOOR 1e-300

static int check_failures = 0;
static int check_count = 0;

static inline int check_close(const char *file, int line, const char *expr, double got, double want,
                              double tol) {
  ++check_count;
  double scale = fabs(want) > CHECK_ABS_FLOOR ? fabs(want) : CHECK_ABS_FLOOR;
  double err = fabs(got - want) / scale;
  /* a NaN fails (comparisons with NaN are false); equal infinities pass */
  int ok = err <= tol || got == want;
  if (!ok) {
    ++check_failures;
    fprintf(stderr, "%s:%d: FAILED %s: got %.17g, want %.17g (rel. err %.3g, tol %.1g)\n", file, line,
            expr, got, want, err, tol);
  }
  return ok;
}

/* For a float result whose rounding error is bounded by the size of the
 * terms it was computed from (scale), not by its own size (cancellation):
 * |got - want| <= tol * scale. */
static inline int check_scaled(const char *file, int line, const char *expr, double got, double want,
                               double scale, double tol) {
  ++check_count;
  int ok = fabs(got - want) <= tol * scale;
  if (!ok) {
    ++check_failures;
    fprintf(stderr, "%s:%d: FAILED %s: got %.17g, want %.17g (error %.3g, %.3g of the scale %.3g; tol %.1g)\n",
            file, line, expr, got, want, fabs(got - want), fabs(got - want) / scale, scale, tol);
  }
  return ok;
}
#define CHECK_SCALED(got, want, scale, tol)                                                             \
  check_scaled(__FILE__, __LINE__, #got, (double)(got), (double)(want), (double)(scale), (tol))

#define CHECK_TOL(got, want, tol)                                                                       \
  check_close(__FILE__, __LINE__, #got, (double)(got), (double)(want), (tol))
#define CHECK_D(got, want) CHECK_TOL(got, want, CHECK_TOL_DOUBLE)
#define CHECK_F(got, want) CHECK_TOL(got, want, CHECK_TOL_FLOAT)

/* For checks in loops: names the function and the point. */
static inline int check_point(const char *file, int line, const char *what, double x, double got,
                              double want, double tol) {
  char expr[160];
  snprintf(expr, sizeof expr, "%s at x = %.17g", what, x);
  return check_close(file, line, expr, got, want, tol);
}
#define CHECK_AT_TOL(what, x, got, want, tol)                                                           \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), (tol))
#define CHECK_AT_D(what, x, got, want) CHECK_AT_TOL(what, x, got, want, CHECK_TOL_DOUBLE)
#define CHECK_AT_F(what, x, got, want) CHECK_AT_TOL(what, x, got, want, CHECK_TOL_FLOAT)

/* Each component of grad against the central difference of f(x, ctx) with
 * step h, relative tolerance tol (x is restored). */
static inline void check_fd_gradient(const char *file, int line, const char *what, double (*f)(double *, void *),
                                     void *ctx, double *x, int n, const double *grad, double h, double tol) {
  for (int i = 0; i < n; i++) {
    double keep = x[i];
    x[i] = keep + h;
    double fp = f(x, ctx);
    x[i] = keep - h;
    double fm = f(x, ctx);
    x[i] = keep;
    check_point(file, line, what, i, grad[i], (fp - fm) / (2 * h), tol);
  }
}
#define CHECK_FD_GRADIENT(what, f, ctx, x, n, grad, h, tol)                                             \
  check_fd_gradient(__FILE__, __LINE__, (what), (f), (ctx), (x), (n), (grad), (h), (tol))

/* An exact integer-valued condition (e.g. that a derivative is exactly 0). */
static inline int check_true(const char *file, int line, const char *expr, int cond) {
  ++check_count;
  if (!cond) {
    ++check_failures;
    fprintf(stderr, "%s:%d: FAILED %s\n", file, line, expr);
  }
  return cond;
}
#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) != 0)

static inline int check_summary(const char *name) {
  if (check_failures)
    fprintf(stderr, "%s: %d of %d checks FAILED\n", name, check_failures, check_count);
  else
    printf("%s: all %d checks passed\n", name, check_count);
  return check_failures ? 1 : 0;
}

#endif
