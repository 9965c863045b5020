// Through clang: at -O0 the operator call is replaced by a call of the
// generated gradient, whose result is stored through the derivative
// pointer; at -O2 the (small) gradient is inlined into the caller. The
// gradient uses cos for sin; the operator, the ct_const marker and the
// pass's temporary copies of the primal (.ct_prepared) are gone.
// RUN: %cc -O0 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=O0 --implicit-check-not=__ct_gradient --implicit-check-not=__ct_const_marker --implicit-check-not=ct_prepared
// RUN: %cc -O2 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=O2 --implicit-check-not=__ct_gradient --implicit-check-not=__ct_const_marker --implicit-check-not=ct_prepared --implicit-check-not=.ct_grad.
#include <cotangent.h>
#include <math.h>

static double f(double x, double y) { return sin(x) * y; }

// O0-LABEL: define {{.*}}void @use(
// O0: %[[G:[0-9]+]] = {{.*}}call { double } @f.ct_grad.ac.r(double %{{[0-9]+}}, double %{{[0-9]+}}, double 1.000000e+00)
// O0: %[[D:[0-9]+]] = extractvalue { double } %[[G]], 0
// O0: store double %[[D]], ptr %{{[0-9]+}}
// O2-LABEL: define {{.*}}void @use(
// O2: %[[C:[0-9]+]] = {{.*}}call double @llvm.cos.f64(double %0)
// O2: %[[D:[0-9]+]] = fmul double %[[C]], %1
// O2: store double %[[D]], ptr %2
void use(double x, double y, double *dx) { ct_gradient(f, x, dx, ct_const(y)); }

// O0-LABEL: define internal { double } @f.ct_grad.ac.r(double %0, double %1, double %2)
// O0: call double @llvm.cos.f64(double %0)
// O0: ret { double }
