// README rejected row 12: a warp shuffle of a differentiable value in NVPTX
// code has no derivative: an error at the shuffle.
// REQUIRES: nvptx
// FLAGS: -target nvptx64-nvidia-cuda -march=sm_80 -S
// EXPECT: error @shfl "has no derivative"
#include <cotangent.h>
#include <cotangent_gpu.h>

float warp_sum(const float *x) {
  float v = x[ct_thread_idx()];
  v = v * v;
  v += __nvvm_shfl_sync_down_f32(0xffffffffu, v, 1, 0x1f); /*@shfl*/
  return v;
}

CT_KERNEL void warp_sum_gradient(const float *x, float *dx) { ct_gradient(warp_sum, x, dx); }
