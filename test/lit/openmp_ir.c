// The gradient of a parallel region: the forward forks the body's
// augmented forward through a wrapper that keeps each thread's tape; the
// reverse forks the body's reverse with the forward's team size. In the
// body's reverse, adjoints of shared memory are added atomically, and the
// critical section is re-entered with its ticket from the forward.
// RUN: %cc -fopenmp -O2 -S -emit-llvm %s -o - | FileCheck %s
#include <cotangent.h>
#include <math.h>

double f(const double *x, const double *a, int n) {
  double s = 0;
#pragma omp parallel for
  for (int i = 0; i < n; ++i) {
    double t = sin(x[i]) * *a;
#pragma omp critical
    s += t;
  }
  return s;
}

// CHECK-LABEL: define {{.*}}@grad(
// CHECK: [[R:%[0-9]+]] = {{.*}}call ptr @__ct_omp_region_new()
// CHECK: call void {{.*}}@__kmpc_fork_call({{.*}}@f.omp_outlined.ct_aug.cccddd.mt.fork, ptr [[R]],
// CHECK: [[T:%[0-9]+]] = call i32 @__ct_omp_team_size(
// CHECK: call void @__kmpc_push_num_threads({{.*}}, i32 [[T]])
// CHECK: call void {{.*}}@__kmpc_fork_call({{.*}}@f.omp_outlined.ct_aug.cccddd.mt.rev.fork,
// CHECK: call void @__ct_omp_region_done(
void grad(const double *x, double *dx, const double *a, double *da, int n) { ct_gradient(f, x, dx, a, da, n); }

// CHECK-LABEL: define internal { ptr } @f.omp_outlined.ct_aug.cccddd.mt(
// CHECK: call void @__ct_omp_critical_enter(ptr {{.*}}@.gomp_critical_user_.var)
// CHECK: call i64 @__ct_omp_critical_exit(ptr {{.*}}@.gomp_critical_user_.var)
// CHECK-LABEL: define internal {} @f.omp_outlined.ct_aug.cccddd.mt.rev(
// CHECK: call void @__ct_omp_critical_reverse_enter(ptr {{.*}}@.gomp_critical_user_.var, i64
// CHECK: call void @__ct_omp_critical_reverse_exit(ptr {{.*}}@.gomp_critical_user_.var)
// CHECK: atomicrmw fadd ptr {{.*}} monotonic
// CHECK: atomicrmw fadd ptr {{.*}} monotonic
// CHECK-LABEL: define internal void @f.omp_outlined.ct_aug.cccddd.mt.fork(
// CHECK: call ptr @__ct_omp_enter_forward(
// CHECK: call void @__ct_omp_leave_forward(
// CHECK-LABEL: define internal void @f.omp_outlined.ct_aug.cccddd.mt.rev.fork(
// CHECK: call ptr @__ct_omp_enter_reverse(
// CHECK: call void @__ct_omp_leave_reverse(
