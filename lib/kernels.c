/* Runtime kernels: the public entry points (kernels_api.h, instantiated for
 * double and float) and their tangents (kernels_jvp.h), the choice of instruction set, and the OpenMP split.
 * Built into libcotangent_kernels.a, apart from the tape runtime, so
 * programs that call no kernel neither link these objects nor need libomp. */
#include "kernels.h"

#include <cotangent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CHUNK 16384L /* elements per parallel task */
#define COLS 512L    /* columns per task of a transposed product */

static long chunks(long n) { return n <= 0 ? 0 : (n + CHUNK - 1) / CHUNK; }
static long chunk_len(long n, long b) { return n - b * CHUNK < CHUNK ? n - b * CHUNK : CHUNK; }
static long col_blocks(long n) { return n <= 0 ? 0 : (n + COLS - 1) / COLS; }
static long col_len(long n, long b) { return n - b * COLS < COLS ? n - b * COLS : COLS; }
static double fmax_of(double a, double b) { return a > b ? a : b; }

/* ---- the parallel threshold (0: not read yet) ---- */

static long parallel_min_work;

static long initial_parallel_min(void) {
  const char *env = getenv("CT_KERNELS_PARALLEL_MIN");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (*end == 0 && v >= 1)
      return v;
    fprintf(stderr, "cotangent: CT_KERNELS_PARALLEL_MIN=%s is not a positive integer; using %ld\n", env,
            CT_KERNELS_PARALLEL_MIN);
  }
  return CT_KERNELS_PARALLEL_MIN;
}

long ct_kernels_parallel_min(void) {
  long v = __atomic_load_n(&parallel_min_work, __ATOMIC_RELAXED);
  if (!v) { /* racing first calls read the same */
    v = initial_parallel_min();
    __atomic_store_n(&parallel_min_work, v, __ATOMIC_RELAXED);
  }
  return v;
}

void ct_kernels_set_parallel_min(long work) {
  __atomic_store_n(&parallel_min_work, work < 1 ? 1 : work, __ATOMIC_RELAXED);
}

static int parallel(long work) {
#ifdef _OPENMP
  return work >= ct_kernels_parallel_min() && !omp_in_parallel() && omp_get_max_threads() > 1;
#else
  (void)work;
  return 0;
#endif
}

/* ---- instruction set ---- */

static const ct_kernel_isa *isa_if_supported(const char *name) {
  __builtin_cpu_init();
  if (!strcmp(name, "scalar"))
    return &ct_kernels_scalar;
#if defined(__x86_64__)
  if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return ct_kernels_avx2;
  if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return ct_kernels_avx512;
#endif
  return NULL;
}

static const ct_kernel_isa *selected;

static const ct_kernel_isa *initial_isa(void) {
  const char *env = getenv("CT_KERNELS_ISA");
  if (env && *env) {
    const ct_kernel_isa *k = isa_if_supported(env);
    if (k)
      return k;
    fprintf(stderr, "cotangent: CT_KERNELS_ISA=%s is unknown or not supported by this CPU "
                    "(scalar, avx2, avx512); choosing automatically\n", env);
  }
  const ct_kernel_isa *k = isa_if_supported("avx512");
  if (!k)
    k = isa_if_supported("avx2");
  return k ? k : &ct_kernels_scalar;
}

static const ct_kernel_isa *isa(void) {
  const ct_kernel_isa *k = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
  if (!k) { /* racing first calls choose the same */
    k = initial_isa();
    __atomic_store_n(&selected, k, __ATOMIC_RELEASE);
  }
  return k;
}

const char *ct_kernels_isa(void) { return isa()->name; }

int ct_kernels_use_isa(const char *name) {
  const ct_kernel_isa *k = name ? isa_if_supported(name) : NULL;
  if (k)
    __atomic_store_n(&selected, k, __ATOMIC_RELEASE);
  return k != NULL;
}

/* ---- the kernels ---- */

#define KT double
#define KS(name) name
#define KPB(name) name##_pullback
#define KJVP(name) name##_jvp
#define KJPB(name) name##_jvp_pullback
#define KOPS (&isa()->d)
#define KEXP exp
#define KLOG log
#include "kernels_api.h"
#include "kernels_jvp.h"
#undef KT
#undef KS
#undef KPB
#undef KJVP
#undef KJPB
#undef KOPS
#undef KEXP
#undef KLOG

#define KT float
#define KS(name) name##f
#define KPB(name) name##f_pullback
#define KJVP(name) name##f_jvp
#define KJPB(name) name##f_jvp_pullback
#define KOPS (&isa()->f)
#define KEXP expf
#define KLOG logf
#include "kernels_api.h"
#include "kernels_jvp.h"
