/* Enzyme's C ABI: __enzyme_autodiff* declared by the user with any return
 * type, markers enzyme_out / enzyme_const, default activity (floating point
 * active, integers constant), and the result holding the derivatives of the
 * active scalar arguments in argument order:
 *   - one active double / float: returned as a scalar
 *   - two doubles {double, double}: returned in two registers
 *   - three and four doubles: returned through sret memory (x86-64)
 *   - float structs: {float, float} is returned as <2 x float>, three and
 *     four floats as vectors + scalar
 *   - mixed double/float fields
 *   - enzyme_const in the middle, integer parameters, explicit enzyme_out
 * The return value is seeded with 1.0. */
#include "check.h"

#include <math.h>

int enzyme_out, enzyme_const, enzyme_dup, enzyme_dupnoneed;

typedef struct {
  double a, b;
} D2;
typedef struct {
  double a, b, c;
} D3;
typedef struct {
  double a, b, c, d;
} D4;
typedef struct {
  double a, b, c, d, e, f;
} D6;
typedef struct {
  float a, b;
} F2;
typedef struct {
  float a, b, c;
} F3;
typedef struct {
  float a, b, c, d;
} F4;
typedef struct {
  double a;
  float b;
} DF;
typedef struct {
  float a;
  double b;
} FD;
typedef struct {
  float a, b;
  double c;
} FFD;

extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff2(void *, ...);
extern float __enzyme_autodiff_f(void *, ...);
extern D2 __enzyme_autodiff_d2(void *, ...);
extern D3 __enzyme_autodiff_d3(void *, ...);
extern D4 __enzyme_autodiff_d4(void *, ...);
extern D6 __enzyme_autodiff_d6(void *, ...);
extern F2 __enzyme_autodiff_f2(void *, ...);
extern F3 __enzyme_autodiff_f3(void *, ...);
extern F4 __enzyme_autodiff_f4(void *, ...);
extern DF __enzyme_autodiff_df(void *, ...);
extern FD __enzyme_autodiff_fd(void *, ...);
extern FFD __enzyme_autodiff_ffd(void *, ...);

/* ---- the functions ---- */
static double f1(double x) { return x * x * x - 2.0 * sin(x); }
static double f2(double x, double y) { return x * exp(y) - y / x; }
static double f3(double x, double y, double z) { return x * y * z + sin(x) * cos(z) - y * y; }
static double f4(double x, double y, double z, double w) { return x * y - z * w + hypot(x, w) + log(y * z); }
static double f6(double a, double b, double c, double d, double e, double f) {
  return a * b + c * d + e * f + a * f * 0.5 - exp(c - e);
}
static float g1(float x) { return x * sinf(x); }
static float g2(float x, float y) { return x * y * y + expf(x - y); }
static float g3(float x, float y, float z) { return x * y + y * z + z * x + sqrtf(x * x + z * z); }
static float g4(float x, float y, float z, float w) { return x / y + z * w * w - logf(x); }
static double mixed_df(double x, float y) { return x * (double)y + sin(x) * (double)(y * y); }
static double mixed_fd(float x, double y) { return (double)x * exp(y) + (double)sinf(x); }
static double mixed_ffd(float x, float y, double z) { return (double)(x * y) * z + z * z; }
static double with_int(double x, int n, double y) { return n * x * y + x / n; }
static double int_first(int n, double x) { return (double)n * x * x; }

/* ---- tests ---- */
static void test_one_active(void) {
  static const double xs[] = {-1.3, 0.4, 2.0};
  for (unsigned i = 0; i < 3; ++i) {
    double x = xs[i];
    double want = 3.0 * x * x - 2.0 * cos(x);
    CHECK_AT_D("__enzyme_autodiff f1", x, __enzyme_autodiff((void *)f1, x), want);
    CHECK_AT_D("__enzyme_autodiff2 f1", x, __enzyme_autodiff2((void *)f1, x), want);
    CHECK_AT_D("enzyme_out f1", x, __enzyme_autodiff((void *)f1, enzyme_out, x), want);
    float fx = (float)x;
    CHECK_AT_F("float g1", fx, __enzyme_autodiff_f((void *)g1, fx), sin(fx) + fx * cos(fx));
  }
}

static void test_two_doubles(void) {
  double x = 1.7, y = -0.6;
  D2 d = __enzyme_autodiff_d2((void *)f2, x, y);
  CHECK_D(d.a, exp(y) + y / (x * x));
  CHECK_D(d.b, x * exp(y) - 1.0 / x);
  D2 e = __enzyme_autodiff_d2((void *)f2, enzyme_out, x, enzyme_out, y);
  CHECK_D(e.a, exp(y) + y / (x * x));
  CHECK_D(e.b, x * exp(y) - 1.0 / x);
  /* one active of two: a single double */
  CHECK_D(__enzyme_autodiff((void *)f2, enzyme_const, x, y), x * exp(y) - 1.0 / x);
  CHECK_D(__enzyme_autodiff((void *)f2, x, enzyme_const, y), exp(y) + y / (x * x));
}

