/*
 * Cotangent runtime: the tape (see tape.h for the contract).
 *
 * Layout: a doubly linked list of chunks.  The tape keeps a bump pointer
 * (cur) into the current chunk, so the common push/pop is a compare, an add
 * and two stores; everything else (changing chunks, over-aligned blocks,
 * errors) lives in out-of-line slow paths.  Chunks after the current one are
 * spares left by earlier pops and are reused before anything is allocated.
 *
 * Invariants that keep the fast path to a single compare:
 *   - chunk data starts CT_CHUNK_ALIGN-aligned and its capacity is a
 *     multiple of CT_CHUNK_ALIGN, and every slot is a multiple of 16 bytes,
 *     so cur, base and end are always 16-aligned.  Then for align <= 16,
 *     "bytes <= end - cur" already implies "round16(bytes) <= end - cur".
 *   - a block never spans chunks, so a pop only ever looks below cur in the
 *     current chunk, or (when the chunk is empty) at the previous chunk's
 *     saved top.
 */
#include "tape.h"

#include "runtime.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define CT_LIKELY(x) __builtin_expect(!!(x), 1)
#define CT_SLOWPATH __attribute__((noinline, cold))
#define CT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CT_LIKELY(x) (x)
#define CT_SLOWPATH
#define CT_PRINTF(f, a)
#endif

/* Chunk data alignment: covers the largest common vector alignment, so
 * blocks with align <= 64 never need padding at the start of a chunk. */
#define CT_CHUNK_ALIGN ((size_t)64)
/* First chunk when create() gets no hint: small, because many gradient
 * calls tape only a few values and create() runs once per call. */
#define CT_FIRST_DEFAULT ((size_t)16 << 10)
/* Later chunks double the total capacity, within these bounds: large
 * enough that long loops touch malloc rarely, capped so a huge tape does
 * not over-allocate by more than 64 MiB. */
#define CT_GROW_MIN ((size_t)4 << 10)
#define CT_GROW_MAX ((size_t)64 << 20)
/* No request this large can succeed; rejecting it up front keeps every size
 * computation below free of overflow. */
#define CT_MAX_REQUEST (SIZE_MAX / 4)

typedef struct ct_chunk {
  struct ct_chunk *prev, *next;
  unsigned char *data; /* CT_CHUNK_ALIGN-aligned */
  unsigned char *top;  /* saved cur while a later chunk is current */
  size_t cap;          /* multiple of CT_CHUNK_ALIGN */
  size_t block;        /* bytes of the allocation (a cached one may be larger) */
} ct_chunk;

/* Separately allocated chunks put their data right after a header padded to
 * CT_CHUNK_ALIGN. */
#define CT_CHUNK_HDR CT_CHUNK_ALIGN
_Static_assert(sizeof(ct_chunk) <= CT_CHUNK_HDR, "chunk header too large");

struct ct_tape {
  /* Hot: every push/pop touches only these (one cache line). */
  unsigned char *cur;  /* next free byte in the current chunk */
  unsigned char *base; /* current chunk's data */
  unsigned char *end;  /* current chunk's data + cap */
  size_t used;         /* slot bytes of live blocks */
  size_t peak;         /* high-water mark of used */
  /* Cold. */
  ct_chunk *chunk;     /* current chunk */
  size_t nchunks;      /* chunks allocated, spares included */
  size_t capacity;     /* sum of their cap */
  ct_chunk first;      /* embedded so create() is a single malloc */
};

/* The first chunk's data follows the tape struct in the same allocation. */
#define CT_TAPE_HDR                                                          \
  ((sizeof(struct ct_tape) + CT_CHUNK_ALIGN - 1) & ~(CT_CHUNK_ALIGN - 1))

/* Largest per-tape peak folded in by __ct_tape_destroy (relaxed atomics: it
 * is a statistic, nothing is ordered by it). */
static atomic_size_t ct_peak_tape_bytes_global;

