// README rejected row 23: a custom derivative that receives shared
// differentiable memory inside a parallel region (its adjoint additions would
// race) is an error at the call.
// FLAGS: -fopenmp
// EXPECT: error @call:10 "its pullback's adjoint additions would race"
#include <cotangent.h>

double sq(const double *x, int i) CT_ACCESS("r.");
CT_DERIVATIVE(sq)
void sq_pullback(const double *x, int i, double seed, double *dx) { dx[i] += 2 * seed * x[i]; }

static double f(const double *x, int n) {
  double a[8];
  for (int i = 0; i < 8; ++i)
    a[i] = 2 * x[i];
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; ++i)
    s += sq(a, i); /*@call*/
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 8); }
