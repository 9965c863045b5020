// README rejected row 22: a differentiable float captured by copy
// (firstprivate) into a parallel region is an error.
// FLAGS: -fopenmp
// EXPECT: error @region "passes a differentiable float by value into a parallel region"
#include <cotangent.h>

static float f(float *y, float a, int n) {
#pragma omp parallel for firstprivate(a) /*@region*/
  for (int i = 0; i < n; ++i)
    y[i] = a * y[i];
  return y[0] + y[n - 1];
}

void use(float *y, float *dy, float a, float *da) { ct_gradient(f, y, dy, a, da, 8); }
