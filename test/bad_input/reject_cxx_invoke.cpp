// README rejected row 9 / issue 12 item 4: C++ code that may throw (an invoke:
// std::vector::push_back with a local that has a destructor) crashed clang at
// -O2; a correct tool gives an error at the call that may throw, at every
// level.
// EXPECT: error @push:7 "may throw a C++ exception"
#include <cotangent.h>
#include <vector>

static double f(const double *x, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(x[i] * x[i]); /*@push*/
  double s = 0;
  for (double e : v)
    s += e * e;
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 3); }
