// A union written as double and read back as double (through an array of
// unions, the member also visible as uint64_t): the value and derivative
// pass through unchanged.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdint.h>

typedef union { double d; uint64_t bits; } slot;

static double f(const double *x, int n) {
  slot buf[8];
  for (int i = 0; i < n; ++i)
    buf[i].d = x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += buf[i].d * (buf[i].bits != 0 ? 1.0 : 2.0);
  return s;
}

int main(void) {
  double x[4] = {0.5, -1, 0, 3}, dx[4] = {0};
  ct_gradient(f, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * x[i] * (x[i] != 0 ? 1.0 : 2.0));
  return check_summary("union_pun_roundtrip");
}
