// An operator called where a C++ local has a destructor is an invoke (it
// may throw, as far as clang knows): it is lowered like a call. It used to
// stay an undefined reference to __ct_gradient / __enzyme_autodiff at link
// time. The program compares the gradients with the analytic ones.
// RUN: %cxx -O0 %s -o %t0 && %t0 | FileCheck %s
// RUN: %cxx -O1 %s -o %t1 && %t1 | FileCheck %s
// RUN: %cxx -O2 %s -o %t2 && %t2 | FileCheck %s
// RUN: %cxx -O3 %s -o %t3 && %t3 | FileCheck %s
// CHECK: ct_gradient ok
// CHECK: __enzyme_autodiff ok
#include <cotangent.h>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

extern "C" double __enzyme_autodiff(void *, ...);

static double energy(double x, double k) { return 0.5 * k * x * x + std::sin(x); }

struct Report {
  std::string name;
  ~Report() { std::printf("%s ok\n", name.c_str()); }
};

static bool close(double a, double b) { return std::fabs(a - b) <= 1e-12 * std::fabs(b); }

int main() {
  std::vector<double> xs = {0.25, 0.5, 1.5};
  int bad = 0;
  {
    Report r{"ct_gradient"};
    for (double x : xs) {
      double dx, dk;
      ct_gradient(energy, x, &dx, 3.0, &dk);
      bad += !close(dx, 3.0 * x + std::cos(x)) + !close(dk, 0.5 * x * x);
    }
    if (bad)
      r.name = "ct_gradient FAILED";
  }
  {
    Report r{"__enzyme_autodiff"};
    for (double x : xs) {
      double dx = __enzyme_autodiff((void *)energy, x, 2.0);
      bad += !close(dx, 2.0 * x + std::cos(x));
    }
    if (bad)
      r.name = "__enzyme_autodiff FAILED";
  }
  return bad;
}
