// A recursion's split gradients share their caller's tape: the top-level
// gradient creates one tape and destroys it, each recursive augmented
// forward takes it as its last parameter and pushes onto it (no tape of its
// own), and each reverse pops from it without marking, rewinding or
// destroying it (the owner does). The calls of the augmented forwards pass
// the tape; the callees' tapes are no longer records on the caller's tape.
// The recursive functions compare their frame with the thread's stack floor
// inline and call the runtime's stack guard only when below it.
// RUN: %cc -O1 -S -emit-llvm %s -o - | FileCheck %s
#include <cotangent.h>

static double tree(const double *v, int lo, int hi) {
  if (hi - lo == 1)
    return v[lo] * v[lo];
  int mid = (lo + hi) / 2;
  return tree(v, lo, mid) * tree(v, mid, hi);
}

static double top(const double *v, int n) { return tree(v, 0, n); }

double grad(const double *v, double *dv, int n) { return ct_value_with_gradient(top, v, dv, n); }

// CHECK: @__ct_stack_floor = external thread_local global i64
// CHECK-LABEL: define {{.*}} @grad(
// CHECK: %[[OWN:.*]] = {{.*}}call ptr @__ct_tape_create
// CHECK: call { ptr, double } @tree.ct_aug.dcc.r.st({{.*}}, ptr %[[OWN]])
// CHECK: call {} @tree.ct_aug.dcc.r.st.rev({{.*}}, ptr %[[OWN]], i1 false)
// CHECK: call void @__ct_tape_destroy(ptr %[[OWN]])
// CHECK-LABEL: define internal { ptr, double } @tree.ct_aug.dcc.r.st(
// CHECK-SAME: ptr %{{.*}}, ptr %{{.*}}, i32 %{{.*}}, i32 %{{.*}}, ptr %[[TAPE:[0-9]+]])
// CHECK: %[[FRAME:[0-9]+]] = {{.*}}call ptr @llvm.frameaddress.p0(i32 0)
// CHECK: %[[HERE:.*]] = ptrtoint ptr %[[FRAME]] to i64
// CHECK: %[[FLOOR:.*]] = load i64, ptr @__ct_stack_floor
// CHECK: %[[BELOW:.*]] = icmp ugt i64 %[[FLOOR]], %[[HERE]]
// CHECK: br i1 %[[BELOW]]
// CHECK: call void @__ct_stack_guard(
// CHECK-NOT: __ct_tape_create
// CHECK: call { ptr, double } @tree.ct_aug.dcc.r.st({{.*}}, ptr %[[TAPE]])
// CHECK-NOT: __ct_tape_create
// CHECK: ret { ptr, double }
// CHECK-LABEL: define internal {} @tree.ct_aug.dcc.r.st.rev(
// CHECK-NOT: __ct_tape_{{(mark|rewind|destroy|create)}}
// CHECK: ret {}
// CHECK-LABEL: define internal fastcc ptr @push_slow(
