// README warnings: a gradient that flows through (int)x and back has a zero
// derivative there: a warning at the conversion, and the rest of the
// gradient stays right (d/dx x*floor(4x) = floor(4x) away from the steps).
// EXPECT: warning @conv:11 "flows through a conversion to an integer and back"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double stairs(double x) {
  int k = (int)(x * 4.0); /*@conv*/
  return x * (double)k;
}

int main(void) {
  double dx = 0;
  ct_gradient(stairs, 1.3, &dx);
  CHECK_D(dx, 5.0);
  return check_summary("warn_int_conversion");
}
