// C++: operator calls in template instantiations, member functions and
// generic lambdas are checked with the C++ types too (the frontend records
// them at each instantiation; the generic lambda's wrong shadow used to be
// accepted, giving 4-byte floats 8-byte adds).
// RUN: not %cxx -O0 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cxx -O2 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

static double total(const double *x, long n) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}
// CHECK-DAG: diag_operator_facts_cxx.cpp:[[@LINE+1]]:78: error: ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
template <class T> void grad(const double *x, T *dx) { ct_gradient(total, x, dx, 3L); }
struct Model {
  // CHECK-DAG: diag_operator_facts_cxx.cpp:[[@LINE+1]]:65: error: ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  void step(const double *x, float *dx) { ct_gradient(total, x, dx, 3L); }
};

void use(const double *x, float *fx, double *dx) {
  grad(x, fx);
  grad(x, dx);
  Model().step(x, fx);
  // CHECK-DAG: diag_operator_facts_cxx.cpp:[[@LINE+1]]:72: error: ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float[3]'
  auto lambda = [](auto p, float (&shadow)[3]) { ct_gradient(total, p, shadow, 3L); };
  float f[3];
  lambda(x, f);
}
// CHECK-NOT: error:
// CHECK: 3 errors generated.
