// README rejected row 6: a variable-length array holding differentiable values
// is an error at its declaration (use a fixed size or malloc).
// EXPECT: error @vla "allocates a variable-size array holding differentiable values"
#include <cotangent.h>

static double f(const double *x, int n) {
  double tmp[n]; /*@vla*/
  for (int i = 0; i < n; ++i)
    tmp[i] = x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += tmp[i] * x[i];
  return s;
}

void use(const double *x, double *dx, int n) { ct_gradient(f, x, dx, n); }
