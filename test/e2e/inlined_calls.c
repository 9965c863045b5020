/* Calls of non-recursive helpers with bodies (inlined into the prepared
 * copy): logsumexp through a static helper, checked analytically. */
#include <math.h>
#include <stdio.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void*, ...);
static double lse(const double *x, int n) { double m = x[0]; for (int i = 1; i < n; ++i) m = fmax(m, x[i]); double s = 0; for (int i = 0; i < n; ++i) s += exp(x[i] - m); return m + log(s); }
double loss(const double *x, int n) { return lse(x, n) - x[1]; }
int main() {
  double x[4] = {0.3, -1.2, 2.0, 0.7}, dx[4] = {0};
  __enzyme_autodiff((void*)loss, x, dx, 4);
  double s = 0; for (int i = 0; i < 4; ++i) s += exp(x[i]);
  int bad = 0;
  for (int i = 0; i < 4; ++i) { double w = exp(x[i])/s - (i == 1); if (fabs(dx[i]-w) > 1e-12) { bad++; printf("%d %g %g\n", i, dx[i], w); } }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
