// The differentiable contract: a differentiable function defined in another
// file, compiled separately (no LTO), is differentiated through the
// gradient that file exports (__ct_aug_/__ct_rev_ symbols), both when it is
// called inside a differentiated function and when it is differentiated
// directly, also with a wrt list that leaves a pointer out (no shadow for it
// in ct_gradient or ct_gradient_of). Checked against finite differences
// and analytic values, -O0 and -O2 mixed.
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
  /* a wrt list leaving a pointer and a scalar out, defined in the other
     file: ct_gradient and ct_gradient_of take no shadow after data and no
     pointer after scale */
  double w[3] = {1.0, -2.0, 0.5}, data[3] = {0.5, 0.5, 0.5}, dw[3] = {0}, dw2[3] = {0};
  ct_gradient(fit, w, dw, data, 3, 2.0);
  double (*fit_grad)(const double *, double *, const double *, int, double) = ct_gradient_of(fit);
  double v = fit_grad(w, dw2, data, 3, 2.0);
  if (fabs(v - fit(w, data, 3, 2.0)) > 1e-12) { bad++; printf("fit %g\n", v); }
  for (int i = 0; i < 3; ++i)
    if (fabs(dw[i] - 4.0 * (w[i] - data[i])) > 1e-12 || dw2[i] != dw[i]) { bad++; printf("fit %d %g %g\n", i, dw[i], dw2[i]); }
  double d; ct_gradient(smooth, 0.3, &d);
  if (fabs(d - 1 / (1 + exp(-0.3))) > 1e-12) { bad++; printf("smooth %g\n", d); }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
