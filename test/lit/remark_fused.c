// A reduction loop whose accumulator's adjoint is known before it runs
// (its sum is returned, or written through the Enzyme ABI's out pointer
// just before the return) gets its reverse inside its forward iterations
// (pass/fused.c): -Rpass=cotangent says so at the loop, and the gradient
// is one loop that adds into the shadows as it sums, with no tape and no
// reverse loop. A sum used after the loop other than linearly (squared), or
// followed by a store, keeps its reverse loop. The gradients themselves:
// test/e2e/fused_reduction.c.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O0 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
#include <cotangent.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

static double chain(const double *x, int n) {
  double f = 0.0;
  // CHECK-DAG: remark_fused.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'chain': loop's reverse fused into its forward iterations (1 accumulator(s) with an adjoint known before the loop); no reverse loop, nothing taped for it [-Rpass=cotangent]
  for (int i = 0; i < n - 1; i++) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

static void chain_out(const double *x, int n, double *out) {
  double f = 0.0;
  // CHECK-DAG: remark_fused.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'chain_out': loop's reverse fused
  for (int i = 0; i < n - 1; i++)
    f += (x[i + 1] - x[i]) * (x[i + 1] - x[i]);
  *out = f;
}

static double two(const double *x, const double *y, double c, int n) {
  double s = 0.0, t = 0.0;
  // CHECK-DAG: remark_fused.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'two': loop's reverse fused into its forward iterations (2 accumulator(s)
  for (int i = 0; i < n; i++) {
    s += x[i] * y[i];
    t -= x[i] > 0.0 ? x[i] : 0.5 * x[i];
  }
  return 3.0 * s + c * t;
}

static double squared(const double *x, int n) {
  double f = 0.0;
  // CHECK-NOT: gradient of 'squared': loop's reverse fused
  for (int i = 0; i < n; i++)
    f += x[i] * x[i];
  return f * f;
}

static double stored(const double *x, double *y, int n) {
  double f = 0.0;
  // CHECK-NOT: gradient of 'stored': loop's reverse fused
  for (int i = 0; i < n; i++)
    f += x[i] * x[i];
  y[0] = f;
  return f;
}

double grad_chain(const double *x, double *dx, int n) { return ct_value_with_gradient(chain, x, dx, n); }
void grad_chain_out(const double *x, double *dx, int n, double *out, double *dout) {
  __enzyme_autodiff((void *)chain_out, enzyme_dup, x, dx, enzyme_const, n, enzyme_dup, out, dout);
}
double grad_two(const double *x, double *dx, const double *y, double *dy, double c, double *dc, int n) {
  return ct_value_with_gradient(two, x, dx, y, dy, c, dc, n);
}
double grad_squared(const double *x, double *dx, int n) { return ct_value_with_gradient(squared, x, dx, n); }
double grad_stored(const double *x, double *dx, double *y, double *dy, int n) {
  return ct_value_with_gradient(stored, x, dx, y, dy, n);
}

// chain's gradient: the loop sums f and adds into the shadow of x (twice:
// x[i] and x[i+1]), then the result; nothing after the loop but the return.
// IR-LABEL: define internal { double } @chain.ct_grad
// IR-NOT: __ct_tape
// IR: ; preds = %[[LOOP:[0-9]+]], %
// IR: fadd double
// IR: store double
// IR: store double
// IR: br i1 %{{[0-9]+}}, label %{{[0-9]+}}, label %[[LOOP]]
// IR-NOT: {{ br }}
// IR: ret { double }
