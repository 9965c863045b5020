// -Rpass=cotangent names each checkpointed call (CT_CHECKPOINT, and
// ct_recompute at a call site) and says what the tape keeps for it (the
// arguments, and a copy of the memory they point to when there is one);
// the IR of the gradient runs the callee's augmented forward again in the
// reverse pass, and the forward pass calls the primal function itself.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O0 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O1 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
#include <cotangent.h>
#include <math.h>

CT_CHECKPOINT static void step(double s[static 2], double dt) {
  for (int j = 0; j < 10; j++) {
    double a = s[0];
    s[0] += dt * s[1];
    s[1] -= dt * sin(a);
  }
}

static double scalar_block(double x, int k) {
  for (int j = 0; j < k; j++)
    x = x + 0.01 * sin(x);
  return x;
}

static double f(double x, double y) {
  double s[2] = {x, y};
  for (int i = 0; i < 8; i++)
    // CHECK: remark_checkpoint.c:[[@LINE+1]]:{{[0-9]+}}: remark: call to 'step' is checkpointed: the tape keeps its arguments and a copy of the memory they point to, and the reverse pass runs it again to differentiate it (its internals are not taped) [-Rpass=cotangent]
    step(s, 0.1);
  double t = s[0] * s[1];
  for (int i = 0; i < 4; i++)
    // CHECK: remark_checkpoint.c:[[@LINE+1]]:{{[0-9]+}}: remark: call to 'scalar_block' is checkpointed: the tape keeps its arguments, and the reverse pass runs it again
    t = ct_recompute(scalar_block, t, 20);
  return t;
}

// IR-LABEL: define {{.*}}@f.ct_grad
// IR-DAG: call void @step(
// IR-DAG: call {{.*}}@scalar_block(
// IR-DAG: call {{.*}}@step.ct_aug.{{.*}}, !ct.rerun
// IR-DAG: call {{.*}}@step.ct_aug.{{.*}}.rev({{.*}}, i1 false){{.*}}!ct.rerun
// IR-DAG: call {{.*}}@scalar_block.ct_aug.{{.*}}, !ct.rerun
// IR-LABEL: define internal {{.*}}@step.ct_aug
double grad(double *dx, double *dy) { return ct_value_with_gradient(f, 0.3, dx, 0.7, dy); }
