/* Runtime kernels: the per-instruction-set building blocks (kernels_simd.c)
 * and the table the public entry points (kernels.c) dispatch through. */
#ifndef CT_KERNELS_H
#define CT_KERNELS_H

#define CT_KERNEL_OPS(T)                                                                          \
  T (*dot)(const T *x, const T *y, long n);                                                       \
  T (*sum)(const T *x, long n);                                                                   \
  T (*max)(const T *x, long n);                                                                   \
  void (*axpy)(long n, T a, const T *x, T *y);         /* y += a x */                             \
  void (*scale)(long n, T a, T *x);                    /* x *= a */                               \
  void (*shift)(long n, T a, T *x);                    /* x += a */                               \
  /* dx += out * (dout - s), then dout = 0 (dx may be dout) */                                    \
  void (*softmax_back)(long n, const T *out, T *dout, T *dx, T s);                               \
  /* du += a v and dv += a u in one pass (du may be dv) */                                        \
  void (*axpy2)(long n, T a, const T *u, const T *v, T *du, T *dv);                               \
  /* dx += a dy, returns <x, dy>, in one pass */                                                  \
  T (*axpy_dot)(long n, T a, const T *x, const T *dy, T *dx);                                     \
  /* sum_i exp(x[i] - c); out (NULL, or may be x) receives the terms */                          \
  T (*sumexp)(const T *x, long n, T c, T *out);                                                   \
  /* dx += a exp(x - c) */                                                                        \
  void (*addexp)(long n, T a, const T *x, T c, T *dx);                                            \
  /* sum_i exp(x[i] - c) d[i] */                                                                  \
  T (*expdot)(const T *x, long n, T c, const T *d);                                               \
  /* dout = out * (dx - s) (dout may be dx) */                                                    \
  void (*softmax_fwd)(long n, const T *out, const T *dx, T *dout, T s);

typedef struct {
  CT_KERNEL_OPS(double)
} ct_kernel_ops;
typedef struct {
  CT_KERNEL_OPS(float)
} ct_kernel_opsf;

typedef struct {
  const char *name;
  ct_kernel_ops d;
  ct_kernel_opsf f;
} ct_kernel_isa;

/* Each is NULL where the compiler cannot target that instruction set. */
extern const ct_kernel_isa ct_kernels_scalar, *ct_kernels_avx2, *ct_kernels_avx512;

#endif
