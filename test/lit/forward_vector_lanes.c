// Vector forward mode with constant seeds (a Jacobian's unit directions):
// after inlining, the tangents of x hold zeros in the lanes of y's
// directions and back; the products with those lanes become selects of
// zero (tangent_lanes.c), so the code keeps only the nonzero parts. The
// tangent's cos(t) (the derivative of sin) and the primal's libm cos(t)
// are one call, paired with sin(t) into one sincos (sincos.c).
// RUN: %cc -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=IR
// RUN: %cc -O2 -S %s -o - | FileCheck %s
#include <cotangent.h>
#include <math.h>
#include <stddef.h>

static void rot(const double *in, double *out) {
  double t = in[0] * in[1];
  out[0] = cos(t) * in[2] + in[3];
  out[1] = sin(t) * in[2] * in[3];
}

static const double seed[4][4] = {{1}, {0, 1}, {0, 0, 1}, {0, 0, 0, 1}};

// IR-LABEL: define {{.*}}@jac(
// IR: select <4 x i1> <i1 true, i1 true, i1 false, i1 false>
// IR: ret void
// CHECK-LABEL: jac:
// CHECK: call{{.*}}sincos
// CHECK-NOT: call{{.*}}{{ (sin|cos)(@PLT)?$}}
// CHECK: .cfi_endproc
void jac(const double *in, double *out, double dout[4][2]) {
  ct_derivative_n(4, rot, NULL, in, seed, sizeof seed[0], out, dout, sizeof dout[0]);
}
