// Mutual recursion whose depth depends on an integer argument (even/odd
// steps applying different maps): differentiated as real calls.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double odd_step(double x, int n);
static double even_step(double x, int n) { return n == 0 ? x : odd_step(sin(x) + x, n - 1); }
static double odd_step(double x, int n) { return n == 0 ? x : even_step(x * x * 0.5, n - 1); }

int main(void) {
  for (int n = 0; n < 6; ++n) {
    double x = 0.7, dx = 0;
    ct_gradient(even_step, x, &dx, n);
    double y = x, d = 1;
    for (int k = 0; k < n; ++k) {
      if (k % 2 == 0) { d *= cos(y) + 1; y = sin(y) + y; }
      else { d *= y; y = y * y * 0.5; }
    }
    CHECK_AT_D("derivative, n", n, dx, d);
  }
  return check_summary("recursion_mutual");
}
