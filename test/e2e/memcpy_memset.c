/* memset/memcpy on differentiable memory and struct copies; analytic. */
#include <math.h>
#include <stdio.h>
#include <string.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void*, ...);
typedef struct { double a, b, c; int n; } S;
double f(const double *x, int n) {
  double buf[16]; memset(buf, 0, sizeof buf);
  memcpy(buf, x, (size_t)n * sizeof(double));
  S s = { buf[0], buf[1], buf[2], 3 }; S t; memcpy(&t, &s, sizeof s);
  double r = 0; for (int i = 0; i < n; ++i) r += buf[i] * buf[i] * (i+1);
  return r + t.a * t.b * t.c;
}
int main() {
  double x[5] = {0.5, 1.5, -0.7, 2.0, 0.1}, dx[5] = {0};
  __enzyme_autodiff((void*)f, x, dx, 5);
  int bad = 0;
  for (int i = 0; i < 5; ++i) { double w = 2*x[i]*(i+1) + (i==0? x[1]*x[2] : i==1 ? x[0]*x[2] : i == 2 ? x[0]*x[1] : 0);
    if (fabs(dx[i]-w) > 1e-12) { bad++; printf("%d %g %g\n", i, dx[i], w); } }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
