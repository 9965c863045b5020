// Atomic operations on differentiable data other than atomic adds are
// compile errors at the construct, with and without -g, at every -O level:
// an _Atomic double accumulator (a compare-and-swap loop; it used to give a
// zero gradient with a warning that the result does not depend on the
// arguments), atomic_store and atomic_load through a duplicated pointer
// (clang moves them as i64; they used to be differentiated as plain
// accesses).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O3 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <stdatomic.h>

extern double __enzyme_autodiff(void *, ...);

double weighted_sum(double x, int n) {
  _Atomic double acc = 0;
  for (int i = 0; i < n; ++i)
    // CHECK: diag_atomic.c:[[@LINE+1]]:9: error: cannot differentiate 'weighted_sum': 'cmpxchg' instruction is an atomic operation on differentiable data that has no derivative; only atomic adds and subtracts (atomicAdd) whose returned old value is not used are differentiated (an _Atomic double updated with += is a compare-and-swap loop: accumulate into a plain double)
    acc += x * i;
  return acc;
}

void publish(_Atomic double *out, double x) {
  // CHECK: diag_atomic.c:[[@LINE+1]]:3: error: cannot differentiate 'publish': 'store' instruction is an atomic operation on differentiable data
  atomic_store(out, x * x);
}

double scaled(_Atomic double *in, double x) {
  // CHECK: diag_atomic.c:[[@LINE+1]]:10: error: cannot differentiate 'scaled': 'load' instruction is an atomic operation on differentiable data
  return atomic_load(in) * x;
}

double d_weighted_sum(double x) {
  double dx;
  ct_gradient(weighted_sum, x, &dx, 4);
  return dx;
}

double d_publish(double x, _Atomic double *out, _Atomic double *dout) {
  return __enzyme_autodiff((void *)publish, out, dout, x);
}

double d_scaled(_Atomic double *in, _Atomic double *din, double x) {
  double dx;
  ct_gradient(scaled, in, din, x, &dx);
  return dx;
}
// CHECK-NOT: error:
// CHECK: 3 errors generated.
