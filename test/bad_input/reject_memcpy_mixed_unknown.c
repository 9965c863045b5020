// A copy of records laid out by hand in untyped memory (16 bytes each: a
// double, a float, then 4 bytes the function never touches): the layout
// has floats and doubles, and bytes 12 to 16 of each record could be
// either (or an int): the derivative they carry from src to dst cannot be
// moved without guessing, so the copy is an error naming those bytes.
// EXPECT: error @copy "copies memory whose element type Cotangent cannot deduce (bytes 12 to 16 of each element are of no known type"
#include <cotangent.h>
#include <string.h>

static double f(const void *src, void *dst, int n) {
  memcpy(dst, src, 16 * (size_t)n); /*@copy*/
  const char *d = dst;
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double a;
    float b;
    memcpy(&a, d + 16 * i, sizeof a);
    memcpy(&b, d + 16 * i + 8, sizeof b);
    s += a * b;
  }
  return s;
}

void use(const double *x, double *dx, double *y, double *dy, int n) { ct_gradient(f, x, dx, y, dy, n); }
