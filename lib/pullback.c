/* Pullback objects (ct_pullback / ct_value_with_pullback in cotangent.h).
 *
 * The generated code runs the augmented forward pass, stores f's arguments
 * (and shadows) after the header below, and records a "thunk": a generated
 * function that reruns the reverse pass from the stored arguments and tape.
 * Applying rewinds the tape afterwards (keep = 1), so a pullback can be
 * applied any number of times; freeing runs the reverse once more with
 * keep = 0, which releases the tape, callees' tapes and shadow memory.
 *
 * Threads: an application reads the tape from the position the forward
 * left and rewinds it, adds into the shadows of f's pointer arguments and
 * into f's own heap shadows, and zeroes those: two applications of one
 * pullback at once would race on all of it. Each object has a mutex, so
 * applications from several threads take turns (each one is complete and
 * right; an application is linear in its seed, so running them side by
 * side would gain nothing). Different pullbacks run concurrently.
 *
 * The pass turns each call of ct_pullback_apply into one of
 * __ct_pullback_apply_counted, which also gets the number of derivative
 * pointers the call passes (a variadic callee cannot count them): a wrong
 * number stops the program instead of reading garbage.
 *
 * Misuse: every object made here is in a set of live pullbacks (by
 * address), so ct_pullback_apply and ct_pullback_free check a pointer
 * without reading through it: a NULL, freed, or garbage pointer stops the
 * program with a message naming the operator, never a crash. Freed objects
 * stay allocated in a quarantine of the last CT_QUARANTINE frees, so their
 * addresses are not handed out again meanwhile: applying or freeing one of
 * them again is reported as such reliably; after that it is reported as
 * "not a pullback", unless malloc has since placed a new pullback there. */
#include "runtime.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*ct_thunk)(void *self, double seed, void **outs, int keep);

/* Lives right after f's arguments, in the same allocation. */
typedef struct {
  pthread_mutex_t lock; /* held by an application or the free */
  int freed;            /* set by ct_pullback_free */
} ct_pullback_ctl;

struct ct_pullback_impl {
  ct_thunk thunk;
  void *tape;
  uint32_t nouts;
  uint32_t reserved0;
  ct_pullback_ctl *ctl;
  /* f's arguments follow at CT_PULLBACK_ARGS_OFFSET, laid out by the pass */
};

_Static_assert(sizeof(struct ct_pullback_impl) == CT_PULLBACK_ARGS_OFFSET, "pullback header size");

/* ---- the live set: open addressing on the address, linear probing ---- */
enum { CT_QUARANTINE = 256 };
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ct_pullback_impl **live;
static size_t live_cap, live_count;
static struct ct_pullback_impl *quarantine[CT_QUARANTINE];
static size_t quarantine_next;

static size_t live_slot(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 20) & (cap - 1);
}

/* Index of p in the live set, or live_cap when absent. */
static size_t live_find(const void *p) {
  if (!live_cap)
    return 0;
  for (size_t i = live_slot(p, live_cap); live[i]; i = (i + 1) & (live_cap - 1))
    if (live[i] == p)
      return i;
  return live_cap;
}

static void live_insert(struct ct_pullback_impl *p) {
  if (2 * (live_count + 1) > live_cap) {
    size_t ncap = live_cap ? 2 * live_cap : 64;
    struct ct_pullback_impl **n = calloc(ncap, sizeof *n);
    if (!n) {
      pthread_mutex_unlock(&registry_lock);
      __ct_runtime_error("out of memory creating a pullback");
    }
    for (size_t i = 0; i < live_cap; ++i)
      if (live[i]) {
        size_t j = live_slot(live[i], ncap);
        while (n[j])
          j = (j + 1) & (ncap - 1);
        n[j] = live[i];
      }
    free(live);
    live = n;
    live_cap = ncap;
  }
  size_t i = live_slot(p, live_cap);
  while (live[i])
    i = (i + 1) & (live_cap - 1);
  live[i] = p;
  live_count++;
}

/* Removes slot i, moving later entries of its probe run back (no
 * tombstones). */
static void live_remove(size_t i) {
  size_t mask = live_cap - 1;
  live[i] = NULL;
  live_count--;
  for (size_t j = (i + 1) & mask; live[j]; j = (j + 1) & mask) {
    size_t home = live_slot(live[j], live_cap);
    /* live[j] may move to the hole at i when i lies on its probe path */
    if (((j - home) & mask) >= ((j - i) & mask)) {
      live[i] = live[j];
      live[j] = NULL;
      i = j;
    }
  }
}

static int in_quarantine(const void *p) {
  for (size_t i = 0; i < CT_QUARANTINE; ++i)
    if (quarantine[i] == p)
      return 1;
  return 0;
}

/* Stops the program: pb is not a live pullback (called with the lock). */
static _Noreturn void not_live(const char *op, const void *pb) {
  int freed = in_quarantine(pb);
  pthread_mutex_unlock(&registry_lock);
  char msg[256];
  if (freed)
    snprintf(msg, sizeof msg, "%s: the pullback %p was already freed by ct_pullback_free%s", op, pb,
             strcmp(op, "ct_pullback_free") ? "" : " (double free)");
  else
    snprintf(msg, sizeof msg,
             "%s: %p is not a pullback (made by ct_pullback or ct_value_with_pullback), or one freed long ago", op,
             pb);
  __ct_runtime_error(msg);
}

