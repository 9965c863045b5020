// _Complex multiplication: clang computes the product inline and calls
// __muldc3 when both parts are NaN (C99 Annex G); the call has a complex
// rule (pass/rules.c), so the multiply is differentiated (it was rejected
// with "has no derivative" before).
// EXPECT: run
#include "../e2e/check.h"
#include <complex.h>
#include <cotangent.h>

static double f(double a, double b) {
  double _Complex z = a + b * I;
  double _Complex w = z * z; /*@mul*/
  return creal(w) + cimag(w);
}

int main(void) {
  /* z^2 = a^2 - b^2 + 2iab: f = a^2 - b^2 + 2ab */
  double da = 0, db = 0, a = 0.75, b = -1.5;
  ct_gradient(f, a, &da, b, &db);
  CHECK_D(da, 2 * a + 2 * b);
  CHECK_D(db, -2 * b + 2 * a);
  return check_summary("complex_multiply");
}
