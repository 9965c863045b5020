// Through clang at -O0 and -O2: the operator call is replaced by a call of
// the generated gradient, whose result is stored through the derivative
// pointer; the gradient uses cos for sin; the operator, the ct_const marker
// and the pass's temporary copies of the primal (.ct_prepared) are gone.
// RUN: %cc -O0 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --implicit-check-not=__ct_gradient --implicit-check-not=__ct_const_marker --implicit-check-not=ct_prepared
// RUN: %cc -O2 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --implicit-check-not=__ct_gradient --implicit-check-not=__ct_const_marker --implicit-check-not=ct_prepared
#include <cotangent.h>
#include <math.h>

static double f(double x, double y) { return sin(x) * y; }

// CHECK-LABEL: define {{.*}}void @use(
// CHECK: %[[G:[0-9]+]] = {{.*}}call { double } @f.ct_grad.ac.r(double %{{[0-9]+}}, double %{{[0-9]+}}, double 1.000000e+00)
// CHECK: %[[D:[0-9]+]] = extractvalue { double } %[[G]], 0
// CHECK: store double %[[D]], ptr %{{[0-9]+}}
void use(double x, double y, double *dx) { ct_gradient(f, x, dx, ct_const(y)); }

// CHECK-LABEL: define internal { double } @f.ct_grad.ac.r(double %0, double %1, double %2)
// CHECK: call double @llvm.cos.f64(double %0)
// CHECK: ret { double }
