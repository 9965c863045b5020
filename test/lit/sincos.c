// The forward part computes sin(x), the reverse part its derivative
// cos(x) in another block; at the end of the pipeline the plugin puts them
// side by side, so the code generator makes one sincos call. Plain code
// (no gradient in the module) is left alone.
// RUN: %cc -O2 -S %s -o - | FileCheck %s
// RUN: %cc -O2 -S -DNO_GRADIENT %s -o - | FileCheck %s --check-prefix=PLAIN
#include <cotangent.h>
#include <math.h>

static double f(double x, double y) { return pow(sin(x) + 2.0, y) * log(y); }

#ifndef NO_GRADIENT
// CHECK-LABEL: use:
// CHECK: call{{.*}}sincos
// CHECK-NOT: call{{.*}}{{ (sin|cos)(@PLT)?$}}
// CHECK: .cfi_endproc
double use(double x, double y, double *dx, double *dy) { return ct_value_with_gradient(f, x, dx, y, dy); }
#endif

// PLAIN-LABEL: plain:
// PLAIN-NOT: sincos
// PLAIN: .cfi_endproc
double plain(double x, int c) {
  double s = __builtin_elementwise_sin(x);
  if (c)
    s += __builtin_elementwise_cos(x);
  return s;
}
