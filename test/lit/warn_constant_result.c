// A differentiated function whose result does not depend on its active
// arguments gets a warning at its return (the derivative is zero), not an
// error; -Werror makes it one. The program still gets zero derivatives.
// RUN: %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -Werror -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=WERROR
#include <cotangent.h>

static double k(double x, int n) {
  (void)x;
  // CHECK: warn_constant_result.c:[[@LINE+2]]:3: warning: the result of 'k' does not depend on its differentiable arguments; its derivative is always zero
  // WERROR: warn_constant_result.c:[[@LINE+1]]:3: error: the result of 'k' does not depend on its differentiable arguments
  return 2.0 * n;
}

double use(double x) {
  double dx;
  ct_gradient(k, x, &dx, 3);
  return dx;
}
// CHECK-NOT: error
