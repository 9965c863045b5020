// README rejected row 5: memcpy of memory whose element type cannot be
// deduced (a void * buffer of run-time size that is then read as doubles and
// floats) is an error at the memcpy.
// EXPECT: error @copy "copies memory whose element type Cotangent cannot deduce"
#include <cotangent.h>
#include <string.h>

static double f(const void *src, void *dst, unsigned long bytes) {
  memcpy(dst, src, bytes); /*@copy*/
  const double *d = dst;
  const float *g = dst;
  return d[0] * d[0] + g[3];
}

void use(const double *x, double *dx, double *y, double *dy) { ct_gradient(f, x, dx, y, dy, 32ul); }
