// A loop with 300 floating-point accumulators (a local array indexed by
// constants only, which becomes 300 phis in the loop header): the reverse
// moves every phi's adjoint along the edge taken. It used to keep them in
// a fixed array of 256 and stop with "one of too many (over 256)
// differentiable phis in one block". Checked against the analytic gradient
// sum_k c_k cos(c_k x_i) at -O0..-O3.
// RUN: %cc -O0 %s -o %t0 && %t0 | FileCheck %s
// RUN: %cc -O1 %s -o %t1 && %t1 | FileCheck %s
// RUN: %cc -O2 %s -o %t2 && %t2 | FileCheck %s
// RUN: %cc -O3 %s -o %t3 && %t3 | FileCheck %s
// CHECK: ok
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

#define NACC 300
#define ACC(h, t, u) s[h * 100 + t * 10 + u] += sin(v * (1.0 + (h * 100 + t * 10 + u) / (double)NACC));
#define R10(h, t) ACC(h, t, 0) ACC(h, t, 1) ACC(h, t, 2) ACC(h, t, 3) ACC(h, t, 4) \
                  ACC(h, t, 5) ACC(h, t, 6) ACC(h, t, 7) ACC(h, t, 8) ACC(h, t, 9)
#define R100(h) R10(h, 0) R10(h, 1) R10(h, 2) R10(h, 3) R10(h, 4) R10(h, 5) R10(h, 6) R10(h, 7) R10(h, 8) R10(h, 9)
#define SUM(h, t, u) r += s[h * 100 + t * 10 + u];
#define S10(h, t) SUM(h, t, 0) SUM(h, t, 1) SUM(h, t, 2) SUM(h, t, 3) SUM(h, t, 4) \
                  SUM(h, t, 5) SUM(h, t, 6) SUM(h, t, 7) SUM(h, t, 8) SUM(h, t, 9)
#define S100(h) S10(h, 0) S10(h, 1) S10(h, 2) S10(h, 3) S10(h, 4) S10(h, 5) S10(h, 6) S10(h, 7) S10(h, 8) S10(h, 9)

static double f(const double *x, int n) {
  double s[NACC] = {0};
  for (int i = 0; i < n; ++i) {
    double v = x[i];
    R100(0) R100(1) R100(2)
  }
  double r = 0;
  S100(0) S100(1) S100(2)
  return r;
}

int main(void) {
  double x[3] = {0.3, -0.7, 1.1}, dx[3] = {0};
  ct_gradient(f, x, dx, 3);
  int ok = 1;
  for (int i = 0; i < 3; ++i) {
    double want = 0;
    for (int k = 0; k < NACC; ++k) {
      double c = 1.0 + k / (double)NACC;
      want += c * cos(c * x[i]);
    }
    if (fabs(dx[i] - want) > 1e-9 * fabs(want)) {
      printf("dx[%d] = %.17g, want %.17g\n", i, dx[i], want);
      ok = 0;
    }
  }
  puts(ok ? "ok" : "FAIL");
  return !ok;
}
