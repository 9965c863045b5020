// Issue 12 item 15: a float * shadow for a double array would receive 8-byte
// stores that overrun it: a compile error at the operator call.
// EXPECT: error @call:21 "not be 'float *'"
#include <cotangent.h>

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

void use(const double *x, float *dx) {
  ct_gradient(f, x, dx, 4); /*@call*/
}
