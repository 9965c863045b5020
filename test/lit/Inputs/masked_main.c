#include <stdio.h>
#include <math.h>
int enzyme_dup;
extern double __enzyme_autodiff(void*, ...);
double f(double *x, double *y);
int main() { double x[4] = {1, 2, 3, 4}, dx[4] = {0}, y[4] = {0}, dy[4] = {0};
  __enzyme_autodiff((void*)f, x, dx, y, dy);
  /* s = x0^2 + y1(=0 orig) + (5)^2 [lane2: passthru 5 -> stored] + x3^2 ; m = max(x0,x1,5,x3)=5 -> lane 2 passthru const */
  double want[4] = {2, 0, 0, 8};
  int bad = 0; for (int i = 0; i < 4; ++i) if (fabs(dx[i]-want[i]) > 1e-12) { bad++; printf("%d %g %g\n", i, dx[i], want[i]); }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad; }
