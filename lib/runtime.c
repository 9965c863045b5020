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
