/* Integer views of floating-point values (the bits carry no derivative;
 * the floating-point code around them must be right):
 *   - the fast inverse square root, its float read as int32_t through a
 *     pointer cast, a union and memcpy, a double version with two Newton
 *     steps, in place in an array (through memcpy), in
 *     an array of unions, as an int array copied in and out with memcpy,
 *     in a loop long enough to be vectorized, and inside a normalization.
 *     y0 = magic - (bits(x) >> 1) moves in steps of an ulp: its derivative
 *     is 0 and only the x in the Newton step y0 (1.5 - 0.5 x y0^2) has one,
 *     -0.5 y0^3 (checked analytically, and against central differences of
 *     the Newton step with y0 held)
 *   - bits copied through integer memory and back unchanged: the identity
 *   - the sign bit flipped, cleared or set through integer memory (the
 *     bits of a double argument's elements) and in the bytes of a local:
 *     exactly -x, |x| and -|x|, whose derivatives are -1, sign(x), -sign(x)
 *     (LLVM folds the register forms into fneg/fabs itself), and the
 *     magnitude of x with the sign of y, copysign(x, y), in registers and
 *     through memory
 * The integer arithmetic warns (-Wpass-failed), as documented. */
/* run.sh flags: -Wno-pass-failed */
#include "check.h"

#include <cotangent.h>
#include <stdint.h>
#include <string.h>

static float rsqrt_cast(float number) {
  float x2 = number * 0.5f, y = number;
  int32_t i = *(int32_t *)&y;
  i = 0x5f3759df - (i >> 1);
  y = *(float *)&i;
  return y * (1.5f - x2 * y * y);
}

typedef union {
  float f;
  uint32_t i;
} fbits;

static float rsqrt_union(float x) {
  fbits u = {x};
  u.i = 0x5f3759df - (u.i >> 1);
  float y = u.f;
  return y * (1.5f - 0.5f * x * y * y);
}

static float rsqrt_memcpy(float x) {
  uint32_t i;
  memcpy(&i, &x, sizeof i);
  i = 0x5f3759df - (i >> 1);
  float y;
  memcpy(&y, &i, sizeof y);
  return y * (1.5f - 0.5f * x * y * y);
}

static double rsqrt_double(double x) {
  union {
    double d;
    uint64_t i;
  } u = {x};
  u.i = 0x5fe6eb50c7b537a9ull - (u.i >> 1);
  double y = u.d;
  y = y * (1.5 - 0.5 * x * y * y);
  return y * (1.5 - 0.5 * x * y * y);
}

/* x[k] replaced by its estimate */
static float in_place_memcpy(float *x, int n) {
  float s = 0;
  for (int k = 0; k < n; ++k) {
    float v = x[k];
    uint32_t i;
    memcpy(&i, &x[k], sizeof i);
    i = 0x5f3759df - (i >> 1);
    memcpy(&x[k], &i, sizeof i);
    s += x[k] * (1.5f - 0.5f * v * x[k] * x[k]) * (k + 1);
  }
  return s;
}

static float union_array(const float *x, int n) {
  fbits u[8];
  for (int k = 0; k < n; ++k)
    u[k].f = x[k];
  for (int k = 0; k < n; ++k)
    u[k].i = 0x5f3759df - (u[k].i >> 1);
  float s = 0;
  for (int k = 0; k < n; ++k)
    s += u[k].f * (1.5f - 0.5f * x[k] * u[k].f * u[k].f) * (k + 1);
  return s;
}

static float int_array(const float *x, float *y, int n) {
  uint32_t b[8];
  memcpy(b, x, sizeof(float) * (size_t)n);
  for (int k = 0; k < n; ++k)
    b[k] = 0x5f3759df - (b[k] >> 1);
  memcpy(y, b, sizeof(float) * (size_t)n);
  float s = 0;
  for (int k = 0; k < n; ++k)
    s += y[k] * (1.5f - 0.5f * x[k] * y[k] * y[k]) * (k + 1);
  return s;
}

static inline float rsq(float number) {
  int32_t i;
  float x2 = number * 0.5f, y = number;
  memcpy(&i, &y, sizeof i);
  i = 0x5f3759df - (i >> 1);
  memcpy(&y, &i, sizeof y);
  return y * (1.5f - x2 * y * y);
}
static float long_loop(const float *x, float *out, int n) {
  for (int k = 0; k < n; ++k)
    out[k] = rsq(x[k]);
  float s = 0;
  for (int k = 0; k < n; ++k)
    s += out[k] * (float)(k % 5 + 1);
  return s;
}

