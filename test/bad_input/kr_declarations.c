// K&R (old-style) function definitions, with default argument promotions
// (a float parameter arrives as a double): differentiated like prototypes.
// FLAGS: -Wno-deprecated-non-prototype
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double helper(a, b, n)
double a, b;
int n;
{
  return a * b * n;
}

static double f(x, y)
double x;
double y;
{
  return helper(x, y, 3) + x * x;
}

int main(void) {
  double dx = 0, dy = 0;
  ct_gradient(f, 2.0, &dx, 5.0, &dy);
  CHECK_D(dx, 3 * 5.0 + 4.0);
  CHECK_D(dy, 3 * 2.0);
  return check_summary("kr_declarations");
}
