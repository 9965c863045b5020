// `differentiable` on a function with nothing to differentiate is an error
// at the function. (A result that is not floating point is an error at the
// attribute: diag_wrt_list.c.)
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

// CHECK: diag_differentiable_attr.c:[[@LINE+1]]:{{[0-9]+}}: error: 'tick' is declared differentiable but has no floating-point parameter or result to differentiate
CT_DIFFERENTIABLE void tick(int n) { (void)n; }

CT_DIFFERENTIABLE double fine(double x) { return x * x; }
