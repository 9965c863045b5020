// README rejected row 23, with the shared array a pointer argument of the
// differentiated function (the common shape): the error must say that the
// pullback's additions would race. Before the fix the call was rejected for
// another reason: the array "may be overwritten afterwards" by an OpenMP
// runtime call (__kmpc_for_static_fini) or the reduction's store, since
// inside the outlined region every captured pointer may alias every other;
// now the race is checked first, and the runtime's calls are not taken as
// writes of the program's arrays.
// FLAGS: -fopenmp
// EXPECT: error @call:10 "its pullback's adjoint additions would race"
#include <cotangent.h>

double sq(const double *x, int i) CT_ACCESS("r.");
CT_DERIVATIVE(sq)
void sq_pullback(const double *x, int i, double seed, double *dx) { dx[i] += 2 * seed * x[i]; }

static double f(const double *x, int n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; ++i)
    s += sq(x, i); /*@call*/
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 8); }
