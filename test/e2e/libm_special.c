/* Gamma and Bessel functions in the programs that use them, against
 * analytic derivatives (the digamma function psi, from its series) and
 * fourth-order central differences:
 *  - a negative binomial log-likelihood in the dispersion r and the
 *    probability p (lgamma of data plus a parameter), over a data array;
 *  - the Beta function through tgamma: B' = B (psi(a) - psi(a + b)), also
 *    at negative non-integer arguments;
 *  - a circular membrane's displacement sum_n c_n J_n(k r_i) over orders
 *    0..4 (jn in a loop, with the order a run-time integer) with respect to
 *    the wave number and the coefficients;
 *  - the Hankel magnitude sqrt(J0^2 + Y0^2) and J1, Y1 of a scaled radius;
 *  - lgammaf, tgammaf, j1f in float; expm1, log1p, cbrt, hypot and erfc
 *    together (log-sum-exp style) at points around zero and negative. */
#define _GNU_SOURCE /* j0, jn, y0 (X/Open) */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double digamma(double x) {
  double acc = 0;
  if (x < 0) {
    acc = -3.141592653589793 / tan(3.141592653589793 * x);
    x = 1 - x;
  }
  for (; x < 30; x += 1)
    acc -= 1 / x;
  double t = 1 / (x * x);
  return acc + log(x) - 0.5 / x - t * (1.0 / 12 - t * (1.0 / 120 - t * (1.0 / 252 - t / 240)));
}

/* fourth-order central difference of the expression in v (a variable) */
#define FD4(expr, v, h, out)                                                                            \
  do {                                                                                                  \
    double k_ = (v), s_[4], o_[4] = {-2, -1, 1, 2};                                                     \
    for (int j_ = 0; j_ < 4; ++j_) {                                                                    \
      (v) = k_ + o_[j_] * (h);                                                                          \
      s_[j_] = (expr);                                                                                  \
    }                                                                                                   \
    (v) = k_;                                                                                           \
    (out) = (s_[0] - 8 * s_[1] + 8 * s_[2] - s_[3]) / (12 * (h));                                       \
  } while (0)
#define CHECK_FD(what, got, fd) check_scaled(__FILE__, __LINE__, what, (got), (fd), fabs(fd) + 1, 1e-8)

/* ---- negative binomial ---- */

static double negbin_loglik(double r, double p, const int *k, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += lgamma(k[i] + r) - lgamma(r) - lgamma(k[i] + 1.0) + r * log(p) + k[i] * log1p(-p);
  return s;
}

static void test_negbin(void) {
  static const int k[6] = {0, 3, 1, 7, 2, 12};
  static const double rs[] = {0.4, 1.0, 2.5, 9.0}, ps[] = {0.2, 0.55, 0.9};
  for (unsigned i = 0; i < sizeof rs / sizeof rs[0]; ++i)
    for (unsigned j = 0; j < sizeof ps / sizeof ps[0]; ++j) {
      double r = rs[i], p = ps[j], dr = -7, dp = -7, wr = 0, wp = 0;
      double v = ct_value_with_gradient(negbin_loglik, r, &dr, p, &dp, ct_const(k), 6);
      CHECK_D(v, negbin_loglik(r, p, k, 6));
      for (int m = 0; m < 6; ++m) {
        wr += digamma(k[m] + r) - digamma(r) + log(p);
        wp += r / p - k[m] / (1 - p);
      }
      CHECK_AT_D("d/dr negative binomial", r, dr, wr);
      CHECK_AT_D("d/dp negative binomial", p, dp, wp);
      double f;
      FD4(negbin_loglik(r, p, k, 6), r, 1e-4, f);
      CHECK_FD("d/dr (differences)", dr, f);
    }
}

/* ---- Beta through tgamma ---- */

static double beta(double a, double b) { return tgamma(a) * tgamma(b) / tgamma(a + b); }

static void test_beta(void) {
  static const double p[][2] = {{0.5, 0.5}, {2.0, 3.5}, {1.25, 0.3}, {-0.5, 2.25}, {-1.5, 3.7}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i][0], b = p[i][1], da = -7, db = -7, f;
    double v = ct_value_with_gradient(beta, a, &da, b, &db);
    CHECK_D(v, beta(a, b));
    CHECK_AT_D("d/da Beta", a, da, v * (digamma(a) - digamma(a + b)));
    CHECK_AT_D("d/db Beta", b, db, v * (digamma(b) - digamma(a + b)));
    FD4(beta(a, b), a, 1e-4, f);
    CHECK_FD("d/da Beta (differences)", da, f);
  }
}

