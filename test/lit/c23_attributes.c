// The C23 attribute spellings with arguments: [[ct::differentiable(wrt)]]
// and [[ct::derivative(f)]], checked by running the gradients.
// RUN: %cc -std=c2x -O0 %s -o %t0 && %t0 | FileCheck %s
// RUN: %cc -std=c2x -O2 %s -o %t2 && %t2 | FileCheck %s
// CHECK: dx=5 dsq=7.5
#include <cotangent.h>
#include <stdio.h>

[[ct::differentiable(x)]] static double prod(double x, double y) { return x * y; }

double sq(double x);
/* deliberately 2.5 x instead of 2 x, to see that it is used */
[[ct::derivative(sq)]] void sq_pullback(double x, double seed, double *dx) { *dx += 2.5 * x * seed; }
double sq(double x) { return x * x; }

int main(void) {
  double dx, dsq;
  ct_gradient(prod, 3.0, &dx, 5.0); /* y is not in wrt: no pointer after it */
  ct_gradient(sq, 3.0, &dsq);
  printf("dx=%g dsq=%g\n", dx, dsq);
  return 0;
}
