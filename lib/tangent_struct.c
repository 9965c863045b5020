/* Zero tangents and moving a value along a tangent, for structs of
 * parameters (Swift's zeroTangentVector and move(by:)):
 *   CT_TANGENT_ZERO(&dp)            every differentiable field of dp = 0
 *   CT_TANGENT_MOVE(&p, &dp, -lr)   p.field += -lr * dp.field, field by field
 * C cannot enumerate a struct's fields, so the frontend plugin replaces the
 * macros' last argument with the layout of the pointed-to type
 * (pass/frontend_tangents.cpp): entries "<k><offset>*<count>;" with k = f
 * (float), d (double) or l (long double), one per run of contiguous
 * floating-point values, integer and pointer fields and CT_NO_DERIVATIVE
 * fields left out. Without the plugin the layout is NULL: a run-time error. */
#include "runtime.h"

#include <cotangent.h>

#include <stdlib.h>

/* The next entry of a layout, or NULL at its end. */
static const char *next_entry(const char *p, char *kind, size_t *offset, size_t *count) {
  if (!*p)
    return NULL;
  char *end;
  *kind = *p++;
  *offset = (size_t)strtoull(p, &end, 10);
  *count = *end == '*' ? (size_t)strtoull(end + 1, &end, 10) : 1;
  return *end == ';' ? end + 1 : end;
}

static void need_layout(const char *layout, const char *macro) {
  if (!layout)
    __ct_runtime_error(macro[0] == 'Z'
                           ? "CT_TANGENT_ZERO needs Cotangent's frontend plugin (compile with cotangent-cc) to know "
                             "the struct's fields"
                           : "CT_TANGENT_MOVE needs Cotangent's frontend plugin (compile with cotangent-cc) to know "
                             "the struct's fields");
}

void __ct_tangent_zero(void *tangent, const char *layout) {
  need_layout(layout, "Z");
  char k;
  size_t off, n;
  char *base = tangent;
  for (const char *p = layout; (p = next_entry(p, &k, &off, &n));)
    for (size_t i = 0; i < n; ++i) {
      if (k == 'f')
        ((float *)(base + off))[i] = 0.0f;
      else if (k == 'd')
        ((double *)(base + off))[i] = 0.0;
      else
        ((long double *)(base + off))[i] = 0.0L;
    }
}

void __ct_tangent_move(void *value, const void *tangent, double scale, const char *layout) {
  need_layout(layout, "M");
  char k;
  size_t off, n;
  char *x = value;
  const char *t = tangent;
  for (const char *p = layout; (p = next_entry(p, &k, &off, &n));)
    for (size_t i = 0; i < n; ++i) {
      if (k == 'f')
        ((float *)(x + off))[i] += (float)(scale * ((const float *)(t + off))[i]);
      else if (k == 'd')
        ((double *)(x + off))[i] += scale * ((const double *)(t + off))[i];
      else
        ((long double *)(x + off))[i] += (long double)scale * ((const long double *)(t + off))[i];
    }
}
