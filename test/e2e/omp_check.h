/* Helpers of the OpenMP end-to-end tests (omp_*.c, run at OMP_NUM_THREADS
 * 1, 2 and 4): a gradient against central finite differences of the
 * primal, which runs in parallel too. */
#ifndef COTANGENT_TEST_E2E_OMP_CHECK_H
#define COTANGENT_TEST_E2E_OMP_CHECK_H

#include "check.h"

#include <string.h>

/* Checks grad[i] against (f(x + h e_i) - f(x - h e_i)) / 2h for i < n,
 * to 1e-6 (1 + |derivative|). */
static inline void check_fd(const char *what, double (*f)(const double *), const double *x, const double *grad,
                            int n) {
  double xp[256];
  for (int i = 0; i < n && i < 256; ++i) {
    double h = 1e-6 * (fabs(x[i]) > 1 ? fabs(x[i]) : 1);
    memcpy(xp, x, (size_t)n * sizeof *x);
    xp[i] = x[i] + h;
    double up = f(xp);
    xp[i] = x[i] - h;
    double down = f(xp);
    double want = (up - down) / (2 * h);
    /* |got - want| <= 1e-6 (1 + |want|): finite differences lose digits
       where the derivative is small */
    CHECK_AT_TOL(what, x[i], grad[i], want, 1e-6 * (1 + fabs(want)) / (fabs(want) > 1e-300 ? fabs(want) : 1e-300));
  }
}

#endif
