/* ct_tape_peak_bytes() / ct_tape_reset_peak() (cotangent.h): the peak tape
 * of a gradient whose loop keeps a value per iteration (a product whose
 * factors the reverse pass needs) grows with the trip count, is 0 after a
 * reset, and a gradient without a tape leaves it at 0. The gradient itself
 * is checked against its analytic value. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>

/* prod_i (1 + x[i] * x[i] / n): each factor is needed by the reverse pass */
static double prodsq(const double *x, int n) {
  double p = 1.0;
  for (int i = 0; i < n; i++)
    p *= 1.0 + sin(x[i]) * x[i] / n;
  return p;
}

static double plain(double x, double y) { return x * y + x; }

int main(void) {
  enum { N = 4000 };
  double *x = malloc(N * sizeof *x), *dx = calloc(N, sizeof *dx);
  for (int i = 0; i < N; i++)
    x[i] = 0.5 + 0.001 * i;
  ct_tape_reset_peak();
  CHECK(ct_tape_peak_bytes() == 0);
  double dxs, dys;
  ct_gradient(plain, 2.0, &dxs, 3.0, &dys);
  CHECK_D(dxs, 4.0);
  CHECK_D(dys, 2.0);
  CHECK(ct_tape_peak_bytes() == 0);
  double v = ct_value_with_gradient(prodsq, x, dx, N);
  size_t peak = ct_tape_peak_bytes();
  CHECK(peak >= (size_t)N * sizeof(double)); /* one value per iteration at least */
  CHECK(peak < (size_t)N * 256);
  for (int i = 0; i < N; i += 397) {
    double f = 1.0 + sin(x[i]) * x[i] / N;
    CHECK_TOL(dx[i], v / f * (cos(x[i]) * x[i] + sin(x[i])) / N, 1e-10);
  }
  ct_tape_reset_peak();
  CHECK(ct_tape_peak_bytes() == 0);
  free(x);
  free(dx);
  return check_summary("tape_peak_public");
}
