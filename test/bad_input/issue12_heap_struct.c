// Issue 12 item 1: an array of heap structs allocated by a helper, data
// pointers set by a resize helper in a loop. Before: 9 18 36 at -O0 and
// 6 12 36 (or garbage) at -O1; want 12 24 36 (f = 6 sum x^2).
// EXPECT: run
#include "../e2e/check.h"
#include <stdlib.h>

int enzyme_dup;
extern double __enzyme_autodiff(void *, ...);

typedef struct { int nrows, ncols; double *data; } Matrix;

static Matrix *get_matrix_array(int count) {
  Matrix *r = malloc(count * sizeof(Matrix));
  for (int i = 0; i < count; i++) { r[i].data = NULL; r[i].nrows = r[i].ncols = 0; }
  return r;
}

static void resize(Matrix *m, int nrows, int ncols) {
  if (m->nrows * m->ncols != nrows * ncols) {
    if (m->data) free(m->data);
    m->data = nrows * ncols > 0 ? malloc(nrows * ncols * sizeof(double)) : NULL;
  }
  m->nrows = nrows; m->ncols = ncols;
}

static double f(const double *x, int n) {
  Matrix *a = get_matrix_array(3);
  for (int k = 0; k < 3; k++) {
    resize(&a[k], 1, n);
    for (int i = 0; i < n; i++) a[k].data[i] = x[i] * (k + 1);
  }
  double s = 0;
  for (int k = 0; k < 3; k++) for (int i = 0; i < n; i++) s += a[k].data[i] * x[i];
  for (int k = 0; k < 3; k++) free(a[k].data);
  free(a);
  return s;
}

int main(void) {
  double x[3] = {1, 2, 3}, dx[3] = {0};
  __enzyme_autodiff((void *)f, enzyme_dup, x, dx, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 12 * x[i]);
  return check_summary("issue12_heap_struct");
}