static inline size_t round_up(size_t n, size_t a) {
  return (n + a - 1) & ~(a - 1);
}

static CT_SLOWPATH _Noreturn void out_of_memory(size_t bytes) {
  /* generated code saturates sizes that overflow (trips x record bytes) */
  if (bytes == SIZE_MAX)
    fprintf(stderr, "cotangent: out of memory growing the tape (a size "
                    "beyond 2^64 bytes)\n");
  else
    fprintf(stderr, "cotangent: out of memory growing the tape (%zu bytes)\n",
            bytes);
  fflush(stderr);
  abort();
}

static CT_SLOWPATH CT_PRINTF(1, 2) _Noreturn void tape_error(const char *fmt,
                                                             ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  __ct_runtime_error(msg);
}

/* Maps the align argument to the effective alignment (>= 16). */
static size_t effective_align(size_t align) {
  if (align <= CT_TAPE_SLOT_ALIGN)
    return CT_TAPE_SLOT_ALIGN; /* every slot is 16-aligned anyway */
  if ((align & (align - 1)) != 0 || align > CT_TAPE_MAX_ALIGN)
    tape_error("invalid tape alignment %zu (need a power of two <= %zu)",
               align, CT_TAPE_MAX_ALIGN);
  return align;
}

/* ---- block cache ----
 * Gradient calls in a loop create and destroy a tape each time; large
 * blocks would go back to the OS (munmap) and fault in again on every call,
 * which costs more than the pushes themselves. Freed blocks are kept in a
 * small process-wide cache (at most CT_CACHE_SLOTS blocks, CT_CACHE_MAX
 * bytes in all) and handed out again by size. A spin lock guards it: it is
 * taken only when a chunk is allocated or freed, never per push. */
#define CT_CACHE_SLOTS 16
#define CT_CACHE_MAX ((size_t)512 << 20)
static struct {
  void *block[CT_CACHE_SLOTS];
  size_t bytes[CT_CACHE_SLOTS];
  size_t total;
} ct_cache;
static atomic_flag ct_cache_lock = ATOMIC_FLAG_INIT;

static void cache_lock(void) {
  while (atomic_flag_test_and_set_explicit(&ct_cache_lock, memory_order_acquire)) {
  }
}
static void cache_unlock(void) { atomic_flag_clear_explicit(&ct_cache_lock, memory_order_release); }

/* ---- small blocks ----
 * A recursive gradient creates a tape per live call (a divide-and-conquer
 * FFT: thousands, most holding a few records) and destroys them all in its
 * reverse pass. Blocks of up to CT_SMALL_BLOCK bytes are all allocated at
 * that size and kept on a stack of their own (up to CT_SMALL_SLOTS, under
 * the cache's lock), so a second gradient call allocates none. */
#define CT_SMALL_BLOCK ((size_t)1024)
#define CT_SMALL_SLOTS 8192
static struct {
  void *block[CT_SMALL_SLOTS];
  unsigned n;
} ct_small;

static void *small_take(void) {
  void *p = NULL;
  cache_lock();
  if (ct_small.n)
    p = ct_small.block[--ct_small.n];
  cache_unlock();
  return p;
}

/* Keeps a small block, or frees it when the stack is full. */
static void small_give(void *p) {
  cache_lock();
  if (ct_small.n < CT_SMALL_SLOTS) {
    ct_small.block[ct_small.n++] = p;
    p = NULL;
  }
  cache_unlock();
  free(p);
}

/* The smallest cached block of at least `bytes` (and not absurdly larger),
 * with its size in *got; NULL if none. */
static void *cache_take(size_t bytes, size_t *got) {
  cache_lock();
  int best = -1;
  for (int i = 0; i < CT_CACHE_SLOTS; ++i)
    if (ct_cache.block[i] && ct_cache.bytes[i] >= bytes && ct_cache.bytes[i] / 4 <= bytes &&
        (best < 0 || ct_cache.bytes[i] < ct_cache.bytes[best]))
      best = i;
  void *p = NULL;
  if (best >= 0) {
    p = ct_cache.block[best];
    *got = ct_cache.bytes[best];
    ct_cache.total -= *got;
    ct_cache.block[best] = NULL;
  }
  cache_unlock();
  return p;
}

