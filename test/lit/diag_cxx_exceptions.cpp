// C++ code that may throw (an invoke: std::vector's push_back, a call that
// is not noexcept while a local has a destructor) in a differentiated
// function is a compile error naming the construct at the user's line, at
// every -O level, with and without -g; it used to crash clang at -O1..-O3
// (the prepared copy lacked the personality function). Without exceptions
// (-fno-exceptions, noexcept callees) there is no such error.
// RUN: not %cxx -O0 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O1 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O2 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O3 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O0 -g -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O2 -g -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
#include <cotangent.h>
#include <vector>

double squares(double x, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    // CHECK: diag_cxx_exceptions.cpp:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'squares(double, int)': it contains code that may throw a C++ exception (invoke of '{{.*}}'); C++ exceptions are not supported yet; compile with -fno-exceptions, or declare the functions it calls noexcept
    v.push_back(x * i);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * v[i];
  return s;
}

struct Guard {
  ~Guard();
};
double log_step(double); // may throw

double guarded(double x) {
  Guard g;
  // CHECK: diag_cxx_exceptions.cpp:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'guarded(double)': it contains code that may throw a C++ exception (invoke of 'log_step(double)')
  return log_step(x) * x;
}

double d_squares(double x, int n) {
  double dx;
  ct_gradient(squares, x, &dx, n);
  return dx;
}

double d_guarded(double x) {
  double dx;
  ct_gradient(guarded, x, &dx);
  return dx;
}
// CHECK-NOT: error:
// CHECK: 2 errors generated.
