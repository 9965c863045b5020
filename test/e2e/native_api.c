/* Cotangent's own operators (include/cotangent.h):
 *   ct_gradient(f, x, &dx, ...)              derivatives through pointers
 *   ct_value_with_gradient(f, x, &dx, ...)   also returns f's value (double)
 *   ct_const(x)                              x held constant, no pointer
 * with double and float parameters and results, integer parameters of
 * several widths (passed as is), derivatives stored into array elements and
 * struct fields, the same function under several activity patterns, and
 * operator calls in a loop of the caller. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdbool.h>

static double f_xy(double x, double y) { return x * sin(y) + y * y / x; }
static float f_float(float x, float y) { return x * x * y - cosf(y) / x; }
static float f_mixed_ret_float(double x, float y) { return (float)(x * exp(x)) * y; }
static double f_mixed_ret_double(float x, double y) { return (double)(x * x) * y + y; }
static double f_int(double x, int n, double y) { return x * n + y * y * n - x / n; }
static double f_long(long k, double x) { return (double)k * x * x; }
static double f_short_char(short s, double x, unsigned char c) { return (s + c) * x + x * x; }
static double f_bool(double x, bool b) { return b ? x * x : 3.0 * x; }
static float f_int_float(int n, float x) { return (float)n * x * x; }
static double f_ignores_y(double x, double y) {
  (void)y;
  return x * x;
}
static double f_five(double a, double b, double c, double d, double e) {
  return a * b * c * d * e + a - e + sqrt(c * c + d * d);
}

static void test_doubles(void) {
  static const double pts[][2] = {{1.5, 0.3}, {-0.8, 2.2}, {3.0, -1.0}};
  for (unsigned i = 0; i < 3; ++i) {
    double x = pts[i][0], y = pts[i][1];
    double want_x = sin(y) - y * y / (x * x), want_y = x * cos(y) + 2.0 * y / x;
    double dx = NAN, dy = NAN;
    ct_gradient(f_xy, x, &dx, y, &dy);
    CHECK_AT_D("ct_gradient d/dx", x, dx, want_x);
    CHECK_AT_D("ct_gradient d/dy", y, dy, want_y);
    dx = dy = NAN;
    double v = ct_value_with_gradient(f_xy, x, &dx, y, &dy);
    CHECK_AT_D("ct_value_with_gradient value", x, v, f_xy(x, y));
    CHECK_AT_D("ct_value_with_gradient d/dx", x, dx, want_x);
    CHECK_AT_D("ct_value_with_gradient d/dy", y, dy, want_y);
    /* ct_const on either side; the other derivative pointer is untouched */
    dx = dy = NAN;
    ct_gradient(f_xy, x, &dx, ct_const(y));
    CHECK_AT_D("d/dx, y const", x, dx, want_x);
    CHECK(isnan(dy));
    v = ct_value_with_gradient(f_xy, ct_const(x), y, &dy);
    CHECK_AT_D("value, x const", x, v, f_xy(x, y));
    CHECK_AT_D("d/dy, x const", y, dy, want_y);
  }
}

static void test_floats(void) {
  float x = 1.25f, y = -0.75f, dx = NAN, dy = NAN;
  double want_x = 2.0 * x * y + cos(y) / ((double)x * x), want_y = (double)x * x + sin(y) / x;
  ct_gradient(f_float, x, &dx, y, &dy);
  CHECK_F(dx, want_x);
  CHECK_F(dy, want_y);
  /* a float result comes back as a double */
  double v = ct_value_with_gradient(f_float, x, &dx, y, &dy);
  CHECK_F(v, f_float(x, y));
  CHECK_F(dx, want_x);
  CHECK_F(dy, want_y);
  /* double arguments for float parameters are converted */
  double xd = 1.25, yd = -0.75;
  dx = dy = NAN;
  ct_gradient(f_float, xd, &dx, yd, &dy);
  CHECK_F(dx, want_x);
  CHECK_F(dy, want_y);
  dy = NAN;
  ct_gradient(f_float, ct_const(x), y, &dy);
  CHECK_F(dy, want_y);
}

