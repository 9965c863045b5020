/* Recursion: x^n by recursive multiplication, a recursive product tree
 * over an array, and a recursive void function writing through a pointer
 * (analytic); a recursive function handed a constant table that it copies
 * into a local array for the next level (central differences). */
#include <math.h>
#include <stdio.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void*, ...);
double fact(double x, int n) { return n <= 1 ? x : x * fact(x, n - 1); }  /* x^n */
double tree(const double *v, int lo, int hi) { if (hi - lo == 1) return sin(v[lo]); int mid = (lo + hi) / 2; return tree(v, lo, mid) * tree(v, mid, hi); }
void scale_rec(double *v, int n, double s) { if (n == 0) return; v[0] *= s; scale_rec(v + 1, n - 1, s * 1.5); }
double outer(double *v, int n, double s) { scale_rec(v, n, s); double r = 0; for (int i = 0; i < n; ++i) r += v[i] * v[i]; return r; }
double rc(const double *c, double *x, int d) {
  if (d <= 0) return x[0] * c[0];
  double loc[3] = {c[1], c[2], c[0]};
  x[1] = x[1] * loc[d % 3] + sin(x[0]);
  return rc(loc, x, d - 1) + x[1] * loc[1];
}
double rc_top(double *x, const double *c) { return rc(c, x, 3); }
static double rc_at(const double *x0, const double *c, int k, double h) {
  double x[2] = {x0[0], x0[1]};
  x[k] += h;
  return rc_top(x, c);
}
int main() {
  int bad = 0;
  double c[3] = {0.5, 1.5, -0.7};
  for (int k = 0; k < 2; ++k) {
    double x0[2] = {0.3, 0.9}, x[2] = {0.3, 0.9}, dx[2] = {0, 0}, h = 1e-6;
    __enzyme_autodiff((void*)rc_top, enzyme_dup, x, dx, enzyme_const, c);
    double fd = (rc_at(x0, c, k, h) - rc_at(x0, c, k, -h)) / (2 * h);
    if (fabs(dx[k] - fd) > 1e-6 * (1 + fabs(fd))) { bad++; printf("rc %d %g %g\n", k, dx[k], fd); }
  }
  for (int n = 1; n < 6; ++n) { double d = __enzyme_autodiff((void*)fact, 1.3, n); double w = n * pow(1.3, n-1); if (fabs(d-w) > 1e-12*fabs(w)) { bad++; printf("fact %d %g %g\n", n, d, w); } }
  double v[8], dv[8] = {0}; for (int i = 0; i < 8; ++i) v[i] = 0.3 + 0.1*i;
  __enzyme_autodiff((void*)tree, v, dv, 0, 8);
  double p = tree(v, 0, 8);
  for (int i = 0; i < 8; ++i) { double w = p / sin(v[i]) * cos(v[i]); if (fabs(dv[i]-w) > 1e-12*fabs(w)) { bad++; printf("tree %d %g %g\n", i, dv[i], w); } }
  double u[5], du[5] = {0}, u0[5]; for (int i = 0; i < 5; ++i) u0[i] = u[i] = 0.5 + 0.2*i;
  double ds = __enzyme_autodiff((void*)outer, u, du, 5, 0.7);
  /* r = sum (u_i * s * 1.5^i)^2 -> dr/du_i = 2 u_i (s 1.5^i)^2, dr/ds = sum 2 u_i^2 s 1.5^(2i) */
  double wds = 0; for (int i = 0; i < 5; ++i) { double f = 0.7 * pow(1.5, i); double w = 2 * u0[i] * f * f; wds += 2*u0[i]*u0[i]*0.7*pow(1.5, 2*i);
    if (fabs(du[i]-w) > 1e-12*fabs(w)) { bad++; printf("scale %d %g %g\n", i, du[i], w); } }
  if (fabs(ds - wds) > 1e-12*fabs(wds)) { bad++; printf("ds %g %g\n", ds, wds); }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
