// Diagnostics name C++ functions as the user wrote them (demangled), both
// the differentiated function (a static one: internal mangling _ZL...) and
// the callee that has no derivative (a function of another file); they used
// to print '_ZL5scenePKdi' and '_Z9elsewhered'.
// RUN: not %cxx -O0 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
// RUN: not %cxx -O2 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="Stack dump"
#include <cotangent.h>

double elsewhere(double x);

static double scene(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    // CHECK: diag_cxx_names.cpp:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'scene(double const*, int)': call to 'elsewhere(double)' has no derivative
    s += elsewhere(x[i]);
  return s;
}

void use(const double *x, double *dx, int n) { ct_gradient(scene, x, dx, n); }
