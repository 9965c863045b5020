// A pullback reads the arrays of its call in the reverse pass: if the
// differentiated function writes such an array again after the call (here
// after ct_dot, and in the next iteration of a loop around ct_softmax,
// whose pullback reads its result), the gradient would be wrong, so it is
// an error naming the call and the write.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

double later(double *x, const double *w, long n) {
  // CHECK: diag_kernel_overwrite.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'later': call to 'ct_dot' passes array argument 1, which the derivative of 'ct_dot' reads in the reverse pass, but the 'store' instruction at {{.*}}diag_kernel_overwrite.c:[[@LINE+2]]:{{[0-9]+}} may overwrite it afterwards
  double d = ct_dot(x, w, n);
  x[0] = d;
  return d * ct_sum(x, n);
}

double loop(const double *x, double *p, long n) {
  double s = 0;
  for (int t = 0; t < 3; ++t) {
    // CHECK: diag_kernel_overwrite.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'loop': call to 'ct_softmax' passes array argument 2, which the derivative of 'ct_softmax' reads in the reverse pass, but the call to 'ct_softmax' {{.*}}may overwrite it afterwards
    ct_softmax(x, p, n);
    s += p[t];
  }
  return s;
}

void use(double *x, double *dx, const double *w, double *dw, double *p, double *dp, long n) {
  ct_gradient(later, x, dx, w, dw, n);
  ct_gradient(loop, x, dx, p, dp, n);
}
