/* A function with more loops than the planner used to list (64; it lists
 * all now; a small helper with
 * two loops in a five-trip loop, inlined and unrolled many times): blocks of
 * the unlisted inner loops must not keep their records in an outer loop's
 * array (one slot per outer iteration, overwritten by every inner
 * iteration: the reverse of the inner loop then never ended, fuzz seed
 * 10277 at -O2/-O3). Checked against central differences; an alarm turns a
 * hang into a failure. */
#include "check.h"

#include <unistd.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

static void helper(double *y, int m, double a) {
  for (int i1 = 0; i1 < 5; i1++) {
    for (int i2 = 0; i2 < m; i2 += 2)
      y[i2] = 0.341 * y[i2] + 0.65 * a;
    for (int i3 = m - 1; i3 > 0; i3--) {
      a = 0.629;
      if (log1p(0.183 * tanh(a)) < -0.029)
        break;
    }
  }
}

static double f(double *x, int n, double p) {
  helper(x, n, x[2]);
  for (int i8 = 0; i8 < 5; i8++)
    helper(x, n, x[(i8 + 2) % n]);
  for (int i11 = 0; i11 < n - 1; i11++) {
    x[n - 1 - i11] = 0.36 * x[(i11 + 2) % n];
    for (int i12 = i11; i12 < n; i12++)
      helper(x, n, sin(x[0] - p) + x[i12] * x[1]);
  }
  return x[1] - x[n - 1] + x[0] * x[2];
}

static double at(const double *x0, double p, int k, double h) {
  double x[4] = {x0[0], x0[1], x0[2], x0[3]};
  if (k < 4)
    x[k] += h;
  else
    p += h;
  return f(x, 4, p);
}

int main(void) {
  alarm(20);
  const double x0[4] = {1.4652020636711374, -0.9308665794693741, 0.4781617302448151, 1.1651906238365957};
  const double p = 0.38676111399306223;
  double x[4] = {x0[0], x0[1], x0[2], x0[3]}, dx[4] = {0};
  double dp = __enzyme_autodiff((void *)f, enzyme_dup, x, dx, 4, p);
  for (int k = 0; k < 5; k++) {
    double h = 1e-5, fd = (at(x0, p, k, h) - at(x0, p, k, -h)) / (2 * h);
    /* shifted by 1: derivatives near 0 are checked to 1e-6 absolutely */
    CHECK_AT_TOL("1 + df", k, 1.0 + (k < 4 ? dx[k] : dp), 1.0 + fd, 1e-6);
  }
  return check_summary("many_loops");
}
