// -Rpass=cotangent names each checkpointed loop (CT_CHECKPOINT_LOOP) with
// its snapshots and the bytes of state each one keeps, and, from the
// loop's gradient, the bytes one iteration tapes; the IR holds the
// schedule <f>.ct_steps (a loop of recomputed calls of itself, each part
// with one snapshot less after it) over the body <f>.ct_loop. A while
// loop (its trip count known when it ends) is a recomputed call of
// <g>.ct_while, which counts the iterations or, run again with the count,
// runs <g>.ct_steps; its remark says so.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O0 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O1 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
// RUN: %cc -O1 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=WHILE
// RUN: %cc -O0 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=WREMARK
#include <cotangent.h>
#include <math.h>

static double f(double x, double y, int n) {
  double s[2] = {x, y};
  double dt = 0.01;
  CT_CHECKPOINT_LOOP(10)
  // CHECK: remark_checkpoint_loop.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop is checkpointed (binomial schedule, Revolve): its gradient keeps at most about 10 snapshots of the loop's state, {{[0-9]+}} bytes each, instead of every iteration's tape
  for (int i = 0; i < n; i++) {
    double a = s[0];
    s[0] += dt * s[1];
    s[1] -= dt * sin(a);
  }
  return s[0] * s[1];
}
// CHECK: remark: checkpointed loop at {{.*}}remark_checkpoint_loop.c:[[@LINE-7]]:{{[0-9]+}}: one iteration tapes {{[1-9][0-9]*}} bytes

// IR-LABEL: define internal void @f.ct_steps(i64 {{.*}}, i32 {{.*}}
// IR: call {{.*}}@__ct_revolve_split(
// IR: call void @f.ct_steps({{.*}}) #[[RECOMPUTE:[0-9]+]]
// IR-NEXT: sub i64
// IR-NEXT: add {{.*}}i32 {{.*}}, -1
// IR: attributes #[[RECOMPUTE]] = { {{.*}}"ct-recompute"

void grad(double x, double y, int n, double *dx, double *dy) { ct_gradient(f, x, dx, y, dy, n); }

static double g(double x, double tol) {
  double y = 1.0;
  CT_CHECKPOINT_LOOP(3)
  // WREMARK: remark_checkpoint_loop.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop is checkpointed (its trip count is counted while it runs, then the reverse pass follows the binomial schedule, Revolve, from one snapshot of its start): its gradient keeps at most about 3 snapshots of the loop's state, {{[0-9]+}} bytes each
  while (fabs(y * y - x) > tol)
    y = 0.5 * (y + x / y);
  return y;
}

// WHILE-LABEL: define internal i64 @g.ct_while(i64 {{.*}}, i32 {{.*}}, i64 {{.*}}, i64 {{.*}}
// WHILE: call {{.*}}@__ct_revolve_snapshots_while(

void grad_g(double x, double *dx) { ct_gradient(g, x, dx, ct_const(1e-12)); }
