// A std::vector<double> filled with push_back inside the differentiated
// function: its storage comes from operator new and is freed with the
// sized operator delete, both in the allocation table, so the vector's
// blocks get shadows like malloc's; the gradient is analytic. Was "call to
// 'operator delete(void*, unsigned long)' has no derivative". At -O0 the
// vector's growth is a chain of hundreds of small calls, all inlined into
// the differentiated copy (was: past 64 inlined calls, _S_relocate stayed a
// call whose memmove had no deducible element type).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <vector>

static double weighted_squares(const double *x, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(x[i] * x[i]);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * (i + 1);
  return s;
}

int main() {
  double x[5] = {1, 2, 3, 4, 5}, dx[5] = {0, 0, 0, 0, 0};
  ct_gradient(weighted_squares, x, dx, 5);
  for (int i = 0; i < 5; ++i) /* d/dx_i: 2 (i + 1) x_i */
    CHECK_D(dx[i], 2 * (i + 1) * x[i]);
  return check_summary("cxx_vector_push_back");
}