/* Keeps a block for reuse. When every slot is taken, the block replaces the
 * smallest cached one if it is larger (small blocks are cheap to allocate
 * again; large ones fault in page by page), else it is freed. */
static void cache_give(void *p, size_t bytes) {
  if (bytes == CT_SMALL_BLOCK) {
    small_give(p);
    return;
  }
  void *to_free = p;
  cache_lock();
  int slot = -1;
  for (int i = 0; i < CT_CACHE_SLOTS; ++i) {
    if (!ct_cache.block[i]) {
      slot = i;
      break;
    }
    if (ct_cache.bytes[i] < bytes && (slot < 0 || ct_cache.bytes[i] < ct_cache.bytes[slot]))
      slot = i;
  }
  size_t replaced = slot >= 0 && ct_cache.block[slot] ? ct_cache.bytes[slot] : 0;
  if (slot >= 0 && ct_cache.total - replaced + bytes <= CT_CACHE_MAX) {
    to_free = ct_cache.block[slot]; /* NULL for an empty slot */
    ct_cache.block[slot] = p;
    ct_cache.bytes[slot] = bytes;
    ct_cache.total += bytes - replaced;
  }
  cache_unlock();
  free(to_free);
}

/* A block of at least `bytes` (a multiple of CT_CHUNK_ALIGN); its actual
 * size goes to *got. */
static void *alloc_aligned(size_t bytes, size_t *got) {
  if (bytes <= CT_SMALL_BLOCK) {
    void *small = small_take();
    if (!small && !(small = aligned_alloc(CT_CHUNK_ALIGN, CT_SMALL_BLOCK)))
      out_of_memory(CT_SMALL_BLOCK);
    *got = CT_SMALL_BLOCK;
    return small;
  }
  void *p = cache_take(bytes, got);
  if (p)
    return p;
  p = aligned_alloc(CT_CHUNK_ALIGN, bytes);
  if (!p)
    out_of_memory(bytes);
  *got = bytes;
  return p;
}

ct_tape *__ct_tape_create(size_t reserve_bytes) {
  if (reserve_bytes > CT_MAX_REQUEST)
    out_of_memory(reserve_bytes);
  size_t cap = reserve_bytes ? round_up(reserve_bytes, CT_CHUNK_ALIGN)
                             : CT_FIRST_DEFAULT;
  size_t got = 0;
  ct_tape *t = alloc_aligned(CT_TAPE_HDR + cap, &got);
  /* a small first chunk takes all of its small block */
  if (got == CT_SMALL_BLOCK)
    cap = (got - CT_TAPE_HDR) & ~(CT_CHUNK_ALIGN - 1);
  memset(t, 0, sizeof *t);
  t->first.block = got;
  t->first.data = (unsigned char *)t + CT_TAPE_HDR;
  t->first.cap = cap;
  t->chunk = &t->first;
  t->nchunks = 1;
  t->capacity = cap;
  t->cur = t->base = t->first.data;
  t->end = t->first.data + cap;
  return t;
}

/* Makes a chunk with at least `need` bytes the (empty) current chunk,
 * reusing the spare after the current chunk when it is big enough.
 * External on purpose: the pass links push's slow path into modules, and
 * chunk allocation must stay in the library, whose block cache is the one
 * __ct_tape_destroy fills (a module-local copy would never get a block
 * back). */