/* ---- Bessel ---- */

enum { ORDERS = 5, RADII = 4 };

typedef struct {
  double c[ORDERS];
  double r[RADII];
} membrane;

static double displacement(double k, const membrane *m) {
  double s = 0;
  for (int i = 0; i < RADII; ++i)
    for (int n = 0; n < ORDERS; ++n)
      s += m->c[n] * jn(n, k * m->r[i]);
  return s;
}

static double hankel(double k, double r) {
  double x = k * r, j = j0(x), y = y0(x);
  return sqrt(j * j + y * y) + j1(x) * y1(x);
}

static void test_bessel(void) {
  membrane m = {{1.0, -0.5, 0.25, 0.75, -0.125}, {0.0, 0.3, 1.1, 2.5}}, dm = {{0}, {0}};
  static const double ks[] = {0.5, 1.7, -2.2, 6.0};
  for (unsigned i = 0; i < sizeof ks / sizeof ks[0]; ++i) {
    double k = ks[i], dk = -7, want = 0, f;
    for (int n = 0; n < ORDERS; ++n)
      dm.c[n] = 0;
    double v = ct_value_with_gradient(displacement, k, &dk, &m, &dm);
    CHECK_D(v, displacement(k, &m));
    for (int r = 0; r < RADII; ++r)
      for (int n = 0; n < ORDERS; ++n) {
        double x = k * m.r[r];
        want += m.c[n] * m.r[r] * 0.5 * (jn(n - 1, x) - jn(n + 1, x));
      }
    CHECK_AT_D("d/dk membrane", k, dk, want);
    FD4(displacement(k, &m), k, 1e-4, f);
    CHECK_FD("d/dk membrane (differences)", dk, f);
    for (int n = 0; n < ORDERS; ++n) {
      double jsum = 0;
      for (int r = 0; r < RADII; ++r)
        jsum += jn(n, k * m.r[r]);
      CHECK_AT_D("d/dc_n membrane", n, dm.c[n], jsum);
    }
  }
  static const double h[][2] = {{0.5, 1.0}, {1.7, 2.0}, {3.0, 0.4}};
  for (unsigned i = 0; i < sizeof h / sizeof h[0]; ++i) {
    double k = h[i][0], r = h[i][1], dk = -7, dr = -7, f;
    ct_gradient(hankel, k, &dk, r, &dr);
    FD4(hankel(k, r), k, 1e-4, f);
    CHECK_FD("d/dk Hankel magnitude (differences)", dk, f);
    FD4(hankel(k, r), r, 1e-4, f);
    CHECK_FD("d/dr Hankel magnitude (differences)", dr, f);
  }
}

/* ---- float, and the smaller functions together ---- */

static float special_f(float x) { return lgammaf(x) + 0.5f * tgammaf(x) + j1f(2 * x); }

static double small_ones(double x, double y) {
  return log1p(expm1(x) * expm1(x)) + cbrt(x * y - 0.5) + hypot(x, 2 * y) + erfc(x - y);
}

static void test_small(void) {
  static const double p[] = {0.3, 1.5, 4.0, -0.7};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double x = p[i];
    float d = -7;
    ct_gradient(special_f, (float)x, &d);
    double xf = (float)x;
    double want = digamma(xf) + 0.5 * tgamma(xf) * digamma(xf) + 2 * (j0(2 * xf) - j1(2 * xf) / (2 * xf));
    CHECK_SCALED(d, want, fabs(want) + 1, 2e-5);
  }
  static const double q[][2] = {{0.3, -0.2}, {-1.1, 0.6}, {0.0, 1.0}, {2.0, 0.75}};
  for (unsigned i = 0; i < sizeof q / sizeof q[0]; ++i) {
    double x = q[i][0], y = q[i][1], dx = -7, dy = -7, f;
    ct_gradient(small_ones, x, &dx, y, &dy);
    FD4(small_ones(x, y), x, 1e-4, f);
    CHECK_FD("d/dx expm1 log1p cbrt hypot erfc (differences)", dx, f);
    FD4(small_ones(x, y), y, 1e-4, f);
    CHECK_FD("d/dy expm1 log1p cbrt hypot erfc (differences)", dy, f);
  }
}

int main(void) {
  test_negbin();
  test_beta();
  test_bessel();
  test_small();
  return check_summary("libm_special");
}
