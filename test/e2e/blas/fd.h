/* Shared helpers of the BLAS/LAPACK end-to-end tests: central differences
 * of a loss over every element of its input arrays (and its scalar alpha)
 * against the gradient Cotangent computed, and deterministic test data.
 * Arrays are whole buffers, padding of leading dimensions and strides
 * included: an element the routine never touches must get exactly the
 * derivative the loss gives it directly. */
#ifndef COTANGENT_TEST_E2E_BLAS_FD_H
#define COTANGENT_TEST_E2E_BLAS_FD_H
#include "../check.h"

#include <stdlib.h>

#define FD_MAX_ARRAYS 4

typedef struct {
  int narr;
  double *arr[FD_MAX_ARRAYS], *grad[FD_MAX_ARRAYS];
  long size[FD_MAX_ARRAYS];
  double *alpha, dalpha; /* alpha NULL: no scalar */
} fd_inputs;

/* Deterministic values in [-1, 1) from a seed (never exactly 0). */
static inline void fd_fill(double *x, long n, unsigned seed) {
  for (long i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    x[i] = ((double)((seed >> 8) % 2000u) - 999.5) / 1000.0;
  }
}

/* Makes an n x n block (leading dimension ld, either layout) well
 * conditioned: adds n + 2 to its diagonal. */
static inline void fd_diag_boost(double *A, int n, int ld) {
  for (int i = 0; i < n; ++i)
    A[(long)i * ld + i] += n + 2;
}

/* Weighted loss of an output buffer: sum w_i y_i + y_i^2 / 20, so that the
 * seed depends on the values. */
static inline double fd_out_loss(const double *y, long n) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += (1 + 0.1 * (double)(i % 7)) * y[i] + y[i] * y[i] / 20;
  return s;
}

/* Checks every gradient element of `in` against central differences of
 * eval(ctx): |got - want| <= tol * max(1, |want|). */
static inline void fd_check(const char *what, double (*eval)(void *), void *ctx, fd_inputs *in, double tol) {
  const double h = 1e-6;
  for (int a = 0; a <= in->narr; ++a) {
    long n = a < in->narr ? in->size[a] : in->alpha ? 1 : 0;
    for (long i = 0; i < n; ++i) {
      double *x = a < in->narr ? &in->arr[a][i] : in->alpha, keep = *x;
      *x = keep + h;
      double fp = eval(ctx);
      *x = keep - h;
      double fm = eval(ctx);
      *x = keep;
      double want = (fp - fm) / (2 * h), got = a < in->narr ? in->grad[a][i] : in->dalpha;
      double scale = fabs(want) > 1 ? fabs(want) : 1;
      ++check_count;
      if (!(fabs(got - want) <= tol * scale)) {
        ++check_failures;
        if (check_failures < 40)
          fprintf(stderr, "FAILED %s: d/d%s[%ld]: got %.12g, want %.12g\n", what,
                  a < in->narr ? (const char[]){(char)('A' + a), 0} : "alpha", i, got, want);
      }
    }
  }
}
#endif
