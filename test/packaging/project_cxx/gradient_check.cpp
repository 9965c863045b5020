// Sample out-of-tree C++ user of an installed Cotangent (see ../run.sh): the
// gradient of a function template over a std::vector, with a loop whose trip
// count comes from the command line (so the gradient uses the tape, i.e. the
// runtime), checked against the analytic one, through cotangent.hpp. Exits
// non-zero on a mismatch.
#include <cotangent.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace sample {
template <typename T> T energy(const T *x, int n) {
  T s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i] * std::sin(x[i]);
  return s;
}
} // namespace sample

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 5;
  std::vector<double> x(n), dx(n, 0.0);
  for (int i = 0; i < n; ++i)
    x[i] = 0.3 + 0.25 * i;
  ct::gradient(sample::energy<double>, x.data(), dx.data(), n);
  int ok = 1;
  for (int i = 0; i < n; ++i) {
    double want = 2 * x[i] * std::sin(x[i]) + x[i] * x[i] * std::cos(x[i]);
    if (std::fabs(dx[i] - want) > 1e-12 * (1.0 + std::fabs(want))) {
      std::fprintf(stderr, "gradient_check: d/dx%d = %.17g, expected %.17g\n", i, dx[i], want);
      ok = 0;
    }
  }
  if (ok)
    std::printf("gradient_check (C++): %d components: ok\n", n);
  return ok ? 0 : 1;
}
