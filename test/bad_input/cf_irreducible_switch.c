// Irreducible control flow from a switch jumping into a loop body (Duff's
// device): the reverse pass replays it.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double duff(const double *x, int count) {
  double s = 0;
  int n = (count + 3) / 4, i = 0;
  switch (count % 4) {
  case 0: do { s += x[i] * x[i]; ++i;
  case 3:      s += x[i] * x[i]; ++i;
  case 2:      s += x[i] * x[i]; ++i;
  case 1:      s += x[i] * x[i]; ++i;
          } while (--n > 0);
  }
  return s;
}

int main(void) {
  double x[11];
  for (int i = 0; i < 11; ++i)
    x[i] = 0.25 * i - 1;
  for (int c = 1; c <= 11; ++c) {
    double dx[11] = {0};
    ct_gradient(duff, x, dx, c);
    for (int i = 0; i < 11; ++i)
      CHECK_AT_D("d/dx_i, count", c, dx[i], i < c ? 2 * x[i] : 0.0);
  }
  return check_summary("cf_irreducible_switch");
}
