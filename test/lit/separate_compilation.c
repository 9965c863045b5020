// The differentiable contract: a differentiable function defined in another
// file, compiled separately (no LTO), is differentiated through the
// gradient that file exports (__ct_aug_/__ct_rev_ symbols), both when it is
// called inside a differentiated function and when it is differentiated
// directly. Checked against finite differences, -O0 and -O2 mixed.
// RUN: %cc -O2 -c %S/Inputs/separate_model.c -o %t.model.o
// RUN: %cc -O0 -I%S/Inputs -c %s -o %t.main0.o
// RUN: %cc -O2 -I%S/Inputs -c %s -o %t.main2.o
// RUN: %cc %t.main0.o %t.model.o -o %t0 && %t0 | FileCheck %s
// RUN: %cc %t.main2.o %t.model.o -o %t2 && %t2 | FileCheck %s
// RUN: nm %t.model.o | FileCheck %s --check-prefix=SYMS
// CHECK: ok
// SYMS-DAG: T __ct_aug_energy
// SYMS-DAG: T __ct_rev_energy
// SYMS-DAG: T __ct_aug_smooth
// SYMS-DAG: T __ct_rev_smooth
#include "separate_model.h"
#include <math.h>
#include <stdio.h>
int enzyme_dup;
extern double __enzyme_autodiff(void *, ...);
static double loss(const double *x, int n) { return energy(x, n, 2.0) * smooth(x[0]); }
int main(void) {
  double x[5] = {0.1, 0.4, -0.2, 0.7, 1.0}, dx[5] = {0};
  __enzyme_autodiff((void *)loss, enzyme_dup, x, dx, 5);
  int bad = 0;
  for (int i = 0; i < 5; ++i) {
    double h = 1e-6, a[5], b[5];
    for (int j = 0; j < 5; ++j) a[j] = b[j] = x[j];
    a[i] += h; b[i] -= h;
    double fd = (loss(a, 5) - loss(b, 5)) / (2 * h);
    if (fabs(fd - dx[i]) > 1e-6 * fmax(1, fabs(fd))) { bad++; printf("%d %g %g\n", i, dx[i], fd); }
  }
  double d; ct_gradient(smooth, 0.3, &d);
  if (fabs(d - 1 / (1 + exp(-0.3))) > 1e-12) { bad++; printf("smooth %g\n", d); }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
