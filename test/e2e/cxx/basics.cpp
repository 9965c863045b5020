// C++ as people write it, through cotangent-c++ (which links libstdc++):
// a function template in a namespace over std::vector / std::array data,
// a static member function, an overloaded function picked by a cast, a
// const reference parameter (a pointer with a shadow), and a
// std::vector<double> passed by reference with a shadow vector.
// Analytic checks at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.h>

#include <array>
#include <cmath>
#include <vector>

namespace model {
template <typename T> T energy(const T *x, int n) {
  T s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    T d = x[i + 1] - x[i];
    s += d * d * std::exp(-x[i]);
  }
  return s;
}
struct Spring {
  static double potential(double k, double x) { return 0.5 * k * x * x; }
};
} // namespace model

static double overloaded(double x) { return x * x * x; }
[[maybe_unused]] static float overloaded(float x) { return x * x; }
static double by_ref(const double &a, double b) { return a * std::sin(b); }
static double sum_squares(const std::vector<double> &v) {
  double s = 0;
  for (double e : v)
    s += e * e;
  return s;
}

template <typename T> static T energy_grad(const std::vector<T> &x, int i) {
  int n = (int)x.size();
  T want = 0;
  if (i + 1 < n) {
    T d = x[i + 1] - x[i];
    want += -2 * d * std::exp(-x[i]) - d * d * std::exp(-x[i]);
  }
  if (i > 0) {
    T d = x[i] - x[i - 1];
    want += 2 * d * std::exp(-x[i - 1]);
  }
  return want;
}

int main() {
  std::vector<double> x = {0.3, -0.2, 0.9, 1.4}, dx(4, 0.0);
  ct_gradient(model::energy<double>, x.data(), dx.data(), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], energy_grad(x, i));

  std::array<float, 3> xf = {0.5f, 1.0f, -1.5f}, dxf = {0, 0, 0};
  ct_gradient(model::energy<float>, xf.data(), dxf.data(), 3);
  std::vector<float> xv(xf.begin(), xf.end());
  for (int i = 0; i < 3; ++i)
    CHECK_F(dxf[i], energy_grad(xv, i));

  double dk = 0, dxs = 0;
  ct_gradient(model::Spring::potential, 2.0, &dk, 0.5, &dxs);
  CHECK_D(dk, 0.125);
  CHECK_D(dxs, 1.0);

  double d3 = 0;
  ct_gradient(static_cast<double (*)(double)>(overloaded), 2.0, &d3);
  CHECK_D(d3, 12.0);

  double a = 1.5, da = 0, db = 0;
  ct_gradient(by_ref, &a, &da, 0.7, &db);
  CHECK_D(da, std::sin(0.7));
  CHECK_D(db, 1.5 * std::cos(0.7));

  std::vector<double> v = {1, -2, 3}, dv(3, 0.0);
  ct_gradient(sum_squares, &v, &dv);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dv[i], 2 * v[i]);
  return check_summary("cxx/basics");
}
