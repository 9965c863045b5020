// README rejected row 21: OpenMP locks (omp_set_lock) in a differentiated
// parallel region are an error naming the construct.
// FLAGS: -fopenmp
// EXPECT: error @lock "is not supported in differentiated code"
#include <cotangent.h>
#include <omp.h>

static double f(const double *x, int n) {
  double s = 0;
  omp_lock_t lock;
  omp_init_lock(&lock);
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    omp_set_lock(&lock); /*@lock*/
    s += x[i] * x[i];
    omp_unset_lock(&lock);
  }
  omp_destroy_lock(&lock);
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 8); }
