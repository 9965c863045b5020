/* Branch-free control flow and conversions:
 *   - ternaries and simple ifs that LLVM turns into selects: piecewise
 *     polynomials, leaky ReLU, clamp, min/max/abs written by hand, a choice
 *     between two arguments, conditions on integers and on active values
 *   - float <-> double (fpext / fptrunc) in both directions, mixed
 *   - float -> int -> float truncation: zero derivative
 *   - int -> float of an integer argument (a constant factor)
 * Points are chosen away from the branch boundaries. */
/* The conversions below lose their derivative on purpose: silence the
 * warning Cotangent gives for them (its text is tested in test/lit). */
#pragma clang diagnostic ignored "-Wpass-failed"
#include "check.h"

#include <cotangent.h>
#include <math.h>

/* ---- selects ---- */
static double s_piecewise(double x) {
  double r;
  if (x > 1.0)
    r = x * x;
  else
    r = 2.0 * x - 1.0;
  return r;
}
static double s_leaky_relu(double x) { return x > 0.0 ? x : 0.01 * x; }
static double s_clamp(double x, double lo, double hi) {
  double upper = x > hi ? hi : x;
  return x < lo ? lo : upper;
}
static double s_abs(double x) { return x < 0.0 ? -x : x; } /* may become llvm.fabs */
static double s_min(double x, double y) { return x < y ? x : y; }
static double s_max_sq(double x, double y) { return x * x > y ? x * x : y; }
static double s_choose(double x, double y, int c) { return c ? x * y : x - y; }
/* three pieces as two selects of values computed up front */
static double s_three_pieces(double x) {
  double left = -x * 3.0, mid = x * x + 2.0, right = 4.0 * x - 2.0;
  double r = x < 2.0 ? mid : right;
  return x < -1.0 ? left : r;
}
static float s_float_select(float x, float y) { return x > y ? x * y : x - y; }
static double s_active_cond(double x, double y) {
  double p = x * y;
  double a = p > 1.0 ? p * x : y * 0.5;
  return a + sin(x) * cos(y);
}

static void test_selects(void) {
  static const double xs[] = {-2.5, -0.3, 0.4, 1.5, 3.0};
  for (unsigned i = 0; i < 5; ++i) {
    double x = xs[i], dx = NAN, dy = NAN, dz = NAN;
    ct_gradient(s_piecewise, x, &dx);
    CHECK_AT_D("if/else piecewise", x, dx, x > 1.0 ? 2.0 * x : 2.0);
    ct_gradient(s_leaky_relu, x, &dx);
    CHECK_AT_D("leaky relu", x, dx, x > 0.0 ? 1.0 : 0.01);
    ct_gradient(s_abs, x, &dx);
    CHECK_AT_D("abs by ternary", x, dx, x < 0.0 ? -1.0 : 1.0);
    ct_gradient(s_three_pieces, x, &dx);
    CHECK_AT_D("three pieces", x, dx, x < -1.0 ? -3.0 : (x < 2.0 ? 2.0 * x : 4.0));
    /* clamp to [-1, 2]: derivative 1 inside, bound's derivative outside */
    ct_gradient(s_clamp, x, &dx, -1.0, &dy, 2.0, &dz);
    CHECK_AT_D("clamp d/dx", x, dx, x > -1.0 && x < 2.0 ? 1.0 : 0.0);
    CHECK_AT_D("clamp d/dlo", x, dy, x < -1.0 ? 1.0 : 0.0);
    CHECK_AT_D("clamp d/dhi", x, dz, x > 2.0 ? 1.0 : 0.0);
    double y = 0.5;
    ct_gradient(s_min, x, &dx, y, &dy);
    CHECK_AT_D("min d/dx", x, dx, x < y ? 1.0 : 0.0);
    CHECK_AT_D("min d/dy", x, dy, x < y ? 0.0 : 1.0);
    ct_gradient(s_max_sq, x, &dx, y, &dy);
    CHECK_AT_D("max(x^2, y) d/dx", x, dx, x * x > y ? 2.0 * x : 0.0);
    CHECK_AT_D("max(x^2, y) d/dy", x, dy, x * x > y ? 0.0 : 1.0);
    y = 1.25;
    ct_gradient(s_active_cond, x, &dx, y, &dy);
    int big = x * y > 1.0;
    CHECK_AT_D("active condition d/dx", x, dx, (big ? 2.0 * x * y : 0.0) + cos(x) * cos(y));
    CHECK_AT_D("active condition d/dy", x, dy, (big ? x * x : 0.5) - sin(x) * sin(y));
  }
  for (int c = 0; c <= 1; ++c) {
    double x = 1.5, y = -0.8, dx = NAN, dy = NAN;
    ct_gradient(s_choose, x, &dx, y, &dy, c);
    CHECK_AT_D("choose by int d/dx", c, dx, c ? y : 1.0);
    CHECK_AT_D("choose by int d/dy", c, dy, c ? x : -1.0);
  }
  static const float fx[][2] = {{2.0f, 0.5f}, {-1.0f, 0.25f}};
  for (unsigned i = 0; i < 2; ++i) {
    float x = fx[i][0], y = fx[i][1], dx = NAN, dy = NAN;
    ct_gradient(s_float_select, x, &dx, y, &dy);
    CHECK_AT_F("float select d/dx", x, dx, x > y ? y : 1.0);
    CHECK_AT_F("float select d/dy", x, dy, x > y ? x : -1.0);
  }
}

