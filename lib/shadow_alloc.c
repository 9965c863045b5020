/* Shadows of the allocations the pass does not make with a plain calloc,
 * called from generated code (pass/alloc.c, pass/realloc.c):
 *
 *  - aligned blocks (aligned_alloc, memalign, posix_memalign, allocators
 *    whose result is declared aligned): the shadow gets the same alignment;
 *  - posix_memalign inside differentiated code, which the pass rewrites into
 *    a call returning the block (__ct_posix_memalign) and its status;
 *  - realloc: the new block's shadow is a new zeroed block; the old shadow
 *    stays alive for the reverse pass, which adds the adjoints of the moved
 *    elements back into it (__ct_realloc_adjoint) before releasing the new
 *    one.
 *
 * The old block's size is not known to generated code (its pointer may
 * come from memory, e.g. a vector struct's data field): it is the usable
 * size of the heap blocks (malloc_usable_size), which equals the requested
 * size under AddressSanitizer and valgrind and is at most a few bytes more
 * with glibc, where the extra bytes of a shadow made by calloc are zero. */
#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int memalign_status;

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

void *__ct_posix_memalign(size_t align, size_t bytes) {
  void *p = NULL;
  memalign_status = posix_memalign(&p, align, bytes);
  return memalign_status ? NULL : p;
}

int __ct_posix_memalign_status(void) { return memalign_status; }

static void out_of_memory(size_t bytes) {
  char msg[160];
  snprintf(msg, sizeof msg, "out of memory allocating the shadow of %zu bytes of differentiated memory", bytes);
  __ct_runtime_error(msg);
}

void *__ct_shadow_alloc_aligned(size_t align, size_t bytes, const void *primal) {
  size_t a = sizeof(void *);
  while (a < align && a < ((size_t)1 << 20))
    a *= 2; /* a power of two, as posix_memalign wants */
  void *s = NULL;
  if (posix_memalign(&s, a, bytes ? bytes : 1)) {
    if (primal)
      out_of_memory(bytes);
    return NULL;
  }
  memset(s, 0, bytes ? bytes : 1);
  return s;
}

/* The old shadow of a realloc'd block must be heap memory, like its
 * block: the runtime asks malloc how large it is. A caller's stack array
 * given as the shadow would crash there; it stops with a message. */
static void check_heap_shadow(const void *old_shadow) {
  if (old_shadow && __ct_on_thread_stack(old_shadow))
    __ct_runtime_error("realloc in a gradient: the shadow of the block being reallocated is a stack array; give the "
                       "block a shadow allocated with malloc or calloc, as the block itself is");
}

void *__ct_shadow_realloc(const void *old_primal, const void *old_shadow, size_t bytes, int copy) {
  check_heap_shadow(old_shadow);
  void *s = calloc(1, bytes ? bytes : 1);
  if (!s)
    out_of_memory(bytes);
  if (copy && old_primal && old_shadow) {
    size_t k = min_size(min_size(malloc_usable_size((void *)old_primal), malloc_usable_size((void *)old_shadow)),
                        bytes);
    memcpy(s, old_shadow, k);
  }
  return s;
}

void __ct_realloc_adjoint(void *old_shadow, void *new_shadow, size_t bytes, unsigned element) {
  if (!old_shadow || !new_shadow || !element)
    return;
  check_heap_shadow(old_shadow);
  size_t k = min_size(malloc_usable_size(old_shadow), bytes);
  k -= k % element;
  if (element == sizeof(double))
    __ct_copy_adjoint_f64(old_shadow, new_shadow, k);
  else if (element == sizeof(float))
    __ct_copy_adjoint_f32(old_shadow, new_shadow, k);
}
