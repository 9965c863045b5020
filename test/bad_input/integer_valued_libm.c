// Integer-valued libm functions on the differentiated path: lround, llrint,
// ilogb return integers, floor and rint integer-valued doubles; all have a
// zero derivative, and none is worth a warning (also not (int)floor(x),
// whose conversion to an integer loses no derivative: floor had none).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double f(double x) {
  return x * lround(x) + ilogb(x) + (double)llrint(x) + lrint(x * 2) + (int)floor(x) + rint(x) * 0.5;
}

int main(void) {
  static const double p[] = {2.7, -1.25, 0.0, 5.0};
  for (int i = 0; i < 4; ++i) {
    double dx = 0, x = p[i];
    ct_gradient(f, x, &dx);
    CHECK_D(dx, (double)lround(x));
  }
  return check_summary("integer_valued_libm");
}
