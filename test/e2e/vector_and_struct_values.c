/* User vector types (ext_vector_type: insert/extract/shuffle), complex
 * numbers as structs returned by value, and a long dot product that -O3
 * vectorizes; finite differences and analytic. */
#include <math.h>
#include <stdio.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void*, ...);
typedef double v4 __attribute__((ext_vector_type(4)));
typedef struct { double re, im; } cplx;
static cplx cmul(cplx a, cplx b) { cplx r = {a.re*b.re - a.im*b.im, a.re*b.im + a.im*b.re}; return r; }
double vf(const double *x, int n) {
  v4 acc = 0; for (int i = 0; i + 4 <= n; i += 4) { v4 v = {x[i], x[i+1], x[i+2], x[i+3]}; acc += v * v.yzwx; }
  return acc.x + acc.y * 2 + acc.z * 3 + acc.w * 4;
}
double cf(double a, double b) { cplx z = {a, b}; cplx w = cmul(z, z); w = cmul(w, z); return w.re + 2 * w.im; }
double dot(const double *x, int n) { double s = 0; for (int i = 0; i < n; ++i) s += x[i] * x[i] * (1 + i % 3); return s; }
int main() {
  double x[8] = {1,2,3,4,5,6,7,8}, dx[8] = {0}; int bad = 0;
  __enzyme_autodiff((void*)vf, x, dx, 8);
  for (int i = 0; i < 8; ++i) { double h = 1e-6, a[8], b[8]; for (int j=0;j<8;++j) a[j]=b[j]=x[j]; a[i]+=h; b[i]-=h;
    double fd = (vf(a,8)-vf(b,8))/(2*h); if (fabs(dx[i]-fd) > 1e-5) { bad++; printf("vf %d %g %g\n", i, dx[i], fd); } }
  typedef struct { double a, b; } D2; extern D2 __enzyme_autodiff2(void*, ...);
  D2 r = __enzyme_autodiff2((void*)cf, 0.7, -0.4);
  double h = 1e-6, fa = (cf(0.7+h,-0.4)-cf(0.7-h,-0.4))/(2*h), fb = (cf(0.7,-0.4+h)-cf(0.7,-0.4-h))/(2*h);
  if (fabs(r.a-fa) > 1e-6 || fabs(r.b-fb) > 1e-6) { bad++; printf("cf %g %g %g %g\n", r.a, fa, r.b, fb); }
  double y[1000], dy[1000]; for (int i = 0; i < 1000; ++i) { y[i] = sin(i); dy[i] = 0; }
  __enzyme_autodiff((void*)dot, y, dy, 1000);
  for (int i = 0; i < 1000; ++i) if (fabs(dy[i] - 2*y[i]*(1+i%3)) > 1e-12) { bad++; printf("dot %d\n", i); break; }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
