/* C99 _Complex code as people write it, differentiated with respect to real
 * parameters and to the real and imaginary parts of complex inputs:
 *  - a polynomial evaluated by Horner's rule in complex arithmetic (z * w:
 *    clang's inline product, __muldc3 when it is NaN), |p(z)|^2;
 *  - the magnitude response of a filter, |H(i w)|^2 for H(s) = (s + b) /
 *    (s^2 + a1 s + a0) summed over frequencies (z / w: __divdc3), with
 *    respect to the coefficients;
 *  - a power spectrum: sum_k |sum_n x_n e^{-2 pi i k n / N}|^2 with cexp,
 *    with respect to the samples (analytic: 2 N x_n ... checked by central
 *    differences);
 *  - clog, csqrt and cabs of a complex function of two reals;
 *  - float _Complex (passed as <2 x float>) in the same shapes.
 * Every gradient is checked against fourth-order central differences (and
 * the polynomial's against the analytic 2 Re(conj(p) p') and 2 Im(...)).
 * Included by complex_numbers.c and complex_fast_math.c (-ffast-math: no
 * helper calls, inline arithmetic). */
#ifndef COTANGENT_TEST_E2E_COMPLEX_NUMBERS_H
#define COTANGENT_TEST_E2E_COMPLEX_NUMBERS_H

#include "check.h"

#include <complex.h>
#include <cotangent.h>
#include <math.h>

/* not NAN: -ffast-math rejects it */
#define UNSET 1e30
/* a gradient against central differences: to 1e-8 of its size, or of 1
 * where it is 0 (the differences are not exactly 0 there) */
#define CHECK_FD(what, got, fd) check_scaled(__FILE__, __LINE__, what, (got), (fd), fabs(fd) + 1, 1e-8)
#define CX(a, b) __builtin_complex((double)(a), (double)(b))
#define CXF(a, b) __builtin_complex((float)(a), (float)(b))

/* ---- Horner ---- */

static double complex horner(const double *c, int n, double complex z) {
  double complex p = c[n - 1];
  for (int i = n - 2; i >= 0; --i)
    p = p * z + c[i];
  return p;
}

/* |p(x + iy)|^2 for the coefficients c */
static double poly_energy(double x, double y, const double *c, int n) {
  double complex p = horner(c, n, CX(x, y));
  return creal(p) * creal(p) + cimag(p) * cimag(p);
}

/* ---- a filter's magnitude response ---- */

static double complex transfer(double complex s, const double *coef) {
  return (s + coef[0]) / (s * s + coef[1] * s + coef[2]);
}

static double response(const double *coef, const double *w, int n) {
  double e = 0;
  for (int k = 0; k < n; ++k) {
    double complex h = transfer(CX(0, w[k]), coef);
    e += creal(h) * creal(h) + cimag(h) * cimag(h);
  }
  return e;
}

/* ---- a power spectrum with cexp ---- */

enum { NS = 6 };
static double spectrum(const double *x, int n) {
  double e = 0;
  for (int k = 1; k < 3; ++k) {
    double complex acc = 0;
    for (int j = 0; j < n; ++j)
      acc += x[j] * cexp(CX(0, -6.283185307179586 * k * j / n));
    e += k * (creal(acc) * creal(acc) + cimag(acc) * cimag(acc));
  }
  return e;
}

/* ---- clog, csqrt, cabs ---- */

static double mixed(double a, double b) {
  double complex z = CX(a, b);
  double complex w = clog(z * z + 1.0) + csqrt(z) / (1.0 + cabs(z));
  return creal(w) * 0.5 + cimag(w) * 1.5 + cabs(cexp(z / 2.0));
}

/* ---- float ---- */

static float poly_energy_f(float x, float y, const float *c, int n) {
  float complex p = c[n - 1], z = CXF(x, y);
  for (int i = n - 2; i >= 0; --i)
    p = p * z + c[i];
  p = p / (1.0f + z * conjf(z)) + cexpf(z) * 0.25f;
  return crealf(p) * crealf(p) + cimagf(p) * cimagf(p) + cabsf(csqrtf(z));
}

/* ---- checks ---- */

/* fourth-order central difference of f(x) along coordinate k of p */
#define FD4(expr_of_p, p, k, h, out)                                                                    \
  do {                                                                                                  \
    double v_[4], o_[4] = {-2, -1, 1, 2}, keep_ = (p)[k];                                               \
    for (int j_ = 0; j_ < 4; ++j_) {                                                                    \
      (p)[k] = keep_ + o_[j_] * (h);                                                                    \
      v_[j_] = (expr_of_p);                                                                             \
    }                                                                                                   \
    (p)[k] = keep_;                                                                                     \
    (out) = (v_[0] - 8 * v_[1] + 8 * v_[2] - v_[3]) / (12 * (h));                                       \
  } while (0)

