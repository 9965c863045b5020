// Device code for NVPTX: the gradient of a function with a shared array and
// a barrier. The shared array's shadow lives in shared memory and is zeroed
// at the gradient's entry between two barriers; thread indices are
// inactive; adjoints go into shadows with atomic adds (a store's reverse
// takes its adjoint with an atomic exchange); the primal barrier has its
// mirror in the reverse pass, between the phase that adds into the shared
// shadow and the phase that reads it; straight-line code needs no tape (no
// device heap).
// RUN: %cc -target nvptx64-nvidia-cuda -march=sm_80 -O1 -std=c17 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %cc -target nvptx64-nvidia-cuda -march=sm_80 -O0 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=O0
// RUN: %cc -target nvptx64-nvidia-cuda -march=sm_80 -O1 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=WARP
#include <cotangent.h>
#include <cotangent_gpu.h>

static CT_SHARED double buf[32];

double neighbours(const double *x, double *y) {
  int t = ct_thread_idx();
  buf[t] = x[t] * x[t];
  ct_sync_threads();
  y[t] = 2.0 * buf[(t + 1) % 32];
  return 0.5 * x[t];
}

// CHECK: @buf.ct_shadow = internal addrspace(3) global [32 x double] undef
// CHECK-LABEL: define {{.*}}void @neighbours_gradient(
// CHECK-NOT: malloc
// CHECK: call void @llvm.nvvm.barrier0()
// CHECK-NEXT: call void @__ct_gpu_zero_shared(ptr addrspace(3) @buf.ct_shadow, i64 256)
// CHECK-NEXT: call void @llvm.nvvm.barrier0()
// forward: the primal's store and barrier
// CHECK: store double %{{.*}}, ptr addrspace(3)
// CHECK: call void @llvm.nvvm.barrier0()
// reverse of the second phase: y's adjoint taken, added into the shared shadow
// CHECK: atomicrmw xchg ptr %{{.*}}, double 0.000000e+00 monotonic
// CHECK: atomicrmw fadd ptr addrspace(3) %{{.*}} monotonic
// the mirrored barrier, then the first phase's reverse reads the shadow
// CHECK-NEXT: call void @llvm.nvvm.barrier0()
// CHECK-NEXT: atomicrmw xchg ptr addrspace(3) %{{.*}}, double 0.000000e+00 monotonic
// CHECK: atomicrmw fadd ptr %{{.*}} monotonic
// CHECK-NOT: barrier0
// CHECK: ret void
CT_KERNEL void neighbours_gradient(const double *x, double *dx, double *y, double *dy) {
  ct_gradient(neighbours, x, dx, y, dy);
}

// At -O0 the gradient is inlined too (PTX cannot return its empty result
// struct) and the generated function is gone.
// O0-LABEL: define {{.*}}void @neighbours_gradient(
// O0-NOT: call {{.*}}@neighbours.ct_grad
// O0: ret void
// O0-NOT: define {{.*}}@neighbours.ct_grad

// A warp barrier with a run-time mask (__syncwarp) and a counting block
// barrier (__syncthreads_count): mirrored in reverse order, the warp
// barrier with the same mask, the counting one as a plain block barrier.
double warp_pair(const double *x, double *y, unsigned mask) {
  int t = ct_thread_idx();
  y[t] = x[t] * x[t];
  __nvvm_bar_warp_sync(mask);
  int c = __nvvm_bar0_popc(t < 16);
  return x[t ^ 1] * c;
}

// WARP-LABEL: define {{.*}}void @warp_pair_gradient(
// WARP-SAME: i32 noundef [[MASK:%[0-9]+]])
// WARP: call void @llvm.nvvm.bar.warp.sync(i32 [[MASK]])
// WARP: call i32 @llvm.nvvm.barrier0.popc(
// WARP: atomicrmw fadd
// WARP-NEXT: call void @llvm.nvvm.barrier0()
// WARP-NEXT: call void @llvm.nvvm.bar.warp.sync(i32 [[MASK]])
// WARP-NEXT: atomicrmw xchg
// WARP: ret void
CT_KERNEL void warp_pair_gradient(const double *x, double *dx, double *y, double *dy, unsigned mask) {
  ct_gradient(warp_pair, x, dx, y, dy, mask);
}