static void test_three_doubles_sret(void) {
  double x = 0.8, y = -1.1, z = 2.3;
  D3 d = __enzyme_autodiff_d3((void *)f3, x, y, z);
  CHECK_D(d.a, y * z + cos(x) * cos(z));
  CHECK_D(d.b, x * z - 2.0 * y);
  CHECK_D(d.c, x * y - sin(x) * sin(z));
  /* const in the middle: two results */
  D2 e = __enzyme_autodiff_d2((void *)f3, x, enzyme_const, y, z);
  CHECK_D(e.a, y * z + cos(x) * cos(z));
  CHECK_D(e.b, x * y - sin(x) * sin(z));
  /* const first */
  D2 g = __enzyme_autodiff_d2((void *)f3, enzyme_const, x, enzyme_out, y, z);
  CHECK_D(g.a, x * z - 2.0 * y);
  CHECK_D(g.b, x * y - sin(x) * sin(z));
}

static void test_four_doubles_sret(void) {
  double x = 1.2, y = 0.7, z = 1.9, w = -0.4;
  D4 d = __enzyme_autodiff_d4((void *)f4, x, y, z, w);
  double h = hypot(x, w);
  CHECK_D(d.a, y + x / h);
  CHECK_D(d.b, x + 1.0 / y);
  CHECK_D(d.c, -w + 1.0 / z);
  CHECK_D(d.d, -z + w / h);
  D3 e = __enzyme_autodiff_d3((void *)f4, x, y, enzyme_const, z, w);
  CHECK_D(e.a, y + x / h);
  CHECK_D(e.b, x + 1.0 / y);
  CHECK_D(e.c, -z + w / h);
}

static void test_six_doubles_sret(void) {
  double a = 0.5, b = -1.5, c = 2.0, d = 0.25, e = 1.75, f = -0.8;
  D6 r = __enzyme_autodiff_d6((void *)f6, a, b, c, d, e, f);
  double x = exp(c - e);
  CHECK_D(r.a, b + 0.5 * f);
  CHECK_D(r.b, a);
  CHECK_D(r.c, d - x);
  CHECK_D(r.d, c);
  CHECK_D(r.e, f + x);
  CHECK_D(r.f, e + 0.5 * a);
}

static void test_float_structs(void) {
  float x = 1.25f, y = -0.5f, z = 0.75f, w = 2.0f;
  F2 d2 = __enzyme_autodiff_f2((void *)g2, x, y);
  CHECK_F(d2.a, y * y + exp(x - y));
  CHECK_F(d2.b, 2.0 * x * y - exp(x - y));
  F3 d3 = __enzyme_autodiff_f3((void *)g3, x, y, z);
  double r = sqrt((double)x * x + (double)z * z);
  CHECK_F(d3.a, y + z + x / r);
  CHECK_F(d3.b, x + z);
  CHECK_F(d3.c, y + x + z / r);
  F4 d4 = __enzyme_autodiff_f4((void *)g4, x, y, z, w);
  CHECK_F(d4.a, 1.0 / y - 1.0 / x);
  CHECK_F(d4.b, -x / ((double)y * y));
  CHECK_F(d4.c, (double)w * w);
  CHECK_F(d4.d, 2.0 * z * w);
  F2 e = __enzyme_autodiff_f2((void *)g3, x, enzyme_const, y, z);
  CHECK_F(e.a, y + z + x / r);
  CHECK_F(e.b, y + x + z / r);
}

static void test_mixed_structs(void) {
  double x = 0.9;
  float y = -1.5f;
  DF a = __enzyme_autodiff_df((void *)mixed_df, x, y);
  CHECK_D(a.a, (double)y + cos(x) * (double)(y * y));
  CHECK_F(a.b, x + sin(x) * 2.0 * y);
  float fx = 0.6f;
  double dy = 1.3;
  FD b = __enzyme_autodiff_fd((void *)mixed_fd, fx, dy);
  CHECK_F(b.a, exp(dy) + cos(fx));
  CHECK_D(b.b, (double)fx * exp(dy));
  float p = 1.5f, q = -2.25f;
  double z = 0.4;
  FFD c = __enzyme_autodiff_ffd((void *)mixed_ffd, p, q, z);
  CHECK_F(c.a, q * z);
  CHECK_F(c.b, p * z);
  CHECK_D(c.c, (double)(p * q) + 2.0 * z);
}

static void test_int_params(void) {
  double x = 1.4, y = -2.5;
  for (int n = 1; n <= 3; ++n) {
    D2 d = __enzyme_autodiff_d2((void *)with_int, x, n, y);
    CHECK_D(d.a, n * y + 1.0 / n);
    CHECK_D(d.b, n * x);
    /* an explicit enzyme_const on the integer */
    D2 e = __enzyme_autodiff_d2((void *)with_int, x, enzyme_const, n, y);
    CHECK_D(e.a, n * y + 1.0 / n);
    CHECK_D(e.b, n * x);
    CHECK_D(__enzyme_autodiff((void *)int_first, n, x), 2.0 * n * x);
  }
}

int main(void) {
  test_one_active();
  test_two_doubles();
  test_three_doubles_sret();
  test_four_doubles_sret();
  test_six_doubles_sret();
  test_float_structs();
  test_mixed_structs();
  test_int_params();
  return check_summary("enzyme_abi");
}
