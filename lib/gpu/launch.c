/* Launching the GPU primitives (include/cotangent_cuda.h) through the CUDA
 * driver API, loaded at run time with dlopen so that nothing links against
 * CUDA: without a driver or a device, ct_gpu_open fails with "no CUDA
 * device: ...". The PTX of lib/gpu/kernels.c is embedded
 * (ct_gpu_kernels_ptx, generated at build time) and JIT-compiled by the
 * driver for whatever device it finds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cotangent_cuda.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char ct_gpu_kernels_ptx[];

/* The driver API subset used, with its C types (cuda.h is not needed). */
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef unsigned long long CUdeviceptr;
enum { CUDA_SUCCESS = 0, CUDA_ERROR_NO_DEVICE = 100, BLOCK = 128, MAX_GRID = 1024 };

typedef struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*DevicePrimaryCtxRelease)(CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*CtxSynchronize)(void);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*MemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*MemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *,
                           void **, void **);
  CUresult (*GetErrorString)(CUresult, const char **);
} driver;

struct ct_gpu {
  void *lib;
  driver cu;
  CUdevice dev;
  CUcontext ctx;
  CUmodule mod;
};

static _Thread_local char last_error[512];

const char *ct_gpu_error(void) { return last_error; }

__attribute__((format(printf, 1, 2))) static void set_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
}

static const char *describe(ct_gpu *g, CUresult r) {
  const char *s = NULL;
  if (g->cu.GetErrorString && g->cu.GetErrorString(r, &s) == CUDA_SUCCESS && s)
    return s;
  return "unknown error";
}

/* Each driver symbol, under its versioned name where the API has one. */
static int load_driver(ct_gpu *g) {
  static const struct {
    const char *name;
    size_t offset;
  } syms[] = {
      {"cuInit", offsetof(driver, Init)},
      {"cuDeviceGetCount", offsetof(driver, DeviceGetCount)},
      {"cuDeviceGet", offsetof(driver, DeviceGet)},
      {"cuDevicePrimaryCtxRetain", offsetof(driver, DevicePrimaryCtxRetain)},
      {"cuDevicePrimaryCtxRelease_v2", offsetof(driver, DevicePrimaryCtxRelease)},
      {"cuCtxSetCurrent", offsetof(driver, CtxSetCurrent)},
      {"cuCtxSynchronize", offsetof(driver, CtxSynchronize)},
      {"cuModuleLoadData", offsetof(driver, ModuleLoadData)},
      {"cuModuleUnload", offsetof(driver, ModuleUnload)},
      {"cuModuleGetFunction", offsetof(driver, ModuleGetFunction)},
      {"cuMemAlloc_v2", offsetof(driver, MemAlloc)},
      {"cuMemFree_v2", offsetof(driver, MemFree)},
      {"cuMemcpyHtoD_v2", offsetof(driver, MemcpyHtoD)},
      {"cuMemcpyDtoH_v2", offsetof(driver, MemcpyDtoH)},
      {"cuMemsetD8_v2", offsetof(driver, MemsetD8)},
      {"cuLaunchKernel", offsetof(driver, LaunchKernel)},
      {"cuGetErrorString", offsetof(driver, GetErrorString)},
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; ++i) {
    void *f = dlsym(g->lib, syms[i].name);
    if (!f) {
      set_error("no CUDA device: the CUDA driver lacks %s (too old?)", syms[i].name);
      return 0;
    }
    memcpy((char *)&g->cu + syms[i].offset, &f, sizeof f);
  }
  return 1;
}

ct_gpu *ct_gpu_open(void) {
  if (!ct_gpu_kernels_ptx[0]) {
    set_error("no CUDA device support: Cotangent was built without clang's NVPTX target");
    return NULL;
  }
  ct_gpu *g = calloc(1, sizeof *g);
  if (!g) {
    set_error("out of memory");
    return NULL;
  }
  const char *name = getenv("COTANGENT_LIBCUDA");
  g->lib = dlopen(name && *name ? name : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!g->lib) {
    set_error("no CUDA device: cannot load the CUDA driver (%s)", dlerror());
    free(g);
    return NULL;
  }
  CUresult r;
  int count = 0;
  if (!load_driver(g))
    goto fail;
  if ((r = g->cu.Init(0)) != CUDA_SUCCESS || (r = g->cu.DeviceGetCount(&count)) != CUDA_SUCCESS || count == 0) {
    if (r == CUDA_SUCCESS || r == CUDA_ERROR_NO_DEVICE)
      set_error("no CUDA device: the CUDA driver found none");
    else
      set_error("no CUDA device: the CUDA driver failed to start (error %d: %s)", r, describe(g, r));
    goto fail;
  }
  if ((r = g->cu.DeviceGet(&g->dev, 0)) || (r = g->cu.DevicePrimaryCtxRetain(&g->ctx, g->dev)) ||
      (r = g->cu.CtxSetCurrent(g->ctx))) {
    set_error("CUDA: cannot open device 0 (error %d: %s)", r, describe(g, r));
    goto fail;
  }
  if ((r = g->cu.ModuleLoadData(&g->mod, ct_gpu_kernels_ptx))) {
    set_error("CUDA: the driver rejected Cotangent's PTX (error %d: %s)", r, describe(g, r));
    g->cu.DevicePrimaryCtxRelease(g->dev);
    goto fail;
  }
  return g;
fail:
  dlclose(g->lib);
  free(g);
  return NULL;
}

