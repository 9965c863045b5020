// A global array passed as the differentiated argument, with a global
// shadow: the function writes it in place (it has a shadow now), and the
// gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double state[3] = {1, 2, 3}, dstate[3];

static double f(double *s, int n) {
  for (int i = 0; i < n; ++i)
    s[i] = s[i] * s[i];
  return s[0] + 2 * s[1] + 3 * s[2];
}

int main(void) {
  double x0[3] = {1, 2, 3};
  ct_gradient(f, state, dstate, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dstate[i], 2 * (i + 1) * x0[i]);
  return check_summary("global_array_argument");
}
