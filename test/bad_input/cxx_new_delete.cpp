// C++ scratch buffers from new[] / new (nothrow) freed with delete[] /
// delete, compiled by clang++ with -fno-exceptions: each block gets a
// zeroed shadow like malloc's (operator new is in the allocation table,
// with operator delete as its deallocator), the gradient is analytic.
// Was "call to '_ZdaPv' has no derivative".
// FLAGS: -fno-exceptions
// EXPECT: run
#include "../e2e/check.h"
#include <cmath>
#include <cotangent.h>
#include <new>

struct Pair {
  double a, b;
};

static double energy(const double *x, int n) {
  double *sq = new double[n];
  Pair *p = new (std::nothrow) Pair;
  p->a = p->b = 0;
  for (int i = 0; i < n; ++i) {
    sq[i] = x[i] * x[i];
    p->a += std::sin(x[i]);
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sq[i] * (i + 1) + p->a;
  delete p;
  delete[] sq;
  return s;
}

int main() {
  double x[4] = {0.5, 1.0, 1.5, 2.0}, dx[4] = {0, 0, 0, 0};
  ct_gradient(energy, x, dx, 4);
  for (int i = 0; i < 4; ++i) /* d/dx_i: 2 (i + 1) x_i + n cos x_i */
    CHECK_D(dx[i], 2 * (i + 1) * x[i] + 4 * std::cos(x[i]));
  return check_summary("cxx_new_delete");
}