void ct_gpu_close(ct_gpu *g) {
  if (!g)
    return;
  g->cu.ModuleUnload(g->mod);
  g->cu.DevicePrimaryCtxRelease(g->dev);
  dlclose(g->lib);
  free(g);
}

/* ---- one launch: device copies of the host arrays, then the kernel ---- */

typedef struct {
  double *host;
  size_t n;
  int in, out; /* copied to the device (else zeroed), copied back */
  CUdeviceptr d;
} array;

static int launch(ct_gpu *g, const char *kernel, unsigned grid, void **params, array *arrays, int narrays) {
  CUresult r = CUDA_SUCCESS;
  int made = 0, ok = 0;
  for (; made < narrays; ++made) {
    array *a = &arrays[made];
    size_t bytes = (a->n ? a->n : 1) * sizeof(double);
    if ((r = g->cu.MemAlloc(&a->d, bytes)))
      break;
    if ((r = a->in ? g->cu.MemcpyHtoD(a->d, a->host, a->n * sizeof(double)) : g->cu.MemsetD8(a->d, 0, bytes))) {
      ++made;
      break;
    }
  }
  CUfunction f;
  if (r == CUDA_SUCCESS && (r = g->cu.ModuleGetFunction(&f, g->mod, kernel)) == CUDA_SUCCESS &&
      (r = g->cu.LaunchKernel(f, grid ? grid : 1, 1, 1, BLOCK, 1, 1, 0, NULL, params, NULL)) == CUDA_SUCCESS &&
      (r = g->cu.CtxSynchronize()) == CUDA_SUCCESS) {
    ok = 1;
    for (int i = 0; i < narrays && ok; ++i)
      if (arrays[i].out && (r = g->cu.MemcpyDtoH(arrays[i].host, arrays[i].d, arrays[i].n * sizeof(double))))
        ok = 0;
  }
  for (int i = 0; i < made; ++i)
    g->cu.MemFree(arrays[i].d);
  if (!ok)
    set_error("CUDA: %s failed (error %d: %s)", kernel, r, describe(g, r));
  return ok ? 0 : -1;
}

static unsigned grid_for(long n) {
  long blocks = (n + BLOCK - 1) / BLOCK;
  return blocks < 1 ? 1 : blocks > MAX_GRID ? MAX_GRID : (unsigned)blocks;
}

#define IN(p, count) {(double *)(p), (size_t)(count), 1, 0, 0}
#define OUT(p, count) {(p), (size_t)(count), 0, 1, 0}
#define INOUT(p, count) {(p), (size_t)(count), 1, 1, 0}

int ct_gpu_sum(ct_gpu *g, int n, const double *x, double *out) {
  array a[] = {IN(x, n), OUT(out, 1)};
  void *p[] = {&n, &a[0].d, &a[1].d};
  return launch(g, "ct_gpu_sum_kernel", grid_for(n), p, a, 2);
}

int ct_gpu_sum_adjoint(ct_gpu *g, int n, double seed, double *dx) {
  array a[] = {INOUT(dx, n)};
  void *p[] = {&n, &seed, &a[0].d};
  return launch(g, "ct_gpu_sum_adjoint_kernel", grid_for(n), p, a, 1);
}

int ct_gpu_dot(ct_gpu *g, int n, const double *x, const double *y, double *out) {
  array a[] = {IN(x, n), IN(y, n), OUT(out, 1)};
  void *p[] = {&n, &a[0].d, &a[1].d, &a[2].d};
  return launch(g, "ct_gpu_dot_kernel", grid_for(n), p, a, 3);
}

int ct_gpu_dot_adjoint(ct_gpu *g, int n, const double *x, const double *y, double seed, double *dx, double *dy) {
  array a[] = {IN(x, n), IN(y, n), INOUT(dx, n), INOUT(dy, n)};
  void *p[] = {&n, &a[0].d, &a[1].d, &seed, &a[2].d, &a[3].d};
  return launch(g, "ct_gpu_dot_adjoint_kernel", grid_for(n), p, a, 4);
}