void __ct_tape_advance(ct_tape *t, size_t need) {
  ct_chunk *c = t->chunk;
  c->top = t->cur;
  /* Spares too small for this request would only ever be skipped again;
   * free them so the spare list does not accumulate dead chunks. */
  ct_chunk *n = c->next;
  while (n && n->cap < need) {
    c->next = n->next;
    if (n->next)
      n->next->prev = c;
    t->nchunks--;
    t->capacity -= n->cap;
    cache_give(n, n->block);
    n = c->next;
  }
  if (!n) {
    size_t cap = t->capacity;
    if (cap < CT_GROW_MIN)
      cap = CT_GROW_MIN;
    if (cap > CT_GROW_MAX)
      cap = CT_GROW_MAX;
    if (cap < need)
      cap = need;
    cap = round_up(cap, CT_CHUNK_ALIGN);
    size_t got = 0;
    n = alloc_aligned(CT_CHUNK_HDR + cap, &got);
    n->block = got;
    n->prev = c;
    n->next = NULL;
    n->data = (unsigned char *)n + CT_CHUNK_HDR;
    n->top = n->data;
    n->cap = cap;
    c->next = n;
    t->nchunks++;
    t->capacity += cap;
  }
  t->chunk = n;
  t->cur = t->base = n->data;
  t->end = n->data + n->cap;
}

void __ct_tape_reserve(ct_tape *t, size_t bytes) {
  if (bytes <= (size_t)(t->end - t->cur))
    return;
  if (bytes > CT_MAX_REQUEST)
    out_of_memory(bytes);
  /* Moving to a chunk that holds all of it (rather than topping up the
   * current one) is what makes the guarantee simple: the next pushes fit
   * in one contiguous region. */
  __ct_tape_advance(t, round_up(bytes, CT_TAPE_SLOT_ALIGN));
}

/* Over-aligned blocks (align > 16) are laid out as
 *     [pad][block: round16(bytes)][trailer: 16 bytes holding pad]
 * pad depends on the address, so pop reads it back from the trailer. */
static CT_SLOWPATH void *push_slow(ct_tape *t, size_t bytes, size_t align) {
  size_t a = effective_align(align);
  if (bytes > CT_MAX_REQUEST)
    out_of_memory(bytes);
  size_t n = round_up(bytes, CT_TAPE_SLOT_ALIGN);
  size_t trailer = a > CT_TAPE_SLOT_ALIGN ? CT_TAPE_SLOT_ALIGN : 0;
  size_t pad;
  for (;;) {
    pad = trailer ? (size_t)(-(uintptr_t)t->cur & (a - 1)) : 0;
    if (pad + n + trailer <= (size_t)(t->end - t->cur))
      break;
    /* A fresh chunk starts 64-aligned, so only alignments above that may
     * still need padding there; after advancing the loop exits. */
    __ct_tape_advance(t, n + trailer + (a > CT_CHUNK_ALIGN ? a - CT_CHUNK_ALIGN : 0));
  }
  unsigned char *block = t->cur + pad;
  if (trailer)
    memcpy(block + n, &pad, sizeof pad);
  t->cur = block + n + trailer;
  t->used += pad + n + trailer;
  if (t->used > t->peak)
    t->peak = t->used;
  return block;
}

void *__ct_tape_push(ct_tape *t, size_t bytes, size_t align) {
  unsigned char *p = t->cur;
  if (CT_LIKELY(align <= CT_TAPE_SLOT_ALIGN &&
                bytes <= (size_t)(t->end - p))) {
    size_t n = round_up(bytes, CT_TAPE_SLOT_ALIGN);
    t->cur = p + n;
    t->used += n;
    if (t->used > t->peak)
      t->peak = t->used;
    return p;
  }
  return push_slow(t, bytes, align);
}

