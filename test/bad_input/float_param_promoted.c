// A float parameter given a double argument: varargs pass every float as a
// double, so ct_gradient(f, 1.5f, &dx) is what C delivers for f(float); the
// tool must convert it and write df/dx into the float dx correctly.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static float f(float x, double y) { return x * x * (float)y; }

int main(void) {
  float dx = 0;
  double dy = 0;
  double v = ct_value_with_gradient(f, 1.5f, &dx, 2.0, &dy);
  CHECK_F(v, 4.5);
  CHECK_F(dx, 6.0);
  CHECK_D(dy, 2.25);
  return check_summary("float_param_promoted");
}
