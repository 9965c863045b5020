/* Adjoints of memory copies, called from generated reverse code.
 *
 * memcpy/memmove(dst, src, bytes) copies values; in reverse, the adjoints
 * held in dst's shadow flow back into src's shadow and dst's shadow is
 * cleared (the copied-over values no longer exist). */
#include "runtime.h"

#include <stdint.h>
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

/* One field of a mixed layout: its adjoint is taken from ddst (cleared),
 * then added into dsrc (none when the copied data was constant). */
static void move_field(char *dsrc, char *ddst, size_t at, int f64, int atomic) {
  if (f64) {
    double d, *s = (double *)(void *)(dsrc + at);
    memcpy(&d, ddst + at, sizeof d);
    memset(ddst + at, 0, sizeof d);
    if (!dsrc)
      return;
    if (atomic)
      __atomic_fetch_add(s, d, __ATOMIC_RELAXED);
    else
      *s += d;
  } else {
    float d, *s = (float *)(void *)(dsrc + at);
    memcpy(&d, ddst + at, sizeof d);
    memset(ddst + at, 0, sizeof d);
    if (!dsrc)
      return;
    if (atomic)
      __atomic_fetch_add(s, d, __ATOMIC_RELAXED);
    else
      *s += d;
  }
}

/* Each element's fields in the order that takes every adjoint of an
 * overlapping destination before anything is added into it: from the end
 * when the destination lies below the source. */
static void copy_adjoint_fields(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                                size_t period, int atomic) {
  if (!period || !nfields || !bytes || dsrc == ddst)
    return;
  size_t nelem = (bytes + period - 1) / period;
  int down = dsrc && ddst < dsrc && dsrc < ddst + bytes;
  for (size_t k = 0; k < nelem; ++k) {
    size_t e = down ? nelem - 1 - k : k;
    for (size_t j = 0; j < nfields; ++j) {
      uint32_t f = fields[down ? nfields - 1 - j : j];
      size_t at = e * period + (f >> 1), size = f & 1 ? sizeof(double) : sizeof(float);
      if (at + size <= bytes)
        move_field(dsrc, ddst, at, (int)(f & 1), atomic);
    }
  }
}

void __ct_copy_adjoint_fields(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                              size_t period) {
  copy_adjoint_fields(dsrc, ddst, bytes, fields, nfields, period, 0);
}

void __ct_copy_adjoint_fields_atomic(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                                     size_t period) {
  copy_adjoint_fields(dsrc, ddst, bytes, fields, nfields, period, 1);
}
