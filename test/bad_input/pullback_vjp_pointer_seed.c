// A pointer given as the seed of the pullback of a function with a
// floating-point result (a shadow where the result's seed goes): a compile
// error at the apply saying what it takes.
// EXPECT: error @apply:3 "ct_pullback_apply: 'norm' has a floating-point result: its pullback takes the result's seed"
#include <cotangent.h>
#include <math.h>

static double norm(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return sqrt(s);
}

int main(void) {
  double x[2] = {3, 4}, dx[2] = {0};
  ct_pullback_t pb = ct_pullback(norm, x, dx, 2);
  ct_pullback_apply(pb, dx); /*@apply*/
  ct_pullback_free(pb);
  return 0;
}
