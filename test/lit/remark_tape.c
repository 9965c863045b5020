// -Rpass=cotangent reports what the gradient keeps on the tape, per source
// line, and what it reuses without the tape.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O2 -c %s -o /dev/null 2>&1 | count 0
#include <cotangent.h>
#include <math.h>

extern double __enzyme_autodiff(void *, ...);

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    // CHECK: remark_tape.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'f': {{[0-9]+}} value(s) from this line cached on the tape, {{[0-9]+}} bytes per execution [-Rpass=cotangent]
    s += sin(x[i]) * x[i];
  return s * s; /* not s alone: that loop's reverse would tape nothing (pass/fused.c) */
}
// CHECK: remark_tape.c:[[@LINE-7]]:{{[0-9]+}}: remark: gradient of 'f': {{[0-9]+}} block(s) run once before the return; their values are reused by the reverse pass without the tape

void use(double *x, double *dx, int n) { __enzyme_autodiff((void *)f, x, dx, n); }
