// Library code that carries no derivative, on the differentiated path:
// parameters looked up by name in a std::unordered_map<std::string, int>
// (string hashing, bcmp, basic_string::size), std::sort of integer indices
// in a std::vector<int>, iostream output. Recognised as inactive (no error,
// no warning); the gradient flows through the double arithmetic around it.
// Analytic checks at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

struct Params {
  std::unordered_map<std::string, int> index;
};

static double by_name(const double *w, const Params *p) {
  double a = w[p->index.at("alpha")], b = w[p->index.at("beta")];
  return a * a * b;
}

static double sorted_weights(const double *x, int n) {
  std::vector<int> idx;
  for (int i = n - 1; i >= 0; --i)
    idx.push_back(i);
  std::sort(idx.begin(), idx.end());
  double s = 0;
  for (int i : idx)
    s += x[i] * x[i] * (i + 1);
  return s;
}

static double logged(const double *x) {
  std::cerr << "cxx/inactive_library: evaluating at " << x[0] << ", " << x[1] << "\n";
  return x[0] * x[1];
}

int main() {
  Params p;
  p.index["alpha"] = 0;
  p.index["beta"] = 1;
  double w[2] = {1.5, 2.0}, dw[2] = {0, 0};
  ct::gradient(by_name, w, dw, ct_const(&p));
  CHECK_D(dw[0], 2 * 1.5 * 2.0);
  CHECK_D(dw[1], 1.5 * 1.5);

  double x[3] = {1, 2, 3}, dx[3] = {0, 0, 0};
  ct::gradient(sorted_weights, x, dx, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 2 * x[i] * (i + 1));

  double dz[2] = {0, 0};
  ct::gradient(logged, w, dz);
  CHECK_D(dz[0], 2.0);
  CHECK_D(dz[1], 1.5);
  return check_summary("cxx/inactive_library");
}
