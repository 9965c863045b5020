// A file defining differentiable functions exports each one's tangent
// function for its canonical activity as __ct_fwd_<f> (forward mode in
// other files calls it: test/e2e/forward_separate.c). A function whose
// tangent cannot be generated (it calls a function whose custom
// derivative is a pullback of arrays) does not fail this file's build,
// which no forward derivative was asked of: its __ct_fwd_ stops the
// program with the reason, naming the function and the construct.
// RUN: %cc -O0 -std=c17 -S -emit-llvm %s -o %t0.ll 2>&1 | FileCheck --allow-empty --check-prefix=QUIET %s
// RUN: FileCheck %s < %t0.ll
// RUN: %cc -O2 -std=c17 -S -emit-llvm %s -o %t2.ll 2>&1 | FileCheck --allow-empty --check-prefix=QUIET %s
// RUN: FileCheck %s < %t2.ll
// RUN: %cc -O2 -g -std=c17 -S -emit-llvm %s -o %t2g.ll 2>&1 | FileCheck --allow-empty --check-prefix=QUIET %s
// RUN: FileCheck %s < %t2g.ll
#include <cotangent.h>
#include <math.h>

// QUIET-NOT: {{error|warning}}
// CHECK-DAG: @__ct_fwd_energy = alias {{.*}} @energy.ct_fwd.dc.r
// CHECK-DAG: @__ct_fwd_step = alias {{.*}} @step.ct_fwd.dda
// CHECK-DAG: @__ct_fwd_scaled = alias {{.*}} @scaled.ct_fwd.ac.r
// CHECK-DAG: @__ct_fwd_uses_norm2 = alias {{.*}} @__ct_fwd_uses_norm2.failed
// CHECK-DAG: the forward-mode derivative of 'uses_norm2' (called from another file) could not be generated where 'uses_norm2' is defined: {{.*}}call to 'norm2' passes differentiable memory (an array with a shadow) to a function whose custom derivative is a pullback
// CHECK-NOT: __ct_fwd_local

CT_DIFFERENTIABLE double energy(const double *x, int n) {
  double e = 0;
  for (int i = 0; i < n; i++)
    e += x[i] * x[i] * sin(x[i]);
  return e;
}

CT_DIFFERENTIABLE void step(const double *s, double *next, double dt) {
  for (int i = 0; i < 4; i++)
    next[i] = s[i] + dt * s[i];
}

double scaled(double a, double k) CT_DIFFERENTIABLE_WRT(a);
double scaled(double a, double k) { return k * tanh(a); }

double norm2(const double *x, int n);
CT_DERIVATIVE(norm2)
void norm2_pullback(const double *x, int n, double seed, double *dx);
CT_DIFFERENTIABLE double uses_norm2(const double *x, int n) { return norm2(x, n) * 2.0; }

/* internal: only this file calls it, nothing to export */
CT_DIFFERENTIABLE static double local(double x) { return x * x; }
double call_local(double x) { return local(x); }
