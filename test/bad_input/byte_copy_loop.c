// Doubles copied byte by byte into a local array with a plain loop (a
// hand-written memcpy): LLVM recognizes the loop as a memcpy of the
// doubles, and the gradient is right at every level.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static void copy_bytes(void *dst, const void *src, unsigned long n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  for (unsigned long i = 0; i < n; ++i)
    d[i] = s[i];
}

static double f(const double *x, int n) {
  double tmp[8];
  copy_bytes(tmp, x, n * sizeof(double));
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += tmp[i] * tmp[i] * (i + 1);
  return s;
}

int main(void) {
  double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dx[8] = {0};
  ct_gradient(f, x, dx, 8);
  for (int i = 0; i < 8; ++i)
    CHECK_D(dx[i], 2 * (i + 1) * x[i]);
  return check_summary("byte_copy_loop");
}