void *__ct_pullback_new(void *thunk, void *tape, uint32_t nouts, size_t args_bytes) {
  size_t ctl_at = (CT_PULLBACK_ARGS_OFFSET + args_bytes + 15) & ~(size_t)15;
  size_t bytes = (ctl_at + sizeof(ct_pullback_ctl) + 15) & ~(size_t)15;
  struct ct_pullback_impl *pb = aligned_alloc(16, bytes);
  if (!pb)
    __ct_runtime_error("out of memory creating a pullback");
  memset(pb, 0, CT_PULLBACK_ARGS_OFFSET);
  pb->thunk = (ct_thunk)thunk;
  pb->tape = tape;
  pb->nouts = nouts;
  pb->ctl = (ct_pullback_ctl *)((unsigned char *)pb + ctl_at);
  pthread_mutex_init(&pb->ctl->lock, NULL);
  pb->ctl->freed = 0;
  pthread_mutex_lock(&registry_lock);
  live_insert(pb);
  pthread_mutex_unlock(&registry_lock);
  return pb;
}

/* Stops the program unless pb is a live pullback. */
static void check_live(const char *op, struct ct_pullback_impl *pb) {
  if (!pb) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: the pullback is NULL", op);
    __ct_runtime_error(msg);
  }
  pthread_mutex_lock(&registry_lock);
  if (live_find(pb) == live_cap)
    not_live(op, pb);
  pthread_mutex_unlock(&registry_lock);
}

/* Applies pb with the derivative pointers in ap (`given` of them, or as
 * many as pb takes when unknown: -1). */
static void apply(struct ct_pullback_impl *pb, double seed, long given, va_list ap) {
  check_live("ct_pullback_apply", pb);
  uint32_t nouts = pb->nouts & ~CT_PULLBACK_VJP;
  if (given >= 0 && (uint32_t)given != pb->nouts) {
    char msg[300];
    if (((uint32_t)given ^ pb->nouts) & CT_PULLBACK_VJP)
      snprintf(msg, sizeof msg,
               "ct_pullback_apply: the pullback %s", pb->nouts & CT_PULLBACK_VJP
               ? "is of a function that returns nothing: it takes no seed, only one pointer per argument not "
                 "constant (the shadows holding the outputs' seeds, and where derivatives go)"
               : "is of a function with a floating-point result: it takes the result's seed first, then the "
                 "derivative pointers");
    else
      snprintf(msg, sizeof msg,
               "ct_pullback_apply: the pullback takes %u %s, given %u", nouts,
               pb->nouts & CT_PULLBACK_VJP ? "pointer(s) (one per argument of its function not constant)"
                                           : "derivative pointer(s) (one per floating-point argument of its function)",
               (uint32_t)given & ~CT_PULLBACK_VJP);
    __ct_runtime_error(msg);
  }
  void *outs[CT_PULLBACK_MAX_OUTS];
  for (uint32_t i = 0; i < nouts && i < CT_PULLBACK_MAX_OUTS; ++i)
    outs[i] = va_arg(ap, void *);
  for (uint32_t i = 0; i < nouts && i < CT_PULLBACK_MAX_OUTS; ++i)
    if (!outs[i]) {
      char msg[160];
      snprintf(msg, sizeof msg, "ct_pullback_apply: %s %u (of %u) is NULL",
               pb->nouts & CT_PULLBACK_VJP ? "pointer" : "derivative pointer", i + 1, nouts);
      __ct_runtime_error(msg);
    }
  pthread_mutex_lock(&pb->ctl->lock);
  if (pb->ctl->freed) { /* freed by another thread while this one waited */
    pthread_mutex_unlock(&pb->ctl->lock);
    char msg[160];
    snprintf(msg, sizeof msg, "ct_pullback_apply: the pullback %p was freed by another thread meanwhile", (void *)pb);
    __ct_runtime_error(msg);
  }
  pb->thunk(pb, seed, outs, 1);
  pthread_mutex_unlock(&pb->ctl->lock);
}

void ct_pullback_apply(struct ct_pullback_impl *pb, double seed, ...) {
  va_list ap;
  va_start(ap, seed);
  apply(pb, seed, -1, ap);
  va_end(ap);
}

void __ct_pullback_apply_counted(struct ct_pullback_impl *pb, double seed, uint32_t given, ...) {
  va_list ap;
  va_start(ap, given);
  apply(pb, seed, given, ap);
  va_end(ap);
}

void ct_pullback_free(struct ct_pullback_impl *pb) {
  if (!pb)
    return; /* like free(NULL) */
  pthread_mutex_lock(&registry_lock);
  size_t at = live_find(pb);
  if (at == live_cap)
    not_live("ct_pullback_free", pb);
  live_remove(at);
  struct ct_pullback_impl *evicted = quarantine[quarantine_next];
  quarantine[quarantine_next] = pb;
  quarantine_next = (quarantine_next + 1) % CT_QUARANTINE;
  pthread_mutex_unlock(&registry_lock);
  pthread_mutex_lock(&pb->ctl->lock);
  pb->thunk(pb, 0.0, NULL, 0);
  pb->tape = NULL;
  pb->ctl->freed = 1;
  pthread_mutex_unlock(&pb->ctl->lock);
  if (evicted) {
    pthread_mutex_destroy(&evicted->ctl->lock);
    free(evicted);
  }
}

