/* Cotangent's GPU primitives (NVPTX), from the host.
 *
 * The runtime carries PTX for the primitives below and their adjoints
 * (lib/gpu/kernels.c, compiled by clang's NVPTX backend at build time). It
 * loads the CUDA driver at run time (dlopen of libcuda.so.1), so programs
 * link and run on machines without CUDA; there ct_gpu_open() returns NULL
 * and ct_gpu_error() says "no CUDA device: ...".
 *
 *   ct_gpu *gpu = ct_gpu_open();
 *   if (!gpu) { fprintf(stderr, "%s\n", ct_gpu_error()); return 1; }
 *   double v;
 *   ct_gpu_dot(gpu, n, x, y, &v);
 *   ct_gpu_dot_adjoint(gpu, n, x, y, 1.0, dx, dy);   // dx += y, dy += x
 *   ct_gpu_close(gpu);
 *
 * Arrays are host arrays of doubles (copied to and from the device on each
 * call); matrices are row-major. Adjoints ADD into their outputs. Every
 * function returns 0, or -1 with ct_gpu_error() set. One ct_gpu per
 * thread. */
#ifndef COTANGENT_CUDA_H
#define COTANGENT_CUDA_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_gpu ct_gpu;

/* The first CUDA device, or NULL (see ct_gpu_error). COTANGENT_LIBCUDA
 * names another driver library to load instead of libcuda.so.1. */
ct_gpu *ct_gpu_open(void);
void ct_gpu_close(ct_gpu *gpu);
/* Why the last call on this thread failed ("no CUDA device: ..." when there
 * is no driver or no device). */
const char *ct_gpu_error(void);

int ct_gpu_sum(ct_gpu *gpu, int n, const double *x, double *out);                    /* out = sum x */
int ct_gpu_sum_adjoint(ct_gpu *gpu, int n, double seed, double *dx);                 /* dx += seed */
int ct_gpu_dot(ct_gpu *gpu, int n, const double *x, const double *y, double *out);   /* out = x . y */
int ct_gpu_dot_adjoint(ct_gpu *gpu, int n, const double *x, const double *y, double seed, double *dx, double *dy);
int ct_gpu_axpy(ct_gpu *gpu, int n, double a, const double *x, double *y);            /* y += a x */
/* dy: the adjoint of y after the update; dx += a dy, *da += x . dy */
int ct_gpu_axpy_adjoint(ct_gpu *gpu, int n, double a, const double *x, const double *dy, double *dx, double *da);
int ct_gpu_gemv(ct_gpu *gpu, int m, int n, const double *A, const double *x, double *y); /* y = A x */
int ct_gpu_gemv_adjoint(ct_gpu *gpu, int m, int n, const double *A, const double *x, const double *dy, double *dA,
                        double *dx);
int ct_gpu_gemm(ct_gpu *gpu, int m, int n, int k, const double *A, const double *B, double *C); /* C = A B */
int ct_gpu_gemm_adjoint(ct_gpu *gpu, int m, int n, int k, const double *A, const double *B, const double *dC,
                        double *dA, double *dB);
int ct_gpu_softmax(ct_gpu *gpu, int rows, int n, const double *x, double *y); /* per row */
int ct_gpu_softmax_adjoint(ct_gpu *gpu, int rows, int n, const double *y, const double *dy, double *dx);
int ct_gpu_logsumexp(ct_gpu *gpu, int rows, int n, const double *x, double *out); /* per row */
int ct_gpu_logsumexp_adjoint(ct_gpu *gpu, int rows, int n, const double *x, const double *out, const double *seed,
                             double *dx);

#ifdef __cplusplus
}
#endif

#endif
