// C++ without exceptions on the differentiated path: a function template,
// a lambda, references and a small class with an inline method, compiled
// by clang++ with -fno-exceptions: differentiated like C.
// FLAGS: -fno-exceptions
// EXPECT: run
#include "../e2e/check.h"
#include <cmath>
#include <cotangent.h>

template <typename T> static T poly(const T &x, int k) {
  T r = 1;
  for (int i = 0; i < k; ++i)
    r = r * x + T(i);
  return r;
}

struct scaler {
  double s;
  double apply(double v) const { return s * v * v; }
};

static double f(double x, double y) {
  auto g = [&](double t) { return std::sin(t) * y; };
  scaler sc{2.0};
  return poly(x, 3) + g(x) + sc.apply(y);
}

int main() {
  /* poly(x, 3) = x^3 + x + 2 */
  double dx = 0, dy = 0, x = 0.7, y = -1.2;
  ct_gradient(f, x, &dx, y, &dy);
  CHECK_D(dx, 3 * x * x + 1 + std::cos(x) * y);
  CHECK_D(dy, std::sin(x) + 4 * y);
  return check_summary("cxx_templates");
}
