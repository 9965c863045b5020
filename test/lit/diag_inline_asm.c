// Inline assembly on the differentiated path is a compile error that names
// it (it used to be called an "indirect call through a function pointer"),
// with and without -g.
// RUN: not %cc -O0 -std=gnu17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=gnu17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O0 -g -std=gnu17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=gnu17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

/* x86 square root through the instruction */
static double hw_sqrt(double x) {
  double r;
  // CHECK: diag_inline_asm.c:[[@LINE+1]]:3: error: cannot differentiate 'norm': inline assembly ('asm' statement) has no derivative; write the computation in C, or give the function containing it a custom derivative (CT_DERIVATIVE)
  __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
  return r;
}

double norm(double x, double y) { return hw_sqrt(x * x + y * y); }

double d_norm(double x, double y) {
  double dx, dy;
  ct_gradient(norm, x, &dx, y, &dy);
  return dx + dy;
}
// CHECK-NOT: error:
// CHECK: 1 error generated.
