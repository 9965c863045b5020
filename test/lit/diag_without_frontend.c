// Without the frontend plugin (clang given only -fpass-plugin), the
// attributes fall back to `annotate` and the pass itself reports what the
// frontend would: a differentiable function whose result is not floating
// point, and an operator on a function taking a struct by value (passed
// through memory here; not supported yet), each at the function or call
// (-Rpass-missed=cotangent-source-locations keeps locations without -g, as
// cotangent-cc does).
// RUN: not %clang -fpass-plugin=%plugin -I%include -Rpass-missed=cotangent-source-locations -O0 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %clang -fpass-plugin=%plugin -I%include -Rpass-missed=cotangent-source-locations -O2 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %clang -fpass-plugin=%plugin -I%include -Rpass-missed=cotangent-source-locations -O2 -g -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

struct box {
  double lo[3], hi[3];
};
static double volume(struct box b) { return (b.hi[0] - b.lo[0]) * (b.hi[1] - b.lo[1]) * (b.hi[2] - b.lo[2]); }

void use(struct box b, double *d) {
  // CHECK: diag_without_frontend.c:[[@LINE+1]]:3: error: ct_gradient: parameter 1 of 'volume' is a struct passed by value: differentiating functions that take structs by value is not supported yet
  ct_gradient(volume, b, d);
}

// CHECK: diag_without_frontend.c:[[@LINE+1]]:{{[0-9]+}}: error: 'above' is declared differentiable but its result is not floating point
CT_DIFFERENTIABLE int above(double x, double y) { return x > y; }
// CHECK-NOT: error:
