// A std::span passed to the C operator ct_gradient (not cotangent.hpp's
// ct::gradient): the span arrives in two registers, its data pointer and
// its size. The error names the span and the two ways to pass it (before,
// it said only "is a struct passed by value ... (pass a pointer to it)";
// without the frontend's C++ types the operator says "the shadow of
// parameter 1 must be a pointer, and an integer follows it (a C++
// std::span ...").
// FLAGS: -std=c++20
// EXPECT: error 24:23 "for a std::span, pass the span and its shadow span to ct::gradient of <cotangent.hpp>"
#include <cotangent.h>
#include <span>

static double sum_sq(std::span<const double> x) {
  double s = 0;
  for (double v : x)
    s += v * v;
  return s;
}

int main() {
  double x[3] = {1, 2, 3}, dx[3] = {0};
  std::span<const double> xs(x);
  std::span<double> dxs(dx);
  ct_gradient(sum_sq, xs, dxs);
  return dx[0] == 2 ? 0 : 1;
}
