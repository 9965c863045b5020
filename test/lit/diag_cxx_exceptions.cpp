// Differentiated C++ compiled with exceptions on: landing pads that only
// clean up (destructors of locals) or terminate (a noexcept function's
// guard) are no obstacle (the gradient follows the normal path); a
// try/catch inside the differentiated function is a compile error naming
// it at the user's line, at every -O level, with and without -g. It used to
// be an error for every invoke ("C++ exceptions are not supported yet"),
// and before that a crash of clang at -O1..-O3.
// RUN: not %cxx -O0 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O1 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O2 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O3 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O0 -g -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O2 -g -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
#include <cotangent.h>

__attribute__((noinline)) double step(double x) {
  if (x > 1e300)
    throw 1;
  return x * x;
}

struct Guard {
  ~Guard();
};

double guarded(double x) {
  Guard g;
  return step(x) * x;
}

double guarded_noexcept(double x) noexcept { return step(x) + x; }

double catching(double x) {
  try {
    // CHECK: diag_cxx_exceptions.cpp:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'catching(double)': it catches C++ exceptions (a try/catch around an invoke of '{{.*}}'); the gradient follows the normal path only; move the try/catch out of the differentiated function
    return step(x) * 2;
  } catch (int) {
    return 0;
  }
}

double catch_all(double x) {
  try {
    // CHECK: diag_cxx_exceptions.cpp:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'catch_all(double)': it catches C++ exceptions (a try/catch around an invoke of '{{.*}}')
    return step(x) * 3;
  } catch (...) {
    return -1;
  }
}

double d_all(double x) {
  double d1 = 0, d2 = 0, d3 = 0, d4 = 0;
  ct_gradient(guarded, x, &d1);
  ct_gradient(guarded_noexcept, x, &d2);
  ct_gradient(catching, x, &d3);
  ct_gradient(catch_all, x, &d4);
  return d1 + d2 + d3 + d4;
}
// CHECK-NOT: error:
// CHECK: 2 errors generated.
