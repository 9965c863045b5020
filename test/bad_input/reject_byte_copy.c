// README rejected row 4: two doubles swapped byte by byte through unsigned
// char moves differentiable data as raw bytes; the derivatives would be
// lost or swapped. A correct tool rejects it at every level. At -O0 (no TBAA
// types on the accesses) the gradient used to be silently wrong (d/dx =
// {1, 2} instead of {2, 1}): single-byte accesses are now rejected there too.
// EXPECT: error @load:23 "moves differentiable floating-point data as raw bytes"
#include <cotangent.h>
#include <stddef.h>

static void swap_bytes(void *a, void *b, size_t sz) {
  unsigned char *p = a, *q = b;
  for (size_t k = 0; k < sz; ++k) {
    unsigned char t = p[k]; /*@load*/
    p[k] = q[k];
    q[k] = t;
  }
}

static double f(double *x) {
  swap_bytes(&x[0], &x[1], sizeof(double));
  return x[0] + 2.0 * x[1];
}

void use(double *x, double *dx) { ct_gradient(f, x, dx); }
