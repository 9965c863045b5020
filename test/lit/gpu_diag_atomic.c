// Atomics on differentiable data: an atomic add whose old value is used, and
// an atomic exchange, are compile errors at the construct (file:line:col)
// for NVPTX and for the host alike.
// RUN: not %cc -target nvptx64-nvidia-cuda -march=sm_80 -O2 -std=c17 -S %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
#include <cotangent.h>

double fetch_add(double *acc, double x) {
  // CHECK: gpu_diag_atomic.c:[[@LINE+1]]:16: error: cannot differentiate 'fetch_add': 'atomicrmw' instruction is an atomic operation on differentiable data that has no derivative; only atomic adds and subtracts (atomicAdd) whose returned old value is not used are differentiated
  double old = __atomic_fetch_add(acc, x * x, __ATOMIC_RELAXED);
  return old * x;
}

void use(double *acc, double *dacc, double x, double *dx) { ct_gradient(fetch_add, acc, dacc, x, dx); }
