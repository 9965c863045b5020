// A differentiable value converted to an integer and back to floating point
// loses its derivative: a warning at the conversion (in -Wpass-failed, so it
// can be silenced), and ct_without_derivative makes the intent explicit.
// RUN: %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O2 -std=c17 -Wno-pass-failed -c %s -o /dev/null 2>&1 | count 0
#include <cotangent.h>

static double stairs(double x) {
  // CHECK: warn_lossy_conversion.c:[[@LINE+1]]:11: warning: in 'stairs', the gradient flows through a conversion to an integer and back, which has a zero derivative; use ct_without_derivative(x) to make this explicit [-Wpass-failed]
  int k = (int)(x * 4.0);
  return x * (double)k;
}

static double explicit_stairs(double x) {
  int k = (int)ct_without_derivative(x * 4.0);
  return x * (double)k;
}

double use(double x) {
  double d1, d2;
  ct_gradient(stairs, x, &d1);
  ct_gradient(explicit_stairs, x, &d2);
  return d1 + d2;
}
