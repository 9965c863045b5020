// README rejected row 7 / issue 12 item 13: an _Atomic double accumulator
// updated with += (a compare-exchange loop) is an error, not a zero gradient.
// EXPECT: error @acc "atomic operation on differentiable data that has no derivative"
#include <cotangent.h>

static double f(const double *x, int n) {
  _Atomic double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i]; /*@acc*/
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 4); }
