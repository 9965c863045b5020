// `#pragma ct checkpoint` (automatic snapshots) and `#pragma ct
// checkpoint(3)` before a loop checkpoint it like CT_CHECKPOINT_LOOP: the
// gradients equal central differences.
// EXPECT: run
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double f(double x, int n) {
  double s = x;
#pragma ct checkpoint
  for (int i = 0; i < n; i++)
    s = s + 0.01 * sin(s) * s;
  return s;
}

static double g(double x, int n) {
  double s[2] = {x, 0.5};
#pragma ct checkpoint(3)
  for (int i = 0; i < n; i++) {
    double a = s[0];
    s[0] += 0.01 * s[1];
    s[1] -= 0.01 * sin(a);
  }
  return s[0] * s[1];
}

int main(void) {
  double dx = 0, dy = 0, h = 1e-6;
  ct_gradient(f, 0.5, &dx, 500);
  ct_gradient(g, 0.7, &dy, 500);
  double fx = (f(0.5 + h, 500) - f(0.5 - h, 500)) / (2 * h), gy = (g(0.7 + h, 500) - g(0.7 - h, 500)) / (2 * h);
  if (fabs(dx - fx) > 1e-6 * fabs(fx) || fabs(dy - gy) > 1e-6 * fabs(gy)) {
    printf("f: %.12g vs %.12g, g: %.12g vs %.12g\n", dx, fx, dy, gy);
    return 1;
  }
  return 0;
}
