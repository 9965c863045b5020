/* A stand-in for the CUDA driver (libcuda.so.1) that runs kernels on the
 * host: device memory is host memory, and cuLaunchKernel runs the
 * primitives of lib/gpu/kernels.c (compiled for the host into this
 * library) under the SIMT emulator. It lets the tests drive the real
 * launcher (lib/gpu/launch.c, through COTANGENT_LIBCUDA) without a GPU. */
#include "simt.h"

#include <stdlib.h>
#include <string.h>

#include "../../lib/gpu/kernels.c"

typedef unsigned long long CUdeviceptr;
typedef void (*thunk)(void **p);

#define I(k) (*(int *)p[k])
#define D(k) (*(double *)p[k])
#define P(k) ((double *)(*(CUdeviceptr *)p[k]))
static void t_sum(void **p) { ct_gpu_sum_kernel(I(0), P(1), P(2)); }
static void t_sum_adj(void **p) { ct_gpu_sum_adjoint_kernel(I(0), D(1), P(2)); }
static void t_dot(void **p) { ct_gpu_dot_kernel(I(0), P(1), P(2), P(3)); }
static void t_dot_adj(void **p) { ct_gpu_dot_adjoint_kernel(I(0), P(1), P(2), D(3), P(4), P(5)); }
static void t_axpy(void **p) { ct_gpu_axpy_kernel(I(0), D(1), P(2), P(3)); }
static void t_axpy_adj(void **p) { ct_gpu_axpy_adjoint_kernel(I(0), D(1), P(2), P(3), P(4), P(5)); }
static void t_gemv(void **p) { ct_gpu_gemv_kernel(I(0), I(1), P(2), P(3), P(4)); }
static void t_gemv_adj(void **p) { ct_gpu_gemv_adjoint_kernel(I(0), I(1), P(2), P(3), P(4), P(5), P(6)); }
static void t_gemm(void **p) { ct_gpu_gemm_kernel(I(0), I(1), I(2), P(3), P(4), P(5)); }
static void t_gemm_adj(void **p) { ct_gpu_gemm_adjoint_kernel(I(0), I(1), I(2), P(3), P(4), P(5), P(6), P(7)); }
static void t_softmax(void **p) { ct_gpu_softmax_kernel(I(0), I(1), P(2), P(3)); }
static void t_softmax_adj(void **p) { ct_gpu_softmax_adjoint_kernel(I(0), I(1), P(2), P(3), P(4)); }
static void t_lse(void **p) { ct_gpu_logsumexp_kernel(I(0), I(1), P(2), P(3)); }
static void t_lse_adj(void **p) { ct_gpu_logsumexp_adjoint_kernel(I(0), I(1), P(2), P(3), P(4), P(5)); }

static const struct {
  const char *name;
  thunk run;
} kernels[] = {
    {"ct_gpu_sum_kernel", t_sum},         {"ct_gpu_sum_adjoint_kernel", t_sum_adj},
    {"ct_gpu_dot_kernel", t_dot},         {"ct_gpu_dot_adjoint_kernel", t_dot_adj},
    {"ct_gpu_axpy_kernel", t_axpy},       {"ct_gpu_axpy_adjoint_kernel", t_axpy_adj},
    {"ct_gpu_gemv_kernel", t_gemv},       {"ct_gpu_gemv_adjoint_kernel", t_gemv_adj},
    {"ct_gpu_gemm_kernel", t_gemm},       {"ct_gpu_gemm_adjoint_kernel", t_gemm_adj},
    {"ct_gpu_softmax_kernel", t_softmax}, {"ct_gpu_softmax_adjoint_kernel", t_softmax_adj},
    {"ct_gpu_logsumexp_kernel", t_lse},   {"ct_gpu_logsumexp_adjoint_kernel", t_lse_adj},
};

static int context, module; /* any non-null handles */

int cuInit(unsigned flags) { return flags ? 1 : 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *dev, int ordinal) { *dev = ordinal; return 0; }
int cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void)dev; *ctx = &context; return 0; }
int cuDevicePrimaryCtxRelease_v2(int dev) { (void)dev; return 0; }
int cuCtxSetCurrent(void *ctx) { return ctx == &context ? 0 : 1; }
int cuCtxSynchronize(void) { return 0; }
/* the image must be the PTX of the primitives */
int cuModuleLoadData(void **mod, const void *image) {
  *mod = &module;
  return strstr(image, ".entry ct_gpu_gemm_kernel") ? 0 : 200; /* CUDA_ERROR_INVALID_IMAGE */
}
int cuModuleUnload(void *mod) { return mod == &module ? 0 : 1; }
int cuModuleGetFunction(void **f, void *mod, const char *name) {
  (void)mod;
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; ++i)
    if (!strcmp(kernels[i].name, name)) {
      *f = (void *)&kernels[i];
      return 0;
    }
  return 500; /* CUDA_ERROR_NOT_FOUND */
}
int cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
  void *m = malloc(bytes);
  *p = (CUdeviceptr)m;
  return m ? 0 : 2;
}
int cuMemFree_v2(CUdeviceptr p) { free((void *)p); return 0; }
int cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t n) { memcpy((void *)d, h, n); return 0; }
int cuMemcpyDtoH_v2(void *h, CUdeviceptr d, size_t n) { memcpy(h, (void *)d, n); return 0; }
int cuMemsetD8_v2(CUdeviceptr d, unsigned char v, size_t n) { memset((void *)d, v, n); return 0; }
int cuGetErrorString(int r, const char **s) { *s = r ? "fake driver error" : "no error"; return 0; }

typedef struct {
  thunk run;
  void **params;
} launch_ctx;

static void body(void *arg) {
  launch_ctx *c = arg;
  c->run(c->params);
}

int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void *stream, void **params, void **extra) {
  (void)stream;
  (void)extra;
  if (gy != 1 || gz != 1 || by != 1 || bz != 1 || shared || bx != CT_GPU_BLOCK)
    return 1; /* the launcher uses 1-D grids of CT_GPU_BLOCK threads */
  launch_ctx c = {((const struct { const char *n; thunk run; } *)f)->run, params};
  ct_simt_launch((int)gx, (int)bx, body, &c);
  return 0;
}
