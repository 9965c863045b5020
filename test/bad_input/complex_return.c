// A helper returning double _Complex by value and multiplying component-wise
// by hand: small structs returned by value are supported.
// EXPECT: run
#include "../e2e/check.h"
#include <complex.h>
#include <cotangent.h>

static double _Complex cmul(double _Complex p, double _Complex q) {
  double a = creal(p), b = cimag(p), c = creal(q), d = cimag(q);
  return __builtin_complex(a * c - b * d, a * d + b * c);
}

static double f(double x, double y) {
  double _Complex z = __builtin_complex(x, y), w = cmul(z, z);
  return creal(w) + 2 * cimag(w);
}

int main(void) {
  /* z^2 = x^2 - y^2 + 2ixy: f = x^2 - y^2 + 4xy */
  double dx = 0, dy = 0, x = 0.5, y = 1.5;
  ct_gradient(f, x, &dx, y, &dy);
  CHECK_D(dx, 2 * x + 4 * y);
  CHECK_D(dy, -2 * y + 4 * x);
  return check_summary("complex_return");
}
