// A copy of unions read as a double at the source and as two floats at the
// destination: the same bytes are a double and floats, and which of them
// the copied derivative belongs to cannot be told, so the copy is an error
// (not a guess at one of them).
// EXPECT: error @copy "copies memory whose element type Cotangent cannot deduce (it holds a float and a double at byte 0)"
#include <cotangent.h>
#include <string.h>

typedef union {
  float f[2];
  double d;
} pun;

static double f(const pun *src, pun *dst, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += src[i].d;
  memcpy(dst, src, sizeof(pun) * (size_t)n); /*@copy*/
  for (int i = 0; i < n; ++i)
    s += dst[i].f[0] * dst[i].f[1];
  return s;
}

void use(const pun *x, pun *dx, pun *y, pun *dy, int n) { ct_gradient(f, x, dx, y, dy, n); }
