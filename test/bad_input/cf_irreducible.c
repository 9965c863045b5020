// Irreducible control flow: a goto into the middle of a loop (the loop has
// two entries). The reverse pass replays the path taken.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double x, int start_inside, int n) {
  double y = x;
  int i = 0;
  if (start_inside)
    goto inside;
  for (; i < n; ++i) {
    y = y * x;
  inside:
    y = y + 0.5 * x * x;
  }
  return y;
}

/* reference: the same steps with the derivative carried along */
static void ref(double x, int start_inside, int n, double *v, double *d) {
  double y = x, dy = 1;
  int i = 0;
  if (start_inside)
    goto inside;
  for (; i < n; ++i) {
    dy = dy * x + y;
    y = y * x;
  inside:
    dy = dy + x;
    y = y + 0.5 * x * x;
  }
  *v = y;
  *d = dy;
}

int main(void) {
  for (int s = 0; s < 2; ++s)
    for (int n = 0; n < 4; ++n) {
      double dx = 0, v, want, dwant;
      v = ct_value_with_gradient(f, 0.9, &dx, s, n);
      ref(0.9, s, n, &want, &dwant);
      CHECK_AT_D("value, n", n, v, want);
      CHECK_AT_D("derivative, n", n, dx, dwant);
    }
  return check_summary("cf_irreducible");
}
