// __builtin_alloca of run-time size holding differentiable values: the same
// as a variable-length array, an error at the alloca.
// EXPECT: error @alloca "allocates a variable-size array holding differentiable values"
#include <cotangent.h>

static double f(const double *x, int n) {
  double *tmp = __builtin_alloca(n * sizeof(double)); /*@alloca*/
  for (int i = 0; i < n; ++i)
    tmp[i] = x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += tmp[i] * x[i];
  return s;
}

void use(const double *x, double *dx, int n) { ct_gradient(f, x, dx, n); }
