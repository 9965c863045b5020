// double _Complex values built, added, conjugated and taken apart with
// creal/cimag (no __muldc3 helper involved): differentiated through the
// real and imaginary parts.
// EXPECT: run
#include "../e2e/check.h"
#include <complex.h>
#include <cotangent.h>

static double f(double a, double b) {
  double _Complex z = a + b * I, w = conj(z) + 2 * z;
  return creal(w) * cimag(w) + creal(z) * a;
}

int main(void) {
  /* w = 3a + i b: f = 3ab + a^2 */
  double da = 0, db = 0, a = 1.25, b = -0.5;
  ct_gradient(f, a, &da, b, &db);
  CHECK_D(da, 3 * b + 2 * a);
  CHECK_D(db, 3 * a);
  return check_summary("complex_add_parts");
}
