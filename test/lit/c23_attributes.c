// The C23 attribute spellings with arguments: [[ct::differentiable(wrt)]]
// (one name and several) and [[ct::derivative(f)]], checked by running the
// gradients; compiled as C23 and as C++ (whose [[...]] attributes used to
// lose their arguments).
// RUN: %cc -std=c2x -O0 %s -o %t0 && %t0 | FileCheck %s
// RUN: %cc -std=c2x -O2 %s -o %t2 && %t2 | FileCheck %s
// RUN: %cc -x c++ -std=c++17 -O0 -c %s -o %tx0.o && %cc %tx0.o -o %tx0 && %tx0 | FileCheck %s
// RUN: %cc -x c++ -std=c++17 -O2 -c %s -o %tx2.o && %cc %tx2.o -o %tx2 && %tx2 | FileCheck %s
// CHECK: dx=5 dsq=7.5 da=6 dc=2
#include <cotangent.h>
#include <stdio.h>

[[ct::differentiable(x)]] static double prod(double x, double y) { return x * y; }
[[ct::differentiable(a, c)]] static double prod3(double a, double b, double c) { return a * b * c; }

/* custom derivatives are linked by the functions' names: C linkage in C++ */
#ifdef __cplusplus
extern "C" {
#endif
double sq(double x);
/* deliberately 2.5 x instead of 2 x, to see that it is used */
[[ct::derivative(sq)]] void sq_pullback(double x, double seed, double *dx) { *dx += 2.5 * x * seed; }
double sq(double x) { return x * x; }
#ifdef __cplusplus
}
#endif

int main(void) {
  double dx, dsq, da, dc;
  ct_gradient(prod, 3.0, &dx, 5.0); /* y is not in wrt: no pointer after it */
  ct_gradient(sq, 3.0, &dsq);
  ct_gradient(prod3, 1.0, &da, 2.0, 3.0, &dc); /* nor after b */
  printf("dx=%g dsq=%g da=%g dc=%g\n", dx, dsq, da, dc);
  return 0;
}
