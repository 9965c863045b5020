// A double ** argument (an array of row pointers) with a shadow of the same
// shape (an array of pointers to shadow rows): the gradient lands in the
// shadow rows.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double **rows, int m, int n) {
  double s = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      s += rows[i][j] * rows[i][j] * (i + 1);
  return s;
}

int main(void) {
  double a[2][3] = {{1, 2, 3}, {-1, 0.5, 4}}, da[2][3] = {{0}};
  double *rows[2] = {a[0], a[1]}, *drows[2] = {da[0], da[1]};
  ct_gradient(f, rows, drows, 2, 3);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      CHECK_D(da[i][j], 2 * (i + 1) * a[i][j]);
  return check_summary("double_pointer_argument");
}
