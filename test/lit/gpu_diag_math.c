// NVPTX has no libm: a math function in differentiated device code (here
// sin, whose derivative needs cos too) is a compile error at the call,
// not a backend crash.
// RUN: not %cc -target nvptx64-nvidia-cuda -march=sm_80 -O2 -std=c17 -S %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump" --implicit-check-not="Cannot select"
// RUN: not %cc -target nvptx64-nvidia-cuda -march=sm_80 -O0 -std=c17 -S %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump" --implicit-check-not="Cannot select"
#include <cotangent.h>
#include <cotangent_gpu.h>

double wave(const double *x) {
  int t = ct_thread_idx();
  // CHECK: gpu_diag_math.c:[[@LINE+1]]:10: error: cannot differentiate on NVPTX: 'llvm.sin.f64' (a math function of this code or of its derivative) has no PTX implementation
  return __builtin_sin(x[t]) * x[t];
}

CT_KERNEL void wave_gradient(const double *x, double *dx) { ct_gradient(wave, x, dx); }