static void test_mixed_precision(void) {
  double x = 0.7, dx = NAN;
  float y = 2.5f, dy = NAN;
  double v = ct_value_with_gradient(f_mixed_ret_float, x, &dx, y, &dy);
  CHECK_F(v, (float)(x * exp(x)) * y);
  CHECK_F(dx, (exp(x) + x * exp(x)) * y);
  CHECK_F(dy, x * exp(x));
  float a = -1.5f, da = NAN;
  double b = 0.35, db = NAN;
  v = ct_value_with_gradient(f_mixed_ret_double, a, &da, b, &db);
  CHECK_D(v, 2.25 * 0.35 + 0.35);
  CHECK_F(da, 2.0 * a * b);
  CHECK_D(db, (double)(a * a) + 1.0);
}

static void test_integers(void) {
  for (int n = -2; n <= 3; ++n) {
    if (n == 0)
      continue;
    double x = 0.6 + n, y = 1.5 - n, dx = NAN, dy = NAN;
    ct_gradient(f_int, x, &dx, n, y, &dy);
    CHECK_AT_D("d/dx int", x, dx, n - 1.0 / n);
    CHECK_AT_D("d/dy int", y, dy, 2.0 * y * n);
    double v = ct_value_with_gradient(f_int, ct_const(x), n, y, &dy);
    CHECK_AT_D("value int", x, v, f_int(x, n, y));
    CHECK_AT_D("d/dy int, x const", y, dy, 2.0 * y * n);
    float fx = (float)x, fdx = NAN;
    ct_gradient(f_int_float, n, fx, &fdx);
    CHECK_AT_F("d/dx n x^2 (float)", fx, fdx, 2.0 * n * fx);
  }
  /* wider and narrower integers than int */
  double x = 1.5, dx = NAN;
  long k = 5000000000L;
  ct_gradient(f_long, k, x, &dx);
  CHECK_D(dx, 2.0 * 5000000000.0 * x);
  ct_gradient(f_long, -7L, x, &dx);
  CHECK_D(dx, -14.0 * x);
  short s = -300;
  unsigned char c = 200;
  ct_gradient(f_short_char, s, x, &dx, c);
  CHECK_D(dx, -100.0 + 2.0 * x);
  ct_gradient(f_bool, x, &dx, true);
  CHECK_D(dx, 2.0 * x);
  ct_gradient(f_bool, x, &dx, false);
  CHECK_D(dx, 3.0);
}

/* a parameter the result does not use gets an exact 0 */
static void test_unused_parameter(void) {
  double dx = NAN, dy = NAN;
  ct_gradient(f_ignores_y, 3.0, &dx, 4.0, &dy);
  CHECK_D(dx, 6.0);
  CHECK(dy == 0.0);
}

/* derivatives into an array and into struct fields */
static void test_destinations(void) {
  double in[5] = {0.5, -1.25, 2.0, 0.75, 1.5};
  double g[5] = {NAN, NAN, NAN, NAN, NAN};
  double v = ct_value_with_gradient(f_five, in[0], &g[0], in[1], &g[1], in[2], &g[2], in[3], &g[3], in[4],
                                    &g[4]);
  double a = in[0], b = in[1], c = in[2], d = in[3], e = in[4];
  double r = sqrt(c * c + d * d);
  CHECK_D(v, f_five(a, b, c, d, e));
  CHECK_D(g[0], b * c * d * e + 1.0);
  CHECK_D(g[1], a * c * d * e);
  CHECK_D(g[2], a * b * d * e + c / r);
  CHECK_D(g[3], a * b * c * e + d / r);
  CHECK_D(g[4], a * b * c * d - 1.0);
  struct {
    double da, dc, de;
  } out = {NAN, NAN, NAN};
  ct_gradient(f_five, a, &out.da, ct_const(b), c, &out.dc, ct_const(d), e, &out.de);
  CHECK_D(out.da, b * c * d * e + 1.0);
  CHECK_D(out.dc, a * b * d * e + c / r);
  CHECK_D(out.de, a * b * c * d - 1.0);
}

/* the operators in a loop of the caller (only f must be straight-line) */
static void test_in_loop(void) {
  double sum = 0, want = 0;
  for (int i = 0; i < 20; ++i) {
    double x = 0.1 * i + 0.05, y = 1.0 - 0.07 * i, dx, dy;
    ct_gradient(f_xy, x, &dx, y, &dy);
    sum += dx + 2.0 * dy;
    want += sin(y) - y * y / (x * x) + 2.0 * (x * cos(y) + 2.0 * y / x);
  }
  CHECK_D(sum, want);
}

int main(void) {
  test_doubles();
  test_floats();
  test_mixed_precision();
  test_integers();
  test_unused_parameter();
  test_destinations();
  test_in_loop();
  return check_summary("native_api");
}
