/* The kernel building blocks for each instruction set: kernels_simd.h
 * instantiated for double and float, as scalar code for any x86-64 (or any
 * target), and as AVX2 and AVX-512 code (target attributes, so this file
 * needs no special compiler flags; kernels.c picks an instance by CPU). */
#include "kernels.h"

#define CT_OPS_OF(isa, T)                                                                         \
  {                                                                                               \
    isa##_##T##_dot, isa##_##T##_sum, isa##_##T##_max, isa##_##T##_axpy, isa##_##T##_scale,       \
        isa##_##T##_shift, isa##_##T##_softmax_back, isa##_##T##_axpy2, isa##_##T##_axpy_dot,         \
        isa##_##T##_sumexp, isa##_##T##_addexp, isa##_##T##_expdot, isa##_##T##_softmax_fwd             \
  }

/* Scalar: one-element vectors, i.e. baseline code for the target (on
 * x86-64 the compiler may still use SSE2 for it). */
#define KT double
#define KI long long
#define KBYTES 8
#define KN(name) scalar_double_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
#define KT float
#define KI int
#define KBYTES 4
#define KN(name) scalar_float_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
const ct_kernel_isa ct_kernels_scalar = {"scalar", CT_OPS_OF(scalar, double), CT_OPS_OF(scalar, float)};

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define KT double
#define KI long long
#define KBYTES 32
#define KN(name) avx2_double_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
#define KT float
#define KI int
#define KBYTES 32
#define KN(name) avx2_float_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
#pragma clang attribute pop
static const ct_kernel_isa avx2 = {"avx2", CT_OPS_OF(avx2, double), CT_OPS_OF(avx2, float)};
const ct_kernel_isa *ct_kernels_avx2 = &avx2;

#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx2,fma"), min_vector_width(512))), \
                             apply_to = function)
#define KT double
#define KI long long
#define KBYTES 64
#define KN(name) avx512_double_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
#define KT float
#define KI int
#define KBYTES 64
#define KN(name) avx512_float_##name
#include "kernels_simd.h"
#undef KT
#undef KI
#undef KBYTES
#undef KN
#pragma clang attribute pop
static const ct_kernel_isa avx512 = {"avx512", CT_OPS_OF(avx512, double), CT_OPS_OF(avx512, float)};
const ct_kernel_isa *ct_kernels_avx512 = &avx512;
#else
const ct_kernel_isa *ct_kernels_avx2 = 0, *ct_kernels_avx512 = 0;
#endif
