// calloc'd scratch memory and memmove shifting differentiable values within
// it (a sliding window), as the README lists: the gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

static double f(const double *x, int n) {
  double *w = calloc(4, sizeof *w);
  double s = 0;
  for (int i = 0; i < n; ++i) {
    memmove(w + 1, w, 3 * sizeof *w); /* shift the window right */
    w[0] = x[i];
    s += w[0] * w[1] + w[3];
  }
  free(w);
  return s;
}

int main(void) {
  /* s = sum_i x_i x_{i-1} + sum_i x_{i-3} (missing terms are 0) */
  double x[6] = {0.5, -1, 2, 1.5, 3, -0.25}, dx[6] = {0};
  ct_gradient(f, x, dx, 6);
  for (int j = 0; j < 6; ++j) {
    double want = (j > 0 ? x[j - 1] : 0) + (j < 5 ? x[j + 1] : 0) + (j + 3 < 6 ? 1 : 0);
    CHECK_AT_D("d/dx_j, j", j, dx[j], want);
  }
  return check_summary("calloc_memmove");
}
