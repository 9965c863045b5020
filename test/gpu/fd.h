/* Host side of the GPU kernel tests. Each test writes its loss's gradient
 * out by hand (the reference) and checks
 *   - every gradient component against the reference (check_every: 1e-12
 *     relative, so an exact 0 must be 0), and
 *   - the reference itself against central finite differences of the loss
 *     evaluated under the SIMT emulator (fd_check_reference: every step-th
 *     component and the last; five-point differences, exact up to rounding
 *     for the losses here, polynomials of degree at most 4 in each input). */
#ifndef COTANGENT_TEST_GPU_FD_H
#define COTANGENT_TEST_GPU_FD_H

#include <float.h>
#include <math.h>
#include <stdio.h>

static int fd_failures;

/* grad[i] against want[i] for every i < n. Returns n. */
static int check_every(const char *what, const double *grad, const double *want, int n) {
  for (int i = 0; i < n; ++i)
    if (!(fabs(grad[i] - want[i]) <= 1e-12 * fabs(want[i]))) {
      ++fd_failures;
      fprintf(stderr, "%s[%d]: gradient %.17g, want %.17g\n", what, i, grad[i], want[i]);
    }
  return n;
}

/* d loss / d x[i] from x[i] moved by +-h, +-2h (four launches); *noise: the
 * rounding of the losses, amplified by 1/h */
static double fd_derivative(double *x, int i, double (*loss)(void *), void *ctx, double *noise) {
  double x0 = x[i], h = 1e-2 * (fabs(x0) > 1 ? fabs(x0) : 1), l[4], lmax = 0;
  const double off[4] = {-2, -1, 1, 2};
  for (int k = 0; k < 4; ++k) {
    x[i] = x0 + off[k] * h;
    l[k] = loss(ctx);
    lmax = fmax(lmax, fabs(l[k]));
  }
  x[i] = x0;
  *noise = 64 * DBL_EPSILON * lmax / h;
  return (l[0] - 8 * l[1] + 8 * l[2] - l[3]) / (12 * h);
}

/* The reference want[i] against finite differences, for every step-th i
 * and the last one (to 1e-9 relative, or the noise near 0). Returns how
 * many were checked. */
static int fd_check_reference(const char *what, double *x, int n, int step, const double *want,
                              double (*loss)(void *), void *ctx) {
  int checked = 0;
  for (int k = 0; k < n + step - 1; k += step) {
    int i = k < n ? k : n - 1;
    double noise, fd = fd_derivative(x, i, loss, ctx, &noise);
    ++checked;
    if (!(fabs(want[i] - fd) <= 1e-9 * fabs(fd) + noise)) {
      ++fd_failures;
      fprintf(stderr, "%s[%d]: the test's reference %.17g, finite difference %.17g (noise %.2g)\n", what, i,
              want[i], fd, noise);
    }
  }
  return checked;
}

static int fd_summary(const char *name, int checked) {
  if (fd_failures) {
    fprintf(stderr, "%s: %d of %d checks failed\n", name, fd_failures, checked);
    return 1;
  }
  printf("%s: %d checks passed (every gradient component against the reference)\n", name, checked);
  return 0;
}

#endif
