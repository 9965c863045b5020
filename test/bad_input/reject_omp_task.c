// README rejected row 21: OpenMP tasks in differentiated code are an error
// naming the construct.
// FLAGS: -fopenmp
// EXPECT: error @task "'omp task' is not supported in differentiated code"
#include <cotangent.h>

static double f(double *x, int n) {
  double s = 0;
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < n; ++i) {
#pragma omp task shared(x) /*@task*/
    x[i] = x[i] * x[i];
  }
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}

void use(double *x, double *dx) { ct_gradient(f, x, dx, 4); }
