// Issue 12 item 11: computed goto (goto *tab[i]) on the active path: the
// reverse pass replays the successor taken. Before: 1 instead of the right
// value at -O0, corrupted control flow at -O1/-O2.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double step(double x, int k) {
  static void *const tab[] = {&&twice, &&square, &&sine};
  double y = x;
  goto *tab[k % 3];
twice:
  y = 2 * y;
  goto done;
square:
  y = y * y;
  goto done;
sine:
  y = sin(y);
done:
  return y;
}

static double f(double x) {
  double y = x;
  for (int k = 0; k < 4; ++k)
    y = step(y, k);
  return y;
}

int main(void) {
  /* f(x) = 2 sin((2x)^2) */
  double x = 0.7, dx = 0;
  double v = ct_value_with_gradient(f, x, &dx);
  double u = 4 * x * x;
  CHECK_D(v, 2 * sin(u));
  CHECK_D(dx, 2 * cos(u) * 8 * x);
  return check_summary("issue12_computed_goto");
}
