// CUDA device code through clang (-x cuda --cuda-device-only): a __device__
// function with a __shared__ array and __syncthreads, differentiated by a
// __global__ kernel. The CUDA headers are not needed (-nocudainc): the
// few attributes come from clang's own builtin-variable header. The PTX
// goes through ptxas (test/gpu/run.sh cuda).
#include <cotangent.h>
#define __device__ __attribute__((device))
#define __global__ __attribute__((global))
#define __shared__ __attribute__((shared))
#include <__clang_cuda_builtin_vars.h>

__device__ double neighbours(const double *x, double *y, int n) {
  __shared__ double s[64];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  s[threadIdx.x] = i < n ? x[i] * x[i] : 0.0;
  __syncthreads();
  if (i < n)
    y[i] = 3.0 * s[(threadIdx.x + 1) % 64];
  return i < n ? x[i] : 0.0;
}

extern "C" __global__ void cuda_kernel_gradient(const double *x, double *dx, double *y, double *dy, int n) {
  ct_gradient(neighbours, x, dx, y, dy, n);
}
