// Issue 12 item 3: CT_DERIVATIVE on a mere declaration of a pullback placed
// below the function's definition (its body at the end of the file, as if in
// another file) is honoured, not silently ignored.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double halve(double x) { return x / 2; }

CT_DERIVATIVE(halve)
void halve_pullback(double x, double seed, double *dx);

static double f(double x) { return halve(x) * 3; }

int main(void) {
  double dx = 0;
  ct_gradient(f, 1.0, &dx);
  CHECK_D(dx, 30.0); /* the pullback says 10 per unit seed */
  return check_summary("issue12_custom_declared_late");
}

void halve_pullback(double x, double seed, double *dx) {
  (void)x;
  *dx += 10 * seed;
}
