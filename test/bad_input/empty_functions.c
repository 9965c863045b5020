// Empty helpers (void f(void) {}, one ignoring its argument) called on the
// differentiated path, and an empty loop body: nothing to differentiate there,
// the rest of the gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static void nothing(void) {}
static void ignore(double v) { (void)v; }

static double f(double x, int n) {
  nothing();
  ignore(x * x);
  for (int i = 0; i < n; ++i) {
  }
  nothing();
  return x * 3;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx, 10);
  CHECK_D(dx, 3.0);
  return check_summary("empty_functions");
}
