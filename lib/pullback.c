/* Pullback objects (ct_pullback / ct_value_with_pullback in cotangent.h).
 *
 * The generated code runs the augmented forward pass, stores f's arguments
 * (and shadows) after the header below, and records a "thunk": a generated
 * function that reruns the reverse pass from the stored arguments and tape.
 * Applying rewinds the tape afterwards (keep = 1), so a pullback can be
 * applied any number of times; freeing runs the reverse once more with
 * keep = 0, which releases the tape, callees' tapes and shadow memory. */
#include "runtime.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*ct_thunk)(void *self, double seed, void **outs, int keep);

struct ct_pullback_impl {
  ct_thunk thunk;
  void *tape;
  uint32_t nouts;
  uint32_t reserved0;
  void *reserved1;
  /* f's arguments follow at CT_PULLBACK_ARGS_OFFSET, laid out by the pass */
};

_Static_assert(sizeof(struct ct_pullback_impl) == CT_PULLBACK_ARGS_OFFSET, "pullback header size");

void *__ct_pullback_new(void *thunk, void *tape, uint32_t nouts, size_t args_bytes) {
  size_t bytes = (CT_PULLBACK_ARGS_OFFSET + args_bytes + 15) & ~(size_t)15;
  struct ct_pullback_impl *pb = aligned_alloc(16, bytes);
  if (!pb)
    __ct_runtime_error("out of memory creating a pullback");
  memset(pb, 0, CT_PULLBACK_ARGS_OFFSET);
  pb->thunk = (ct_thunk)thunk;
  pb->tape = tape;
  pb->nouts = nouts;
  return pb;
}

void ct_pullback_apply(struct ct_pullback_impl *pb, double seed, ...) {
  if (!pb)
    __ct_runtime_error("ct_pullback_apply on a NULL pullback");
  void *outs[CT_PULLBACK_MAX_OUTS];
  va_list ap;
  va_start(ap, seed);
  for (uint32_t i = 0; i < pb->nouts && i < CT_PULLBACK_MAX_OUTS; ++i)
    outs[i] = va_arg(ap, void *);
  va_end(ap);
  pb->thunk(pb, seed, outs, 1);
}

void ct_pullback_free(struct ct_pullback_impl *pb) {
  if (!pb)
    return;
  pb->thunk(pb, 0.0, NULL, 0);
  free(pb);
}

void __ct_release_shadow(void *p, size_t bytes, int keep) {
  /* kept for another application: clean, as a fresh shadow would be */
  if (keep)
    memset(p, 0, bytes);
  else
    free(p);
}
