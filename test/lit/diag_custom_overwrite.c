// A pullback reads the arrays of its call in the reverse pass. If the
// differentiated function writes such an array again after the call (here
// after the call, and in the next iteration of a loop around it) and
// CT_ACCESS does not give the array's length and type (so that Cotangent
// could keep a copy, as it does for the runtime kernels), the gradient
// would be wrong: an error naming the call and the write.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

double norm2(const double *x, long n); /* no CT_ACCESS: P may read x */
CT_DERIVATIVE(norm2)
void norm2_pullback(const double *x, long n, double seed, double *dx) {
  for (long i = 0; i < n; ++i)
    dx[i] += 2 * seed * x[i];
}

void scale(double *y, long n) CT_ACCESS("u.");  /* no length */
CT_DERIVATIVE(scale)
void scale_pullback(double *y, long n, double *dy) {
  (void)y;
  for (long i = 0; i < n; ++i)
    dy[i] *= 2;
}

double later(double *x, long n) {
  // CHECK: diag_custom_overwrite.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'later': call to 'norm2' passes array argument 1, which the derivative of 'norm2' reads in the reverse pass, but the 'store' instruction at {{.*}}diag_custom_overwrite.c:[[@LINE+2]]:{{[0-9]+}} may overwrite it afterwards
  double d = norm2(x, n);
  x[0] = d;
  return d * x[1];
}

double loop(double *y, long n) {
  double s = 0;
  for (int t = 0; t < 3; ++t) {
    // CHECK: diag_custom_overwrite.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'loop': call to 'scale' passes array argument 1, which the derivative of 'scale' reads in the reverse pass, but the call to 'scale' {{.*}}may overwrite it afterwards
    scale(y, n);
    s += y[t];
  }
  return s;
}

void use(double *x, double *dx, long n) {
  ct_gradient(later, x, dx, n);
  ct_gradient(loop, x, dx, n);
}
