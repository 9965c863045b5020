/* Differentials (ct_value_with_differential in cotangent.h): a record of
 * the primal values a function's tangent code needs, written once by the
 * record run and read back, in the same order, by each apply run
 * (pass/differential.c generates both).
 *
 * The record is one growable buffer of 8-byte-aligned slots; applying
 * rewinds its read position, so a differential can be applied any number
 * of times. The pass turns ct_differential_apply(d, ...) into
 * __ct_differential_apply_counted(d, n, ...) with the number of tangents
 * given (a variadic callee cannot count them): a wrong number stops the
 * program instead of reading garbage. One thread at a time per
 * differential (applying moves its read position). */
#include "runtime.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef double (*ct_apply_fn)(void *d, uint64_t *slots);

struct ct_differential {
  ct_apply_fn apply; /* <f>.ct_diff_apply(d, slots) */
  const char *kinds; /* per tangent: 'd' a floating-point value, 'p' a tangent array */
  unsigned char *nonnull; /* per tangent: its array was not NULL at the recorded point */
  unsigned char *buf;
  size_t len, cap, pos;
};
typedef struct ct_differential ct_differential;

enum { SLOT = 8 }; /* the generated loads and stores say align 8 */

static size_t slot_bytes(size_t bytes) { return (bytes + SLOT - 1) / SLOT * SLOT; }

ct_differential *__ct_differential_new(void *apply, const char *kinds);
void __ct_differential_pointer(ct_differential *d, int i, const void *p);
void *__ct_record_push(ct_differential *d, size_t bytes);
void *__ct_record_next(ct_differential *d, size_t bytes);
double __ct_differential_apply_counted(ct_differential *d, int n, ...);
void ct_differential_free(ct_differential *d);

ct_differential *__ct_differential_new(void *apply, const char *kinds) {
  ct_differential *d = calloc(1, sizeof *d);
  if (!d)
    __ct_runtime_error("out of memory creating a differential");
  d->apply = (ct_apply_fn)apply;
  d->kinds = kinds;
  d->nonnull = calloc(strlen(kinds) + 1, 1);
  if (!d->nonnull)
    __ct_runtime_error("out of memory creating a differential");
  return d;
}

/* Tangent i belongs to the array p of the recorded call: a NULL tangent
 * array is an error where p was not NULL. */
void __ct_differential_pointer(ct_differential *d, int i, const void *p) { d->nonnull[i] = p != NULL; }

/* push's slow path: a buffer with room for `need` more bytes */
static __attribute__((noinline, cold)) void record_grow(ct_differential *d, size_t need) {
  size_t cap = d->cap ? d->cap : 256;
  while (cap - d->len < need) {
    if (cap > SIZE_MAX / 2)
      __ct_runtime_error("out of memory recording a differential");
    cap *= 2;
  }
  void *nb = aligned_alloc(16, cap);
  if (!nb)
    __ct_runtime_error("out of memory recording a differential");
  if (d->len)
    memcpy(nb, d->buf, d->len);
  free(d->buf);
  d->buf = nb;
  d->cap = cap;
}

/* push and next are linked into the module as IR and inlined
 * (pass/runtime_link.c): a few instructions per recorded value */
void *__ct_record_push(ct_differential *d, size_t bytes) {
  size_t need = slot_bytes(bytes);
  if (__builtin_expect(d->cap - d->len < need, 0))
    record_grow(d, need);
  void *p = d->buf + d->len;
  d->len += need;
  return p;
}

static __attribute__((noinline, cold, noreturn)) void record_ends_early(void) {
  __ct_runtime_error("ct_differential_apply: the record ends early (internal error; please report)");
}

void *__ct_record_next(ct_differential *d, size_t bytes) {
  size_t need = slot_bytes(bytes);
  if (__builtin_expect(d->len - d->pos < need, 0))
    record_ends_early();
  void *p = d->buf + d->pos;
  d->pos += need;
  return p;
}

double __ct_differential_apply_counted(ct_differential *d, int n, ...) {
  if (!d)
    __ct_runtime_error("ct_differential_apply: the differential is NULL");
  int want = (int)strlen(d->kinds);
  if (n != want) {
    char msg[160];
    snprintf(msg, sizeof msg, "ct_differential_apply: %d tangents given, the differential takes %d (one per "
             "floating-point argument and per array not in ct_const)", n, want);
    __ct_runtime_error(msg);
  }
  uint64_t small[16], *slots = want <= 16 ? small : malloc(want * sizeof *slots);
  if (!slots)
    __ct_runtime_error("out of memory applying a differential");
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < want; ++i) {
    if (d->kinds[i] == 'd') {
      double v = va_arg(ap, double);
      memcpy(&slots[i], &v, sizeof v);
    } else {
      void *p = va_arg(ap, void *);
      if (!p && d->nonnull[i]) {
        char msg[160];
        snprintf(msg, sizeof msg, "ct_differential_apply: tangent array %d (of %d) is NULL (its array was not)", i + 1,
                 want);
        __ct_runtime_error(msg);
      }
      memcpy(&slots[i], &p, sizeof p);
    }
  }
  va_end(ap);
  d->pos = 0;
  double r = d->apply(d, slots);
  if (d->pos != d->len)
    __ct_runtime_error("ct_differential_apply: the record was not read to its end (internal error; please report)");
  if (slots != small)
    free(slots);
  return r;
}

void ct_differential_free(ct_differential *d) {
  if (!d)
    return;
  free(d->buf);
  free(d->nonnull);
  free(d);
}