static inline double rsqd(double x) {
  uint64_t i;
  memcpy(&i, &x, sizeof i);
  i = 0x5fe6eb50c7b537a9ull - (i >> 1);
  double y;
  memcpy(&y, &i, sizeof y);
  return y * (1.5 - 0.5 * x * y * y);
}
/* u = v / |v| (approximately), weighted */
static double normalized(const double *v, double *u, int n) {
  double s = 0;
  for (int k = 0; k < n; ++k)
    s += v[k] * v[k];
  double r = rsqd(s), t = 0;
  for (int k = 0; k < n; ++k) {
    u[k] = v[k] * r;
    t += u[k] * (k + 1);
  }
  return t;
}

static float round_trip(const float *x, float *y, int n) {
  uint32_t b[8];
  memcpy(b, x, sizeof(float) * (size_t)n);
  memcpy(y, b, sizeof(float) * (size_t)n);
  float s = 0;
  for (int k = 0; k < n; ++k)
    s += y[k] * y[k];
  return s;
}

/* x[0] = -x[0], x[1] = |x[1]|, x[2] = -|x[2]|, on their bits */
static void set_bits(double *x, uint64_t xor_mask, uint64_t and_mask, uint64_t or_mask) {
  uint64_t b;
  memcpy(&b, x, sizeof b);
  b = ((b ^ xor_mask) & and_mask) | or_mask;
  memcpy(x, &b, sizeof b);
}
static double sign_bits(double *x) {
  set_bits(&x[0], 0x8000000000000000ull, ~0ull, 0);
  set_bits(&x[1], 0, 0x7fffffffffffffffull, 0);
  set_bits(&x[2], 0, ~0ull, 0x8000000000000000ull);
  return x[0] * 2 + x[1] * 3 + x[2] * 5 + x[0] * x[1] * x[2];
}

/* the magnitude of one value with the sign of another: copysign */
static double copysign_bits(double x, double y) {
  uint64_t a, b;
  memcpy(&a, &x, sizeof a);
  memcpy(&b, &y, sizeof b);
  a = (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull);
  double r;
  memcpy(&r, &a, sizeof r);
  return r * 3 + x * y;
}
static double copysign_memory(double *x) {
  uint64_t a, b;
  memcpy(&a, &x[0], sizeof a);
  memcpy(&b, &x[1], sizeof b);
  a = (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull);
  memcpy(&x[0], &a, sizeof a);
  return x[0] * 3 + x[0] * x[1];
}

static float sign_byte(float x) {
  unsigned char b[4];
  memcpy(b, &x, sizeof b);
  b[3] ^= 0x80; /* little endian: the sign bit */
  float y;
  memcpy(&y, b, sizeof y);
  return y * x + 3 * y;
}

/* the estimates the functions compute, without a derivative */
static float y0_of(float x) {
  fbits u = {x};
  u.i = 0x5f3759df - (u.i >> 1);
  return u.f;
}
static double y0_of_double(double x) {
  uint64_t i;
  memcpy(&i, &x, sizeof i);
  i = 0x5fe6eb50c7b537a9ull - (i >> 1);
  double y;
  memcpy(&y, &i, sizeof y);
  return y;
}
static double newton(double x, double y0) { return y0 * (1.5 - 0.5 * x * y0 * y0); }

