// Derivative and shadow pointers of the wrong type are compile errors at
// the argument (a float * receiving the derivative of a double would get
// 8-byte stores), in Cotangent's operators and in Enzyme's ABI; a struct
// (or complex number) passed by value is reported as such (not as
// "floating-point parameter 1"), not supported yet. void * shadows, as
// Enzyme code casts them, and arrays of the right element type (a flat
// double[9] for a double (*)[3]) are accepted.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

static double total(const double *x, long n) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}
static double mixed(double x, float y) { return x * x * y; }
static float totalf(const float *x, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}
struct point {
  double x, y;
};
static double trace(const double (*m)[3]) { return m[0][0] + m[1][1] + m[2][2]; }
static double norm2(struct point p) { return p.x * p.x + p.y * p.y; }
static double abs2(double _Complex z) { return __real__ z * __real__ z + __imag__ z * __imag__ z; }
struct sizes {
  int rows, cols;
};
static double area(struct sizes s, double h) { return s.rows * s.cols * h; }

void wrong(const double *x, float *fshadow, float *fdx, double *ddx, double *dshadow) {
  float dy;
  // CHECK: diag_operator_types.c:[[@LINE+1]]:25: error: ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  ct_gradient(total, x, fshadow, 4L);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:27: error: ct_gradient: parameter 1 ('x') of 'mixed' has type 'double', so the pointer receiving its derivative must be 'double *', not 'float *'
  ct_gradient(mixed, 1.0, fdx, 2.0f, &dy);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:55: error: ct_value_with_gradient: parameter 2 ('y') of 'mixed' has type 'float', so the pointer receiving its derivative must be 'float *', not 'double *'
  (void)ct_value_with_gradient(mixed, 1.0, ddx, 2.0f, ddx);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:60: error: ct_pullback: parameter 1 ('x') of 'totalf' points to 'float', so its shadow must point to 'float' too, not be 'double *'
  ct_pullback_t pb = ct_pullback(totalf, (const float *)0, dshadow, 4);
  ct_pullback_free(pb);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:45: error: __enzyme_autodiff: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  (void)__enzyme_autodiff((void *)total, x, fshadow, 4L);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:57: error: __enzyme_autodiff: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  (void)__enzyme_autodiff((void *)total, enzyme_dup, x, fshadow, 4L);
  const double(*m)[3] = 0;
  float fflat[9];
  // CHECK: diag_operator_types.c:[[@LINE+1]]:45: error: __enzyme_autodiff: parameter 1 ('m') of 'trace' points to 'double[3]', so its shadow must point to 'double[3]' too, not be 'float[9]'
  (void)__enzyme_autodiff((void *)trace, m, fflat);
}

void by_value(struct point p, double _Complex z, double *d) {
  // CHECK: diag_operator_types.c:[[@LINE+1]]:25: error: ct_gradient: parameter 1 ('p') of 'norm2' is a struct 'struct point' passed by value, so the pointer to its tangent struct that follows it must be 'struct point *', not 'double *'
  ct_gradient(norm2, p, d);
  // CHECK: diag_operator_types.c:[[@LINE+1]]:21: error: ct_gradient: parameter 1 ('z') of 'abs2' is a complex number passed by value ('_Complex double'): differentiating functions that take complex numbers by value is not supported yet
  ct_gradient(abs2, z, d);
}

void right(const double *x, void *vshadow, double *dshadow, struct sizes s) {
  double g[4] = {0}, dx, dh;
  float dy;
  ct_gradient(total, x, g, 4L);
  ct_gradient(total, x, vshadow, 4L);
  ct_gradient(total, x, (void *)dshadow, 4L);
  (void)__enzyme_autodiff((void *)total, x, (double *)vshadow, 4L);
  (void)__enzyme_autodiff((void *)total, enzyme_dup, x, vshadow, 4L);
  (void)__enzyme_autodiff((void *)total, enzyme_const, x, 4L);
  ct_gradient(mixed, 1.0, &dx, 2.0f, &dy);
  ct_gradient(mixed, 1.0f, &dx, 2.0, &dy); /* the values are converted */
  ct_gradient(area, s, 2.0, &dh);          /* a struct of integers is constant */
  const double(*m)[3] = 0;
  double flat[9], rows[3][3];
  (void)__enzyme_autodiff((void *)trace, m, flat); /* the same elements */
  ct_gradient(trace, m, rows);
}
// CHECK-NOT: error:
// CHECK: 9 errors generated.
