/* Enzyme's split mode: __enzyme_augmentfwd returns the tape (alone, or with
 * the result), __enzyme_reverse consumes it; several tapes alive at once. */
#include <math.h>
#include <stdio.h>
int enzyme_dup, enzyme_const, enzyme_out;
extern void *__enzyme_augmentfwd(void*, ...);
typedef struct { void *tape; double ret; } Aug;
extern Aug __enzyme_augmentfwd2(void*, ...);
extern double __enzyme_reverse(void*, ...);
extern void __enzyme_reverse_v(void*, ...);
double f(double *x, int n, double s) { double r = 0; for (int i = 0; i < n; ++i) { x[i] = sin(x[i]) * s; r += x[i] * x[i]; } return r; }
int main() {
  double x[4] = {0.1, 0.2, 0.3, 0.4}, dx[4] = {0}, x0[4]; for (int i = 0; i < 4; ++i) x0[i] = x[i];
  Aug a = __enzyme_augmentfwd2((void*)f, x, dx, 4, 1.5);
  double ds = __enzyme_reverse((void*)f, x, dx, 4, 1.5, 2.0, a.tape);
  int bad = 0; double r = 0;
  for (int i = 0; i < 4; ++i) { double y = sin(x0[i])*1.5; r += y*y; }
  if (fabs(a.ret - r) > 1e-12) { bad++; printf("ret %g %g\n", a.ret, r); }
  double wds = 0;
  for (int i = 0; i < 4; ++i) { double w = 2.0 * 2 * sin(x0[i]) * 1.5 * cos(x0[i]) * 1.5; wds += 2.0 * 2 * sin(x0[i])*sin(x0[i])*1.5;
    if (fabs(dx[i] - w) > 1e-12) { bad++; printf("dx %d %g %g\n", i, dx[i], w); } }
  if (fabs(ds - wds) > 1e-12) { bad++; printf("ds %g %g\n", ds, wds); }
  /* tape-only form, many tapes alive at once */
  void *tapes[3]; double xs[3][4], dxs[3][4] = {{0}};
  for (int k = 0; k < 3; ++k) { for (int i = 0; i < 4; ++i) xs[k][i] = x0[i] * (k + 1); tapes[k] = __enzyme_augmentfwd((void*)f, xs[k], dxs[k], 4, 1.0); }
  for (int k = 2; k >= 0; --k) { double d = __enzyme_reverse((void*)f, xs[k], dxs[k], 4, 1.0, 1.0, tapes[k]); (void)d;
    for (int i = 0; i < 4; ++i) { double x0k = x0[i]*(k+1), w = 2 * sin(x0k) * cos(x0k); if (fabs(dxs[k][i] - w) > 1e-12) { bad++; printf("k%d %d %g %g\n", k, i, dxs[k][i], w); } } }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