/* ---- float <-> double ---- */
static double c_ext(float x) { return (double)x * (double)x * 3.0; }           /* fpext */
static float c_trunc(double x) { return (float)(x * x) * 2.0f; }                /* fptrunc */
static double c_mixed(float x, double y) { return (double)(x * x) * y + (float)y * x; }
static float c_round_trip(float x) { return (float)(sin((double)x) * 2.0); }
static double c_via_float(double x) { return (double)((float)x * (float)x) + x; }

static void test_fp_conversions(void) {
  static const double xs[] = {-1.5, 0.75, 2.25};
  for (unsigned i = 0; i < 3; ++i) {
    double x = xs[i], dx = NAN;
    float fx = (float)x, fdx = NAN;
    ct_gradient(c_ext, fx, &fdx);
    CHECK_AT_F("fpext x^2 3", fx, fdx, 6.0 * fx);
    double v = ct_value_with_gradient(c_trunc, x, &dx);
    CHECK_AT_F("fptrunc value", x, v, 2.0 * x * x);
    CHECK_AT_F("fptrunc 2 x^2", x, dx, 4.0 * x);
    double y = 0.5 + i, dy = NAN;
    fdx = NAN;
    ct_gradient(c_mixed, fx, &fdx, y, &dy);
    CHECK_AT_F("mixed d/dx", fx, fdx, 2.0 * fx * y + y);
    CHECK_AT_F("mixed d/dy", y, dy, (double)fx * fx + fx);
    ct_gradient(c_round_trip, fx, &fdx);
    CHECK_AT_F("float -> double sin -> float", fx, fdx, 2.0 * cos(fx));
    ct_gradient(c_via_float, x, &dx);
    CHECK_AT_F("double -> float square -> double", x, dx, 2.0 * x + 1.0);
  }
}

/* ---- float -> int -> float: zero derivative through the integer ---- */
static double t_int_part(double x) { return x * x + (double)(int)(3.0 * x); }
static double t_times_int_part(double x) { return (double)(long)x * x; }
static double t_unsigned(double x) { return sin(x) - (double)(unsigned)(x * x); }
static float t_float_int(float x) { return (float)(int)x * x + x; }
static double t_floor_by_cast(double x) { return x - (double)(long long)x; } /* fractional part */

static void test_truncation(void) {
  static const double xs[] = {0.3, 1.7, 2.6};
  for (unsigned i = 0; i < 3; ++i) {
    double x = xs[i], dx = NAN;
    ct_gradient(t_int_part, x, &dx);
    CHECK_AT_D("x^2 + (int)(3x)", x, dx, 2.0 * x);
    ct_gradient(t_times_int_part, x, &dx);
    CHECK_AT_D("(long)x * x", x, dx, (double)(long)x);
    ct_gradient(t_unsigned, x, &dx);
    CHECK_AT_D("sin x - (unsigned)x^2", x, dx, cos(x));
    ct_gradient(t_floor_by_cast, -x, &dx);
    CHECK_AT_D("x - (long long)x", -x, dx, 1.0);
    float fx = (float)x, fdx = NAN;
    ct_gradient(t_float_int, fx, &fdx);
    CHECK_AT_F("(int)x * x + x (float)", fx, fdx, (double)(int)fx + 1.0);
  }
}

/* ---- int -> float of an integer argument ---- */
static double i_scale(double x, int n) { return x * (double)n + (double)n * (double)n; }
static float i_scale_float(int n, float x, unsigned m) { return (float)n * x * x - (float)m * x; }
static double i_pow_n(double x, long n) { return pow(x, (double)n) + (double)(n * n); }

static void test_int_to_float(void) {
  for (int n = -3; n <= 4; n += 7) {
    double x = 1.25, dx = NAN;
    ct_gradient(i_scale, x, &dx, n);
    CHECK_AT_D("x * (double)n", n, dx, (double)n);
    float fx = 0.5f, fdx = NAN;
    ct_gradient(i_scale_float, n, fx, &fdx, 3u);
    CHECK_AT_F("n x^2 - m x (float)", n, fdx, 2.0 * n * fx - 3.0);
    ct_gradient(i_pow_n, x, &dx, (long)n);
    CHECK_AT_D("pow(x, (double)n)", n, dx, n * pow(x, n - 1));
  }
}

int main(void) {
  test_selects();
  test_fp_conversions();
  test_truncation();
  test_int_to_float();
  return check_summary("select_and_conversions");
}