static void test_horner(void) {
  static const double c[4] = {1.0, -0.5, 0.25, 2.0};
  static const double pts[][2] = {{0.3, 0.7}, {-1.2, 0.5}, {0.0, 0.0}, {1.5, -2.0}, {-0.75, 0.0}};
  for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
    double x = pts[i][0], y = pts[i][1], dx = UNSET, dy = UNSET;
    double v = ct_value_with_gradient(poly_energy, x, &dx, y, &dy, ct_const(c), 4);
    CHECK_AT_D("|p|^2", x, v, poly_energy(x, y, c, 4));
    /* d/dx |p|^2 = 2 Re(conj(p) p'), d/dy = -2 Im(conj(p) p') */
    double complex z = CX(x, y), p = horner(c, 4, z), dp = c[1] + 2 * c[2] * z + 3 * c[3] * z * z;
    CHECK_AT_D("d/dx |p|^2", x, dx, 2 * creal(conj(p) * dp));
    CHECK_AT_D("d/dy |p|^2", y, dy, -2 * cimag(conj(p) * dp));
    double q[2] = {x, y}, fx, fy;
    FD4(poly_energy(q[0], q[1], c, 4), q, 0, 1e-3, fx);
    FD4(poly_energy(q[0], q[1], c, 4), q, 1, 1e-3, fy);
    CHECK_FD("d/dx |p|^2 (differences)", dx, fx);
    CHECK_FD("d/dy |p|^2 (differences)", dy, fy);
    /* the coefficients too */
    double dc[4] = {0};
    ct_gradient(poly_energy, x, &dx, y, &dy, c, dc, 4);
    for (int k = 0; k < 4; ++k) {
      double cc[4] = {c[0], c[1], c[2], c[3]}, fc;
      FD4(poly_energy(x, y, cc, 4), cc, k, 1e-3, fc);
      CHECK_FD("d/dc |p|^2", dc[k], fc);
    }
  }
}

static void test_response(void) {
  static const double sets[][3] = {{0.5, 0.8, 1.0}, {-0.3, 1.5, 2.0}, {0.0, 0.1, 0.5}};
  static const double w[5] = {0.0, 0.25, 0.7, 1.3, 4.0};
  for (unsigned i = 0; i < sizeof sets / sizeof sets[0]; ++i) {
    double coef[3] = {sets[i][0], sets[i][1], sets[i][2]}, dcoef[3] = {0};
    double v = ct_value_with_gradient(response, coef, dcoef, ct_const(w), 5);
    CHECK_D(v, response(coef, w, 5));
    for (int k = 0; k < 3; ++k) {
      double f;
      FD4(response(coef, w, 5), coef, k, 1e-4, f);
      CHECK_FD("d/dcoef |H|^2", dcoef[k], f);
    }
  }
}

static void test_spectrum(void) {
  double x[NS] = {0.5, -1.0, 2.0, 0.0, 1.5, -0.25}, dx[NS] = {0};
  double v = ct_value_with_gradient(spectrum, x, dx, NS);
  CHECK_D(v, spectrum(x, NS));
  for (int j = 0; j < NS; ++j) {
    double f;
    FD4(spectrum(x, NS), x, j, 1e-3, f);
    CHECK_FD("d/dx spectrum", dx[j], f);
  }
}

static void test_mixed(void) {
  static const double pts[][2] = {{0.3, 0.7}, {-1.2, 0.5}, {2.0, -1.5}, {0.5, 0.0}};
  for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
    double q[2] = {pts[i][0], pts[i][1]}, da = UNSET, db = UNSET, fa, fb;
    double v = ct_value_with_gradient(mixed, q[0], &da, q[1], &db);
    CHECK_AT_D("mixed", q[0], v, mixed(q[0], q[1]));
    FD4(mixed(q[0], q[1]), q, 0, 1e-4, fa);
    FD4(mixed(q[0], q[1]), q, 1, 1e-4, fb);
    CHECK_FD("d/da mixed", da, fa);
    CHECK_FD("d/db mixed", db, fb);
  }
}

/* the same in double, for the differences */
static double poly_energy_fd(double x, double y, const float *c, int n) {
  double complex p = c[n - 1], z = CX(x, y);
  for (int i = n - 2; i >= 0; --i)
    p = p * z + c[i];
  p = p / (1.0 + z * conj(z)) + cexp(z) * 0.25;
  return creal(p) * creal(p) + cimag(p) * cimag(p) + cabs(csqrt(z));
}

static void test_float(void) {
  static const float c[3] = {1.0f, -0.5f, 0.75f};
  static const double pts[][2] = {{0.3, 0.7}, {-1.2, 0.5}, {1.5, -2.0}};
  for (unsigned i = 0; i < sizeof pts / sizeof pts[0]; ++i) {
    float dx = UNSET, dy = UNSET;
    ct_gradient(poly_energy_f, (float)pts[i][0], &dx, (float)pts[i][1], &dy, ct_const(c), 3);
    double q[2] = {(float)pts[i][0], (float)pts[i][1]}, fx, fy;
    FD4(poly_energy_fd(q[0], q[1], c, 3), q, 0, 1e-3, fx);
    FD4(poly_energy_fd(q[0], q[1], c, 3), q, 1, 1e-3, fy);
    double scale = fabs(fx) + fabs(fy);
    CHECK_SCALED(dx, fx, scale, 1e-5);
    CHECK_SCALED(dy, fy, scale, 1e-5);
  }
}

static int complex_numbers_run(const char *name) {
  test_horner();
  test_response();
  test_spectrum();
  test_mixed();
  test_float();
  return check_summary(name);
}

#endif
