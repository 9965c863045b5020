/* Shadows of heap allocations, called from generated code (pass/heap.c):
 *
 *  - plain blocks (__ct_shadow_calloc), zeroed, and their release at the
 *    end of a reverse pass (__ct_release_shadow). Released blocks go to a
 *    small cache per thread, by size, instead of free(): a recursion that
 *    allocates temporaries at every level (a divide-and-conquer FFT: two
 *    per call, 8,190 per gradient of 4,096 points) gets the same sizes again
 *    at the next gradient, without malloc and free;
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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int memalign_status;

/* The cache of released shadow blocks: per thread, up to CACHE_SIZES
 * distinct sizes, each a LIFO list threaded through the blocks' first
 * bytes, CACHE_BYTES in all (more is freed). A block from the cache is
 * zeroed over its whole usable size, as calloc's are (realloc's shadow
 * copies up to the usable size). Blocks of another thread's allocation may
 * come back here: they are malloc's, whoever frees them. The lists are
 * freed when the thread ends. */
enum { CACHE_SIZES = 24 };
#define CACHE_BYTES ((size_t)16 << 20)
#define CACHE_MIN_BYTES ((size_t)16)
typedef struct cached_block {
  struct cached_block *next;
} cached_block;
typedef struct {
  size_t bytes[CACHE_SIZES];
  cached_block *head[CACHE_SIZES];
  size_t held; /* bytes in all lists */
  int registered; /* its thread-exit destructor is armed */
} shadow_cache;
static _Thread_local shadow_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void cache_drain(void *unused) {
  (void)unused;
  for (int i = 0; i < CACHE_SIZES; ++i)
    while (cache.head[i]) {
      cached_block *b = cache.head[i];
      cache.head[i] = b->next;
      free(b);
    }
  cache.held = 0;
}
static void cache_make_key(void) {
  if (pthread_key_create(&cache_key, cache_drain))
    cache_key = (pthread_key_t)-1;
}
/* The list for `bytes` (a free one when `claim`), or -1. */
static int cache_slot(size_t bytes, int claim) {
  int empty = -1;
  for (int i = 0; i < CACHE_SIZES; ++i) {
    if (cache.bytes[i] == bytes && (cache.head[i] || claim))
      return i;
    if (!cache.head[i] && empty < 0)
      empty = i;
  }
  if (!claim || empty < 0)
    return -1;
  cache.bytes[empty] = bytes;
  return empty;
}
/* Keeps p (a shadow block of `bytes`) for a later __ct_shadow_calloc;
 * returns 0 when the cache is full or cannot be freed at thread exit. */
static int cache_put(void *p, size_t bytes) {
  if (bytes < CACHE_MIN_BYTES || cache.held + bytes > CACHE_BYTES)
    return 0;
  if (!cache.registered) {
    pthread_once(&cache_key_once, cache_make_key);
    if (cache_key == (pthread_key_t)-1 || pthread_setspecific(cache_key, &cache))
      return 0;
    cache.registered = 1;
  }
  int i = cache_slot(bytes, 1);
  if (i < 0)
    return 0;
  cached_block *b = p;
  b->next = cache.head[i];
  cache.head[i] = b;
  cache.held += bytes;
  return 1;
}

void *__ct_shadow_calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes))
    return NULL; /* reported by __ct_check_shadow_alloc */
  int i = bytes >= CACHE_MIN_BYTES ? cache_slot(bytes, 0) : -1;
  if (i < 0)
    return calloc(count, size);
  cached_block *b = cache.head[i];
  cache.head[i] = b->next;
  cache.held -= bytes;
  memset(b, 0, malloc_usable_size(b));
  return b;
}

void __ct_release_shadow(void *p, size_t bytes, int keep) {
  /* kept for another application: clean, as a fresh shadow would be */
  if (!p)
    return; /* the function's allocation failed (the shadow is NULL then too) */
  if (keep)
    memset(p, 0, bytes);
  else if (!cache_put(p, bytes))
    free(p);
}

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
