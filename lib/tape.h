/*
 * Cotangent runtime: the tape.
 *
 * Generated gradient code stores the values its reverse pass needs on a
 * tape: a LIFO stack of byte blocks.  The forward sweep pushes blocks, the
 * reverse sweep pops them in the opposite order with the same (bytes, align)
 * arguments.  The __ct_* names are called from generated IR, so they must
 * not change.
 *
 * Storage model (what callers may rely on):
 *   - Every block starts at an address aligned to max(align, 16).
 *     align must be 0 (meaning 16) or a power of two <= CT_TAPE_MAX_ALIGN.
 *   - A block of b bytes with align <= 16 occupies ct_tape_slot_bytes(b, align)
 *     = b rounded up to 16 bytes of tape.  Over-aligned blocks (align > 16)
 *     also carry up to align-16 bytes of padding plus a 16-byte trailer that
 *     lets pop find the padding again; ct_tape_slot_bytes() returns that worst
 *     case.  __ct_tape_reserve() and the byte counters are in these units.
 *   - pop returns the address push returned for that block; its pointer
 *     stays valid until the next push.  (For a zero-byte block the address
 *     is only promised to be aligned, not to equal the pushed one.)
 *   - Storage is chunked: a tape never calls malloc per value, and chunks are
 *     kept on pop so push/pop cycles in loops do not thrash the allocator.
 *
 * Threading: a tape must be used by one thread at a time; different tapes
 * can be used concurrently.  The only shared state is the process-wide peak
 * counter, which is atomic.
 *
 * Errors (out of memory, popping an empty tape, bad alignment, a pop that
 * does not match a push where detectable) print "cotangent: ..." on stderr
 * and abort; no function returns NULL.
 */
#ifndef COTANGENT_RT_TAPE_H
#define COTANGENT_RT_TAPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Granularity of every slot; also the minimum alignment of every block. */
#define CT_TAPE_SLOT_ALIGN ((size_t)16)
/* Largest alignment push/pop accept (64 is what vector spills need; larger
 * powers of two work the same way, so allow up to a page). */
#define CT_TAPE_MAX_ALIGN ((size_t)4096)

typedef struct ct_tape ct_tape;

/* Creates an empty tape whose first chunk holds at least reserve_bytes
 * (0 picks a small default).  The tape and its first chunk are one malloc. */
ct_tape *__ct_tape_create(size_t reserve_bytes);

/* Guarantees that the next pushes whose ct_tape_slot_bytes() add up to at
 * most `bytes` do not allocate.  May move to a fresh chunk to do so. */
void __ct_tape_reserve(ct_tape *t, size_t bytes);

/* Internal (push's slow path): moves to an empty chunk of at least `need`
 * bytes. */
void __ct_tape_advance(ct_tape *t, size_t need);

/* Returns storage for `bytes` bytes aligned to max(align, 16). */
void *__ct_tape_push(ct_tape *t, size_t bytes, size_t align);

/* Removes the most recently pushed block, which must have been pushed with
 * the same bytes and align, and returns its address (contents intact). */
void *__ct_tape_pop(ct_tape *t, size_t bytes, size_t align);

/* A position on a tape. A reverse pass that must be able to run again (a
 * pullback applied several times) marks the tape before popping and
 * rewinds to the mark afterwards: pops never overwrite or free data, so the
 * blocks between are live again. Generated code allocates the mark itself
 * (five pointer-sized words). */
typedef struct {
  void *cur, *base, *end, *chunk;
  size_t used;
} ct_tape_mark;
void __ct_tape_mark(const ct_tape *t, ct_tape_mark *m);
void __ct_tape_rewind(ct_tape *t, const ct_tape_mark *m);

/* Tape bytes occupied by live blocks now, and the most ever (slot units). */
size_t __ct_tape_bytes(const ct_tape *t);
size_t __ct_tape_peak_bytes(const ct_tape *t);

/* Frees the tape and its chunks; folds its peak into the process-wide peak.
 * NULL is accepted and ignored. */
void __ct_tape_destroy(ct_tape *t);

/* Process-wide: the largest __ct_tape_peak_bytes() of any tape destroyed
 * since start-up or the last reset (benchmarks reset, run, then read). */
size_t ct_runtime_peak_tape_bytes(void);
void ct_runtime_reset_peak_tape_bytes(void);
/* The same under their public names (cotangent.h). */
size_t ct_tape_peak_bytes(void);
void ct_tape_reset_peak(void);

/* Introspection for tests and benchmarks: chunks currently allocated
 * (including spare chunks kept after pops) and their total capacity. */
size_t __ct_tape_chunk_count(const ct_tape *t);
size_t __ct_tape_capacity_bytes(const ct_tape *t);

/* Worst-case tape footprint of one push(bytes, align); for sizing reserves.
 * Returns SIZE_MAX when the request could never be satisfied. */
static inline size_t ct_tape_slot_bytes(size_t bytes, size_t align) {
  size_t a = align > CT_TAPE_SLOT_ALIGN ? align : CT_TAPE_SLOT_ALIGN;
  size_t extra = a > CT_TAPE_SLOT_ALIGN ? a : 0; /* padding + trailer */
  if (bytes > (size_t)-1 - CT_TAPE_SLOT_ALIGN - extra)
    return (size_t)-1;
  return ((bytes + CT_TAPE_SLOT_ALIGN - 1) & ~(CT_TAPE_SLOT_ALIGN - 1)) +
         extra;
}

#ifdef __cplusplus
}
#endif

#endif /* COTANGENT_RT_TAPE_H */
