// A struct with bit fields (flags, small counts) next to doubles, built in
// the differentiated function: the bit fields are integers; the doubles
// carry the derivative.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

typedef struct {
  unsigned sign : 1, power : 3, skip : 1;
  double scale;
  int tag : 5;
} term;

static double eval(const term *t, double x) {
  if (t->skip)
    return 0;
  double p = 1;
  for (unsigned k = 0; k < t->power; ++k)
    p *= x;
  return (t->sign ? -1 : 1) * t->scale * p * (t->tag + 16);
}

static double f(double x, double s) {
  term ts[3] = {{0, 2, 0, s, -15}, {1, 3, 0, 2 * s, -14}, {0, 5, 1, s, 0}};
  double r = 0;
  for (int i = 0; i < 3; ++i)
    r += eval(&ts[i], x);
  return r;
}

int main(void) {
  /* f = s x^2 - 4 s x^3 */
  double dx = 0, ds = 0, x = 0.5, s = 1.5;
  ct_gradient(f, x, &dx, s, &ds);
  CHECK_D(dx, 2 * s * x - 12 * s * x * x);
  CHECK_D(ds, x * x - 4 * x * x * x);
  return check_summary("bitfields");
}
