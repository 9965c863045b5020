/* Adjoints of memory copies, called from generated reverse code.
 *
 * memcpy/memmove(dst, src, bytes) copies values; in reverse, the adjoints
 * held in dst's shadow flow back into src's shadow and dst's shadow is
 * cleared (the copied-over values no longer exist). */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

#define DEFINE_COPY_ADJOINT(NAME, T)                                                              \
  void NAME(T *dsrc, T *ddst, size_t bytes) {                                                     \
    size_t n = bytes / sizeof(T);                                                                 \
    if (!n || dsrc == ddst)                                                                       \
      return;                                                                                     \
    int overlap = (char *)dsrc < (char *)(ddst + n) && (char *)ddst < (char *)(dsrc + n);         \
    if (!overlap) {                                                                               \
      for (size_t i = 0; i < n; ++i) {                                                            \
        dsrc[i] += ddst[i];                                                                       \
        ddst[i] = 0;                                                                              \
      }                                                                                           \
      return;                                                                                     \
    }                                                                                             \
    /* memmove: take all of dst's adjoint first, then add it into src */                         \
    T *tmp = malloc(n * sizeof(T));                                                               \
    if (!tmp)                                                                                     \
      __ct_runtime_error("out of memory in the adjoint of memmove");                              \
    memcpy(tmp, ddst, n * sizeof(T));                                                             \
    memset(ddst, 0, n * sizeof(T));                                                               \
    for (size_t i = 0; i < n; ++i)                                                                \
      dsrc[i] += tmp[i];                                                                          \
    free(tmp);                                                                                    \
  }

DEFINE_COPY_ADJOINT(__ct_copy_adjoint_f64, double)
DEFINE_COPY_ADJOINT(__ct_copy_adjoint_f32, float)

/* dst's adjoint is this thread's (a private copy); src's is shared. The
 * whole of dst's adjoint is taken first, so overlap does not matter. */
#define DEFINE_COPY_ADJOINT_ATOMIC(NAME, T)                                                       \
  void NAME(T *dsrc, T *ddst, size_t bytes) {                                                     \
    size_t n = bytes / sizeof(T);                                                                 \
    if (!n || dsrc == ddst)                                                                       \
      return;                                                                                     \
    T *tmp = malloc(n * sizeof(T));                                                               \
    if (!tmp)                                                                                     \
      __ct_runtime_error("out of memory in the adjoint of memcpy");                               \
    for (size_t i = 0; i < n; ++i) {                                                              \
      tmp[i] = ddst[i];                                                                           \
      ddst[i] = 0;                                                                                \
    }                                                                                             \
    for (size_t i = 0; i < n; ++i)                                                                \
      __atomic_fetch_add(&dsrc[i], tmp[i], __ATOMIC_RELAXED);                                     \
    free(tmp);                                                                                    \
  }

DEFINE_COPY_ADJOINT_ATOMIC(__ct_copy_adjoint_atomic_f64, double)
DEFINE_COPY_ADJOINT_ATOMIC(__ct_copy_adjoint_atomic_f32, float)
