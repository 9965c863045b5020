// README rejected row 13: a math function in differentiated NVPTX code (PTX
// has no libm; exp's derivative needs exp) is an error at the call.
// REQUIRES: nvptx
// FLAGS: -target nvptx64-nvidia-cuda -march=sm_80 -S
// EXPECT: error @exp "has no PTX implementation"
#include <cotangent.h>
#include <cotangent_gpu.h>

double soft(const double *x) {
  int t = ct_thread_idx();
  return __builtin_exp(x[t]) * x[t]; /*@exp*/
}

CT_KERNEL void soft_gradient(const double *x, double *dx) { ct_gradient(soft, x, dx); }