int ct_gpu_axpy(ct_gpu *g, int n, double alpha, const double *x, double *y) {
  array a[] = {IN(x, n), INOUT(y, n)};
  void *p[] = {&n, &alpha, &a[0].d, &a[1].d};
  return launch(g, "ct_gpu_axpy_kernel", grid_for(n), p, a, 2);
}

int ct_gpu_axpy_adjoint(ct_gpu *g, int n, double alpha, const double *x, const double *dy, double *dx, double *da) {
  double sum = 0;
  array a[] = {IN(x, n), IN(dy, n), INOUT(dx, n), OUT(&sum, 1)};
  void *p[] = {&n, &alpha, &a[0].d, &a[1].d, &a[2].d, &a[3].d};
  int r = launch(g, "ct_gpu_axpy_adjoint_kernel", grid_for(n), p, a, 4);
  if (!r)
    *da += sum;
  return r;
}

int ct_gpu_gemv(ct_gpu *g, int m, int n, const double *A, const double *x, double *y) {
  array a[] = {IN(A, (size_t)m * n), IN(x, n), OUT(y, m)};
  void *p[] = {&m, &n, &a[0].d, &a[1].d, &a[2].d};
  return launch(g, "ct_gpu_gemv_kernel", grid_for(m), p, a, 3);
}

int ct_gpu_gemv_adjoint(ct_gpu *g, int m, int n, const double *A, const double *x, const double *dy, double *dA,
                        double *dx) {
  array a[] = {IN(A, (size_t)m * n), IN(x, n), IN(dy, m), INOUT(dA, (size_t)m * n), INOUT(dx, n)};
  void *p[] = {&m, &n, &a[0].d, &a[1].d, &a[2].d, &a[3].d, &a[4].d};
  return launch(g, "ct_gpu_gemv_adjoint_kernel", grid_for(n), p, a, 5);
}

int ct_gpu_gemm(ct_gpu *g, int m, int n, int k, const double *A, const double *B, double *C) {
  array a[] = {IN(A, (size_t)m * k), IN(B, (size_t)k * n), OUT(C, (size_t)m * n)};
  void *p[] = {&m, &n, &k, &a[0].d, &a[1].d, &a[2].d};
  return launch(g, "ct_gpu_gemm_kernel", grid_for((long)m * n), p, a, 3);
}

int ct_gpu_gemm_adjoint(ct_gpu *g, int m, int n, int k, const double *A, const double *B, const double *dC,
                        double *dA, double *dB) {
  array a[] = {IN(A, (size_t)m * k), IN(B, (size_t)k * n), IN(dC, (size_t)m * n), INOUT(dA, (size_t)m * k),
               INOUT(dB, (size_t)k * n)};
  void *p[] = {&m, &n, &k, &a[0].d, &a[1].d, &a[2].d, &a[3].d, &a[4].d};
  long most = (long)m * k > (long)k * n ? (long)m * k : (long)k * n;
  return launch(g, "ct_gpu_gemm_adjoint_kernel", grid_for(most), p, a, 5);
}

static unsigned grid_rows(int rows) { return rows < 1 ? 1 : rows > 65535 ? 65535 : (unsigned)rows; }

int ct_gpu_softmax(ct_gpu *g, int rows, int n, const double *x, double *y) {
  array a[] = {IN(x, (size_t)rows * n), OUT(y, (size_t)rows * n)};
  void *p[] = {&rows, &n, &a[0].d, &a[1].d};
  return launch(g, "ct_gpu_softmax_kernel", grid_rows(rows), p, a, 2);
}

int ct_gpu_softmax_adjoint(ct_gpu *g, int rows, int n, const double *y, const double *dy, double *dx) {
  array a[] = {IN(y, (size_t)rows * n), IN(dy, (size_t)rows * n), INOUT(dx, (size_t)rows * n)};
  void *p[] = {&rows, &n, &a[0].d, &a[1].d, &a[2].d};
  return launch(g, "ct_gpu_softmax_adjoint_kernel", grid_rows(rows), p, a, 3);
}

int ct_gpu_logsumexp(ct_gpu *g, int rows, int n, const double *x, double *out) {
  array a[] = {IN(x, (size_t)rows * n), OUT(out, rows)};
  void *p[] = {&rows, &n, &a[0].d, &a[1].d};
  return launch(g, "ct_gpu_logsumexp_kernel", grid_rows(rows), p, a, 2);
}

int ct_gpu_logsumexp_adjoint(ct_gpu *g, int rows, int n, const double *x, const double *out, const double *seed,
                             double *dx) {
  array a[] = {IN(x, (size_t)rows * n), IN(out, rows), IN(seed, rows), INOUT(dx, (size_t)rows * n)};
  void *p[] = {&rows, &n, &a[0].d, &a[1].d, &a[2].d, &a[3].d};
  return launch(g, "ct_gpu_logsumexp_adjoint_kernel", grid_rows(rows), p, a, 4);
}
