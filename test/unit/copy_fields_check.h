/* Shared by the host and device runtime tests: the adjoint of a copy of
 * structs mixing ints, doubles and floats (__ct_copy_adjoint_fields). The
 * element {int n; double w; float f; int k;} (24 bytes) has the fields
 * w at 8 (double) and f at 16 (float). The copy moves `elems` elements (and
 * `extra` bytes of one more: a part of an element) from element AT to
 * element AT + shift of one buffer, as memmove does; afterwards the
 * source's fields hold their own adjoint plus the destination's taken as
 * a whole, the destination's fields are 0, and no int changed. */
#ifndef COTANGENT_TEST_UNIT_COPY_FIELDS_CHECK_H
#define COTANGENT_TEST_UNIT_COPY_FIELDS_CHECK_H

#include <string.h>

typedef struct {
  int n;
  double w;
  float f;
  int k;
} cf_elem;

typedef void (*cf_helper)(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                          size_t period);

static int check_copy_fields(cf_helper fn, long shift, size_t elems, size_t extra, int constant_source) {
  enum { LEN = 24, AT = 9 };
  static const uint32_t FIELDS[2] = {8u << 1 | 1u, 16u << 1};
  cf_elem buf[LEN], want[LEN], taken[LEN];
  memset(buf, 0, sizeof buf);
  for (int i = 0; i < LEN; ++i) {
    buf[i].n = 1000 + i;
    buf[i].w = 1.0 + i;
    buf[i].f = 0.5f + (float)i;
    buf[i].k = -i;
  }
  memcpy(want, buf, sizeof buf);
  size_t bytes = elems * sizeof(cf_elem) + extra;
  /* the destination's fields inside the copied bytes, taken */
  for (size_t e = 0; e * sizeof(cf_elem) < bytes; ++e) {
    size_t at = e * sizeof(cf_elem);
    cf_elem *d = &want[(long)AT + shift + (long)e];
    taken[e] = *d;
    if (at + 16 <= bytes)
      d->w = 0;
    if (at + 20 <= bytes)
      d->f = 0;
  }
  if (!constant_source)
    for (size_t e = 0; e * sizeof(cf_elem) < bytes; ++e) {
      size_t at = e * sizeof(cf_elem);
      if (at + 16 <= bytes)
        want[AT + e].w += taken[e].w;
      if (at + 20 <= bytes)
        want[AT + e].f += taken[e].f;
    }
  fn(constant_source ? NULL : (char *)&buf[AT], (char *)&buf[(long)AT + shift], bytes, FIELDS, 2, sizeof(cf_elem));
  for (int i = 0; i < LEN; ++i)
    if (buf[i].n != want[i].n || buf[i].w != want[i].w || buf[i].f != want[i].f || buf[i].k != want[i].k)
      return 0;
  return 1;
}

/* every shift from -4 to 4 elements, 0 to 5 elements plus 0, 12, 18 or 23
 * bytes, and a constant source */
static int check_copy_fields_all(cf_helper fn, int overlapping) {
  static const size_t EXTRA[4] = {0, 12, 18, 23};
  for (long shift = -4; shift <= 4; ++shift)
    for (size_t elems = 0; elems <= 5; ++elems)
      for (int x = 0; x < 4; ++x) {
        long span = (long)elems + (EXTRA[x] ? 1 : 0);
        if (!shift || (!overlapping && span > (shift < 0 ? -shift : shift)))
          continue;
        if (!check_copy_fields(fn, shift, elems, EXTRA[x], 0) || !check_copy_fields(fn, shift, elems, EXTRA[x], 1))
          return 0;
      }
  return 1;
}

#endif
