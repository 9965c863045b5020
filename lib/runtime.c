/*
 * Cotangent runtime: version and error reporting.
 */
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>

const char *ct_runtime_version(void) { return "0.1.0"; }

_Noreturn void __ct_runtime_error(const char *msg) {
  /* One fprintf call so the line is not interleaved with other threads'
   * output (stdio locks the stream per call). */
  fprintf(stderr, "cotangent: %s\n", msg ? msg : "unknown runtime error");
  fflush(stderr);
  abort();
}

void __ct_check_shadow_alloc(int failed, size_t count, size_t size) {
  if (!failed)
    return;
  char msg[160];
  snprintf(msg, sizeof msg, "out of memory allocating the shadow of %zu x %zu bytes of differentiated memory", count,
           size);
  __ct_runtime_error(msg);
}

void __ct_check_recompute_overlap(int overlap, const char *fn) {
  if (!overlap)
    return;
  char msg[400];
  snprintf(msg, sizeof msg,
           "a recomputed call (CT_CHECKPOINT or ct_recompute) of '%s' got pointer arguments whose memory "
           "overlaps; its reverse pass runs it again on separate copies: call it without ct_recompute",
           fn ? fn : "?");
  __ct_runtime_error(msg);
}
