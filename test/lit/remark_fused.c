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
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O1 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=VEC
#include <cotangent.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

static double chain(const double *x, int n) {
  double f = 0.0;
  // CHECK-DAG: remark_fused.c:[[@LINE+2]]:{{[0-9]+}}: remark: gradient of 'chain': the loop reads elements again in up to 1 later iteration(s)
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

// a 3-point stencil energy: x[i + 1] is read again as x[i] and x[i - 1]
static double stencil(const double *x, int n) {
  double f = 0.0;
  // CHECK-DAG: remark_fused.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'stencil': the loop reads elements again in up to 2 later iteration(s); their adjoints wait in registers, one addition into the shadow per element [-Rpass=cotangent]
  for (int i = 1; i < n - 1; i++) {
    double l = x[i - 1] - 2.0 * x[i] + x[i + 1];
    f += l * l * x[i];
  }
  return f;
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
double grad_stencil(const double *x, double *dx, int n) { return ct_value_with_gradient(stencil, x, dx, n); }
double grad_squared(const double *x, double *dx, int n) { return ct_value_with_gradient(squared, x, dx, n); }
double grad_stored(const double *x, double *dx, double *y, double *dy, int n) {
  return ct_value_with_gradient(stored, x, dx, y, dy, n);
}

// chain's gradient at -O1 (no vectorizer): the loop sums f and adds into
// the shadow of x once per element (x[i + 1]'s adjoint waits in a phi and
// joins x[i]'s of the next iteration, pass/fused_carry.c), the last one's
// at the exit; nothing but the return after the loop.
// IR-LABEL: define internal { double } @chain.ct_grad
// IR-NOT: __ct_tape
// IR: ; preds = %[[LOOP:[0-9]+]], %
// IR: phi double [ 0.000000e+00, %{{[0-9]+}} ], [ %{{[0-9]+}}, %[[LOOP]] ]
// IR-NEXT: %[[CARRY:[0-9]+]] = phi double [ 0.000000e+00, %{{[0-9]+}} ], [ %{{[0-9]+}}, %[[LOOP]] ]
// IR: fadd reassoc nsz double %{{[0-9]+}}, %[[CARRY]]
// IR: store double
// IR-NOT: store
// IR: br i1 %{{[0-9]+}}, label %[[EXIT:[0-9]+]], label %[[LOOP]]
// IR-NOT: {{ br i1 }}
// IR: [[EXIT]]:
// IR-NEXT: getelementptr
// IR-NEXT: load double
// IR-NEXT: fadd
// IR-NEXT: store double
// IR-NOT: {{ br i1 }}
// IR: {{^}$}}

// At -O2 the loop vectorizer runs that loop in vector lanes and adds the
// lanes into f one by one, in order (an ordered reduction: the running sum
// is the first operand; an unordered one starts from -0.0), in the gradient
// marked ct-ordered-sums (plugin.cpp). Without the carried adjoint, the
// shadow's dependence between iterations keeps the loop scalar.
// VEC-LABEL: define internal { double } @chain.ct_grad
// VEC-NOT: {{^}$}}
// VEC: call double @llvm.vector.reduce.fadd.v{{[0-9]+}}f64(double %{{[0-9]+}}, <
// VEC: attributes #{{[0-9]+}} = { {{.*}}"ct-ordered-sums"
