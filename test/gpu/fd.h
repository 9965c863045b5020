/* Host side of the GPU kernel tests: compares a gradient with central
 * finite differences of a loss evaluated under the SIMT emulator. */
#ifndef COTANGENT_TEST_GPU_FD_H
#define COTANGENT_TEST_GPU_FD_H

#include <math.h>
#include <stdio.h>

static int fd_failures;

/* loss(ctx) evaluated with x[i] moved by +-h, against grad[i], for every
 * step-th i and the last one (each evaluation is a kernel launch). Returns
 * how many were checked. */
static int fd_check(const char *what, double *x, int n, int step, const double *grad, double (*loss)(void *),
                    void *ctx) {
  int checked = 0;
  for (int k = 0; k < n + step - 1; k += step) {
    int i = k < n ? k : n - 1; /* the last one too */
    ++checked;
    double x0 = x[i], h = 1e-5 * (fabs(x0) > 1 ? fabs(x0) : 1);
    x[i] = x0 + h;
    double lp = loss(ctx);
    x[i] = x0 - h;
    double lm = loss(ctx);
    x[i] = x0;
    double fd = (lp - lm) / (2 * h);
    double err = fabs(grad[i] - fd) / (fabs(fd) > 1 ? fabs(fd) : 1);
    if (!(err <= 1e-6)) {
      ++fd_failures;
      fprintf(stderr, "%s[%d]: gradient %.12g, finite difference %.12g\n", what, i, grad[i], fd);
    }
  }
  return checked;
}

static int fd_summary(const char *name, int checked) {
  if (fd_failures) {
    fprintf(stderr, "%s: %d of %d derivatives wrong\n", name, fd_failures, checked);
    return 1;
  }
  printf("%s: %d derivatives match finite differences\n", name, checked);
  return 0;
}

#endif
