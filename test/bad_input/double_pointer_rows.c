// A matrix as double ** rows in a heap struct built by a helper (rows
// allocated in a loop), differentiated through the row pointers: issue 13
// saw a compile error at -O1+ located at the function's first line; a
// correct tool gives the right gradient at every level.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdlib.h>

typedef struct { int n; double **rows; } mat;

static mat *outer(const double *x, int n) {
  mat *m = malloc(sizeof *m);
  m->n = n;
  m->rows = malloc(n * sizeof *m->rows);
  for (int i = 0; i < n; ++i) {
    m->rows[i] = malloc(n * sizeof **m->rows);
    for (int j = 0; j < n; ++j)
      m->rows[i][j] = x[i] * x[j];
  }
  return m;
}

static void release(mat *m) {
  for (int i = 0; i < m->n; ++i)
    free(m->rows[i]);
  free(m->rows);
  free(m);
}

static double f(const double *x, int n) {
  mat *m = outer(x, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += m->rows[i][i] * (i + 1) + m->rows[i][n - 1 - i];
  release(m);
  return s;
}

int main(void) {
  /* s = sum (i+1) x_i^2 + sum x_i x_{n-1-i} */
  double x[4] = {0.5, -1, 2, 1.5}, dx[4] = {0};
  ct_gradient(f, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_AT_D("d/dx_i, i", i, dx[i], 2 * (i + 1) * x[i] + 2 * x[3 - i]);
  return check_summary("double_pointer_rows");
}
