// README rejected row 15: _Complex multiplication calls __muldc3 (for the
// inf/NaN cases), a helper without derivative: an error at the multiply.
// EXPECT: error @mul "has no derivative"
#include <cotangent.h>
#include <complex.h>

static double f(double a, double b) {
  double _Complex z = a + b * I;
  double _Complex w = z * z; /*@mul*/
  return creal(w) + cimag(w);
}

void use(double a, double b, double *da, double *db) { ct_gradient(f, a, da, b, db); }
