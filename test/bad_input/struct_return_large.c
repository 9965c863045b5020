// A helper returning a large struct by value (sret: returned through a
// hidden pointer) of doubles and an int: differentiated through the copy.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

typedef struct { double v[6]; int n; double w; } stats;

static stats summarize(const double *x, int n) {
  stats s = {{0}, n, 0};
  for (int i = 0; i < n; ++i) {
    s.v[i % 6] += x[i] * x[i];
    s.w += sin(x[i]);
  }
  return s;
}

static double f(const double *x, int n) {
  stats s = summarize(x, n);
  double r = s.w * s.n;
  for (int k = 0; k < 6; ++k)
    r += (k + 1) * s.v[k];
  return r;
}

int main(void) {
  double x[8], dx[8] = {0};
  for (int i = 0; i < 8; ++i)
    x[i] = 0.3 * i - 1;
  ct_gradient(f, x, dx, 8);
  for (int i = 0; i < 8; ++i)
    CHECK_AT_D("d/dx_i, i", i, dx[i], 8 * cos(x[i]) + 2 * (i % 6 + 1) * x[i]);
  return check_summary("struct_return_large");
}
