// README rejected row 19: an array a custom derivative reads in the reverse
// pass, written again after the call, with no CT_ACCESS length to keep a copy:
// an error naming the call and the write.
// EXPECT: error @call "which the derivative of 'norm2' reads in the reverse pass"
#include <cotangent.h>

double norm2(const double *x, long n);
CT_DERIVATIVE(norm2)
void norm2_pullback(const double *x, long n, double seed, double *dx) {
  for (long i = 0; i < n; ++i)
    dx[i] += 2 * seed * x[i];
}

static double f(double *x, long n) {
  double d = norm2(x, n); /*@call*/
  x[0] = d;
  return d * x[1];
}

void use(double *x, double *dx) { ct_gradient(f, x, dx, 4l); }
