// README rejected row 15: qsort of differentiable data (the comparator is
// called by libc, which has no derivative) is an error at the call.
// EXPECT: error @sort "call to 'qsort' has no derivative"
#include <cotangent.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double f(double *x, int n) {
  qsort(x, n, sizeof(double), cmp); /*@sort*/
  return x[0] * 2 + x[n - 1];
}

void use(double *x, double *dx) { ct_gradient(f, x, dx, 5); }
