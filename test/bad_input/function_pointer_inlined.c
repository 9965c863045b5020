// A function pointer that is a compile-time constant after inlining (a
// static helper always given the same function): the pass inlines and
// simplifies its copy of the function at every level, so the call is direct
// by the time the gradient is generated, and the gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double rhs(double t, double y) { return -y * y + sin(t); }

static double euler(double (*f)(double, double), double y0, int steps) {
  double y = y0, h = 0.1;
  for (int i = 0; i < steps; ++i)
    y += h * f(i * h, y);
  return y;
}

static double solve(double y0) { return euler(rhs, y0, 5); }

int main(void) {
  double dy0 = 0, y0 = 0.8;
  ct_gradient(solve, y0, &dy0);
  double y = y0, d = 1;
  for (int i = 0; i < 5; ++i) {
    d *= 1 - 0.2 * y;
    y += 0.1 * (-y * y + sin(i * 0.1));
  }
  CHECK_D(dy0, d);
  return check_summary("function_pointer_inlined");
}