int main(void) {
  static const float xs[3] = {0.7f, 2.0f, 9.3f};
  for (int t = 0; t < 3; ++t) {
    float x = xs[t], y0 = y0_of(x), want = -0.5f * y0 * y0 * y0, d;
    double h = 1e-4 * x, fd = (newton(x + h, y0) - newton(x - h, y0)) / (2 * h);
    CHECK_TOL(want, fd, 1e-5); /* the analytic derivative, checked */
    d = 0;
    ct_gradient(rsqrt_cast, x, &d);
    CHECK_F(d, want);
    d = 0;
    ct_gradient(rsqrt_union, x, &d);
    CHECK_F(d, want);
    d = 0;
    ct_gradient(rsqrt_memcpy, x, &d);
    CHECK_F(d, want);
    double xd = x, z0 = y0_of_double(xd), z1 = newton(xd, z0);
    double dz1 = -0.5 * z0 * z0 * z0, dz2 = dz1 * (1.5 - 0.5 * xd * z1 * z1) + z1 * (-0.5 * z1 * z1 - xd * z1 * dz1);
    double hd = 1e-5 * xd;
    CHECK_TOL(dz2, (newton(xd + hd, newton(xd + hd, z0)) - newton(xd - hd, newton(xd - hd, z0))) / (2 * hd), 1e-7);
    double dd = 0;
    ct_gradient(rsqrt_double, xd, &dd);
    CHECK_D(dd, dz2);
  }

  float a[3], da[3] = {0};
  memcpy(a, xs, sizeof a);
  memset(da, 0, sizeof da);
  ct_gradient(in_place_memcpy, a, da, 3);
  for (int k = 0; k < 3; ++k) {
    float y0 = y0_of(xs[k]);
    CHECK_F(da[k], (k + 1) * -0.5f * y0 * y0 * y0);
  }
  float dx[3] = {0};
  ct_gradient(union_array, xs, dx, 3);
  for (int k = 0; k < 3; ++k) {
    float y0 = y0_of(xs[k]);
    CHECK_F(dx[k], (k + 1) * -0.5f * y0 * y0 * y0);
  }
  float y[3], dy[3] = {0};
  memset(dx, 0, sizeof dx);
  ct_gradient(int_array, xs, dx, y, dy, 3);
  for (int k = 0; k < 3; ++k) {
    float y0 = y0_of(xs[k]);
    CHECK_F(dx[k], (k + 1) * -0.5f * y0 * y0 * y0);
  }

  enum { N = 37 };
  float lx[N], ldx[N] = {0}, lout[N], ldout[N] = {0};
  for (int k = 0; k < N; ++k)
    lx[k] = 0.3f + 0.71f * (float)k;
  ct_gradient(long_loop, lx, ldx, lout, ldout, N);
  for (int k = 0; k < N; ++k) {
    float y0 = y0_of(lx[k]);
    CHECK_F(ldx[k], (float)(k % 5 + 1) * -0.5f * y0 * y0 * y0);
  }
  double v[N], dv[N] = {0}, u[N], du[N] = {0};
  for (int k = 0; k < N; ++k)
    v[k] = 0.1 * (k - 10);
  ct_gradient(normalized, v, dv, u, du, N);
  double s = 0, w = 0;
  for (int k = 0; k < N; ++k) {
    s += v[k] * v[k];
    w += v[k] * (k + 1);
  }
  double z0 = y0_of_double(s), r = newton(s, z0), drds = -0.5 * z0 * z0 * z0;
  for (int k = 0; k < N; ++k)
    CHECK_D(dv[k], (k + 1) * r + w * drds * 2 * v[k]);

  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  ct_gradient(round_trip, xs, dx, y, dy, 3);
  for (int k = 0; k < 3; ++k)
    CHECK_F(dx[k], 2 * xs[k]);

  double sb[3] = {1.5, -2.5, 0.5}, dsb[3] = {0};
  ct_gradient(sign_bits, sb, dsb);
  /* with p = -x0, q = |x1|, r = -|x2|: 2p + 3q + 5r + p q r */
  double p = 1.5 * -1, q = 2.5, rr = -0.5;
  CHECK_D(dsb[0], -(2 + q * rr));
  CHECK_D(dsb[1], -(3 + p * rr));      /* sign(x1) = -1 */
  CHECK_D(dsb[2], -(5 + p * q));       /* -sign(x2) = -1 */

  double dcx = 0, dcy = 0; /* copysign(1.5, -2) 3 + x y */
  ct_gradient(copysign_bits, 1.5, &dcx, -2.0, &dcy);
  CHECK_D(dcx, -3 + -2.0);
  CHECK_D(dcy, 1.5);
  double cx[2] = {1.5, -2}, dcs[2] = {0}; /* c = copysign(x0, x1) = -1.5: 3 c + c x1 */
  ct_gradient(copysign_memory, cx, dcs);
  CHECK_D(dcs[0], -(3 + -2.0));
  CHECK_D(dcs[1], -1.5);

  float db = 0;
  ct_gradient(sign_byte, 1.5f, &db); /* (-x) x + 3 (-x) */
  CHECK_F(db, -2 * 1.5f - 3);
  return check_summary("float_bits");
}
