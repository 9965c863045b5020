// std::vector::push_back in differentiated code compiled with exceptions
// on (its calls are invokes with cleanups): it crashed clang at -O2
// (issue 12), then was an error ("may throw a C++ exception"); invokes with
// cleanups are now differentiated along the normal path. A correct tool
// differentiates it.
// XFAIL: rejected: the vector's growth (operator new, relocation helpers that return pointers into the data) is not differentiated yet (issue 16)
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <vector>

static double f(const double *x, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(x[i] * x[i]);
  double s = 0;
  for (double e : v)
    s += e * e;
  return s;
}

int main() {
  double x[3] = {0.5, -1.5, 2.0}, dx[3] = {0, 0, 0};
  ct_gradient(f, x, dx, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 4 * x[i] * x[i] * x[i]);
  return check_summary("cxx_vector_push_back");
}
