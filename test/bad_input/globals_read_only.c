// Globals read (never written) on the differentiated path: a const table,
// a mutable coefficient array, a global scalar. They are constants of the
// derivative; the argument's gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static const double table[4] = {1, 2, 4, 8};
double coeff[4] = {0.5, -1, 2, 3};
double scale = 1.5;

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += table[i] * coeff[i] * x[i] * x[i];
  return scale * s;
}

int main(void) {
  double x[4] = {1, 2, -1, 0.5}, dx[4] = {0};
  ct_gradient(f, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * scale * table[i] * coeff[i] * x[i]);
  return check_summary("globals_read_only");
}
