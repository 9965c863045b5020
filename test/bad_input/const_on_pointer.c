// ct_const wrapped around a pointer argument (the header documents it for
// floating-point arguments; for a pointer it can only mean "no shadow"): the
// pointer is held constant, and the other derivatives are right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(const double *x, double y) { return x[0] * y * y; }

int main(void) {
  double x[1] = {3}, dy = 0;
  ct_gradient(f, ct_const(x), 2.0, &dy);
  CHECK_D(dy, 12.0);
  CHECK_D(x[0], 3.0);
  return check_summary("const_on_pointer");
}