static CT_SLOWPATH void *pop_slow(ct_tape *t, size_t bytes, size_t align) {
  size_t a = effective_align(align);
  if (bytes > CT_MAX_REQUEST)
    tape_error("tape pop of %zu bytes does not match any push", bytes);
  size_t n = round_up(bytes, CT_TAPE_SLOT_ALIGN);
  size_t trailer = a > CT_TAPE_SLOT_ALIGN ? CT_TAPE_SLOT_ALIGN : 0;
  /* Empty chunks (left by a push or reserve that moved on) hold nothing;
   * step back to the chunk that holds the most recent block. */
  while (t->cur == t->base) {
    ct_chunk *c = t->chunk;
    if (c == &t->first)
      tape_error("pop of %zu bytes from an empty tape", bytes);
    c = c->prev;
    t->chunk = c;
    t->base = c->data;
    t->end = c->data + c->cap;
    t->cur = c->top;
  }
  size_t have = (size_t)(t->cur - t->base);
  if (have < n + trailer)
    tape_error("tape pop of %zu bytes does not match the last push "
               "(only %zu bytes left in its chunk)",
               bytes, have);
  unsigned char *block = t->cur - trailer - n;
  size_t pad = 0;
  if (trailer) {
    memcpy(&pad, block + n, sizeof pad);
    /* Cheap consistency check: a wrong size/align pairing almost always
     * lands on a trailer that is not a valid padding for this alignment. */
    if (pad >= a || pad > (size_t)(block - t->base) ||
        ((uintptr_t)block & (a - 1)) != 0)
      tape_error("tape pop of %zu bytes (align %zu) does not match the last "
                 "push",
                 bytes, a);
  }
  t->cur = block - pad;
  t->used -= pad + n + trailer;
  return block;
}

void *__ct_tape_pop(ct_tape *t, size_t bytes, size_t align) {
  unsigned char *p = t->cur;
  if (CT_LIKELY(align <= CT_TAPE_SLOT_ALIGN &&
                bytes <= (size_t)(p - t->base))) {
    size_t n = round_up(bytes, CT_TAPE_SLOT_ALIGN);
    p -= n;
    t->cur = p;
    t->used -= n;
    return p;
  }
  return pop_slow(t, bytes, align);
}

size_t __ct_tape_bytes(const ct_tape *t) { return t->used; }

size_t __ct_tape_peak_bytes(const ct_tape *t) { return t->peak; }

size_t __ct_tape_chunk_count(const ct_tape *t) { return t->nchunks; }

size_t __ct_tape_capacity_bytes(const ct_tape *t) { return t->capacity; }

static void fold_global_peak(size_t peak) {
  size_t old = atomic_load_explicit(&ct_peak_tape_bytes_global,
                                    memory_order_relaxed);
  while (old < peak &&
         !atomic_compare_exchange_weak_explicit(&ct_peak_tape_bytes_global,
                                                &old, peak,
                                                memory_order_relaxed,
                                                memory_order_relaxed)) {
  }
}

void __ct_tape_mark(const ct_tape *t, ct_tape_mark *m) {
  m->cur = t->cur;
  m->base = t->base;
  m->end = t->end;
  m->chunk = t->chunk;
  m->used = t->used;
}

void __ct_tape_rewind(ct_tape *t, const ct_tape_mark *m) {
  /* chunks between are kept by pop, with their saved tops, so restoring the
     cursor makes every block pushed before the mark live again */
  t->cur = m->cur;
  t->base = m->base;
  t->end = m->end;
  t->chunk = m->chunk;
  t->used = m->used;
}

void __ct_tape_destroy(ct_tape *t) {
  if (!t)
    return;
  fold_global_peak(t->peak);
  ct_chunk *c = t->first.next;
  while (c) {
    ct_chunk *next = c->next;
    cache_give(c, c->block);
    c = next;
  }
  cache_give(t, t->first.block);
}

size_t ct_runtime_peak_tape_bytes(void) {
  return atomic_load_explicit(&ct_peak_tape_bytes_global,
                              memory_order_relaxed);
}

void ct_runtime_reset_peak_tape_bytes(void) {
  atomic_store_explicit(&ct_peak_tape_bytes_global, 0, memory_order_relaxed);
}

/* The public names (cotangent.h) of the process-wide peak. */
size_t ct_tape_peak_bytes(void) { return ct_runtime_peak_tape_bytes(); }

void ct_tape_reset_peak(void) { ct_runtime_reset_peak_tape_bytes(); }
