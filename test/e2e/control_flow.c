/* Control flow: a Speelpenning product over a duplicated array, data-
 * dependent branches, a convergence loop, in-place updates; checked
 * analytically or against central finite differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int enzyme_dup, enzyme_const, enzyme_out;
extern double __enzyme_autodiff(void*, ...);
double speel(const double *x, int n) { double p = 1; for (int i = 0; i < n; ++i) p *= x[i]; return p; }
double branchy(double x, int k) { double y; if (x > 0.5) y = sin(x) * x; else { y = exp(x); if (k > 2) y = y * y; } return y; }
double conv(double x) { /* newton iterations for sqrt(2)*x-like until convergence */
  double y = 1.0; for (int it = 0; it < 100; ++it) { double ny = 0.5 * (y + x / y); if (fabs(ny - y) < 1e-15) { y = ny; break; } y = ny; } return y; }
double sumsq(double *x, int n) { double s = 0; for (int i = 0; i < n; ++i) { x[i] = x[i] * x[i]; s += x[i] * sin(s); } return s; }
int main() {
  int n = 7; double x[7], dx[7];
  for (int i = 0; i < n; ++i) { x[i] = 1.0 + 0.1*i; dx[i] = 0; }
  __enzyme_autodiff((void*)speel, x, dx, n);
  double p = speel(x, n); int bad = 0;
  for (int i = 0; i < n; ++i) { double want = p / x[i]; if (fabs(dx[i]-want) > 1e-12*fabs(want)) { printf("speel %d %g %g\n", i, dx[i], want); bad++; } }
  for (double xv = 0.1; xv < 1; xv += 0.3) for (int k = 1; k < 5; k += 2) {
    double d = __enzyme_autodiff((void*)branchy, xv, k);
    double h = 1e-6, fd = (branchy(xv+h,k) - branchy(xv-h,k))/(2*h);
    if (fabs(d-fd) > 1e-6) { printf("branchy %g %d %g %g\n", xv, k, d, fd); bad++; } }
  double d = __enzyme_autodiff((void*)conv, 2.0); double want = 0.5/sqrt(2.0);
  if (fabs(d-want) > 1e-9) { printf("conv %g %g\n", d, want); bad++; }
  double y[5] = {0.1,0.2,0.3,0.4,0.5}, dy[5] = {0}, y0[5];
  for (int i = 0; i < 5; ++i) y0[i] = y[i];
  __enzyme_autodiff((void*)sumsq, y, dy, 5);
  for (int i = 0; i < 5; ++i) { double h = 1e-6, a[5], b[5]; for (int j=0;j<5;++j) a[j]=b[j]=y0[j]; a[i]+=h; b[i]-=h;
    double fd = (sumsq(a,5)-sumsq(b,5))/(2*h); if (fabs(dy[i]-fd) > 1e-6) { printf("sumsq %d %g %g\n", i, dy[i], fd); bad++; } }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
