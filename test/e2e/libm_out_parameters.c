/* libm functions that write through a pointer argument, in the shapes
 * programs use them: the values written must be the library's inside the
 * gradient as in the function (the exponent, quotient and sign are used
 * afterwards), and the derivative flows through the floating result only.
 *  - frexp: a log computed from mantissa and exponent (log m + e ln 2) over
 *    an array, in a helper: d/dx = 1/x; m e summed in a loop that reuses
 *    one exponent variable (the reverse needs each iteration's);
 *  - modf: cycles and phase of periodic signals, the integral parts stored
 *    into a heap struct's field (with its shadow struct) and copied into an
 *    output array, both read back in the loss (derivative 0: the shadows
 *    seeded on them are cleared, not passed on);
 *  - remquo: sine by quadrant reduction (the quotient picks sin or cos):
 *    d/dx = cos x; r^2 q summed in a loop, q written through an argument
 *    and read back (the reverse needs each iteration's);
 *  - lgamma_r: a Gamma log-likelihood in the shape parameter, the sign
 *    written into a local.
 * Checked against analytic derivatives and fourth-order central
 * differences at several points, zeros and negative values included. */
#define _GNU_SOURCE /* lgamma_r */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

enum { N = 7 };
static const double PTS[N] = {-3.25, -0.4, 0.15, 1.0, 2.5, 7.75, 1000.5};

/* ---- frexp ---- */

static double log_by_exponent(double x) {
  int e;
  double m = frexp(fabs(x), &e);
  return log(m) + e * 0.6931471805599453;
}

static double sum_logs(const double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * log_by_exponent(x[i]);
  return s;
}

/* one exponent variable for the whole loop: each iteration's e, which the
 * reverse needs (d/dx (m e) = e 2^-e), is overwritten by the next call */
static double mantissas_times_exponents(const double *x, int n) {
  int e;
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double m = frexp(x[i], &e);
    s += m * e;
  }
  return s;
}

/* frexp of zero: m = 0, e = 0; the gradient of 2m + e there is 2 */
static double mantissa_plus_exponent(double x) {
  int e = 99;
  double m = frexp(x, &e);
  return 2 * m + e;
}

static void test_frexp(void) {
  double x[N], w[N], dx[N] = {0};
  for (int i = 0; i < N; ++i) {
    x[i] = PTS[i];
    w[i] = 0.5 + i;
  }
  double v = ct_value_with_gradient(sum_logs, x, dx, ct_const(w), N);
  double want = 0;
  for (int i = 0; i < N; ++i)
    want += w[i] * log(fabs(x[i]));
  CHECK_D(v, want);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d/dx of w log|x| by frexp", x[i], dx[i], w[i] / x[i]);
  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(mantissas_times_exponents, x, dx, N);
  for (int i = 0; i < N; ++i) {
    int e;
    frexp(x[i], &e);
    CHECK_AT_D("d/dx m e in a loop", x[i], dx[i], e * ldexp(1.0, -e));
  }
  static const double q[] = {0.0, -0.0, 3.0, -5.5, 0.625};
  for (unsigned i = 0; i < sizeof q / sizeof q[0]; ++i) {
    int e;
    double m = frexp(q[i], &e), d = NAN;
    double vm = ct_value_with_gradient(mantissa_plus_exponent, q[i], &d);
    CHECK_AT_D("2 m + e", q[i], vm, 2 * m + e);
    CHECK_AT_D("d/dx (2 m + e)", q[i], d, q[i] == 0 ? 2.0 : 2 * ldexp(1.0, -e));
  }
}

/* ---- modf ---- */

typedef struct {
  double *cycles; /* whole cycles of each signal */
  int n;
} counter;

/* phase energy: sum sin(2 pi frac(f t_i)) + 0.01 cycles_i^2; the whole
 * cycles go into c->cycles and whole[] */
static double phases(const double *t, double f, counter *c, double *whole) {
  double s = 0;
  for (int i = 0; i < c->n; ++i) {
    double frac = modf(f * t[i], &c->cycles[i]);
    whole[i] = c->cycles[i];
    s += sin(6.283185307179586 * frac) + 0.01 * c->cycles[i] * c->cycles[i];
  }
  return s;
}

/* the integral part overwrites the input: its old derivative must not
 * survive (x[i] = trunc(x[i]), then x[i] * frac) */
static double split_in_place(double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double frac = modf(x[i], &x[i]);
    s += frac * x[i] + x[i];
  }
  return s;
}

static double phases_value(const double *t, double f, int n) {
  counter c = {malloc(n * sizeof(double)), n};
  double whole[N];
  double v = phases(t, f, &c, whole);
  free(c.cycles);
  return v;
}

static void test_modf(void) {
  double t[N], dt[N] = {0}, whole[N], dwhole[N], df = 0, f = 1.37;
  counter c = {malloc(N * sizeof(double)), N}, dc = {malloc(N * sizeof(double)), N};
  for (int i = 0; i < N; ++i) {
    t[i] = PTS[i];
    whole[i] = -1;
    dwhole[i] = 3.0; /* seeds on the integral parts: derivative 0 */
    dc.cycles[i] = -2.0;
  }
  double v = ct_value_with_gradient(phases, t, dt, f, &df, &c, &dc, whole, dwhole);
  CHECK_D(v, phases_value(t, f, N));
  double wdf = 0;
  for (int i = 0; i < N; ++i) {
    double ip, frac = modf(f * t[i], &ip);
    double g = 6.283185307179586 * cos(6.283185307179586 * frac);
    CHECK(c.cycles[i] == ip && whole[i] == ip);
    CHECK_AT_D("d/dt of the phase", t[i], dt[i], g * f);
    CHECK_AT_D("shadow of the integral part", t[i], dwhole[i], 0.0);
    CHECK_AT_D("shadow of the integral part in the struct", t[i], dc.cycles[i], 0.0);
    wdf += g * t[i];
  }
  CHECK_D(df, wdf);
  /* central differences in f (away from a cycle boundary) */
  double h = 1e-5, fd = (-phases_value(t, f + 2 * h, N) + 8 * phases_value(t, f + h, N) -
                         8 * phases_value(t, f - h, N) + phases_value(t, f - 2 * h, N)) / (12 * h);
  CHECK_TOL(df, fd, 1e-5);
  free(c.cycles);
  free(dc.cycles);

  double x[N], dx[N] = {0};
  for (int i = 0; i < N; ++i)
    x[i] = PTS[i];
  ct_gradient(split_in_place, x, dx, N);
  for (int i = 0; i < N; ++i) {
    CHECK(x[i] == trunc(PTS[i]));
    CHECK_AT_D("d/dx of frac(x) trunc(x) + trunc(x)", PTS[i], dx[i], trunc(PTS[i]));
  }
}

/* ---- remquo ---- */

/* sin x by reduction to [-pi/4, pi/4] and the quadrant */
static double sine_by_quadrant(double x) {
  int q;
  double r = remquo(x, 1.5707963267948966, &q);
  switch (q & 3) {
  case 0: return sin(r);
  case 1: return cos(r);
  case 2: return -sin(r);
  default: return -cos(r);
  }
}

static double sum_sines(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (i + 1) * sine_by_quadrant(x[i]);
  return s;
}

/* the quotient written through an argument and read back: the reverse
 * needs each iteration's (d/dx (r^2 q) = 2 r q), which the next call
 * overwrites */
static double remainders(const double *x, int n, int *q) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double r = remquo(x[i], 1.0, q);
    s += r * r * *q;
  }
  return s;
}

static void test_remquo(void) {
  double x[N], dx[N] = {0};
  for (int i = 0; i < N; ++i)
    x[i] = PTS[i] * 1.9;
  double v = ct_value_with_gradient(sum_sines, x, dx, N);
  double want = 0;
  for (int i = 0; i < N; ++i)
    want += (i + 1) * sin(x[i]);
  CHECK_TOL(v, want, 1e-10);
  for (int i = 0; i < N; ++i)
    CHECK_AT_TOL("d/dx sin by quadrant", x[i], dx[i], (i + 1) * cos(x[i]), 1e-10);
  double d0 = NAN;
  ct_gradient(sine_by_quadrant, 0.0, &d0);
  CHECK_D(d0, 1.0);
  int q = 0;
  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(remainders, x, dx, N, ct_const(&q));
  for (int i = 0; i < N; ++i) {
    int wq;
    double r = remquo(x[i], 1.0, &wq);
    CHECK_AT_D("d/dx r^2 q (quotient through an argument)", x[i], dx[i], 2 * r * wq);
  }
}

/* ---- lgamma_r ---- */

/* log-likelihood of Gamma(alpha, 1) data: sum (alpha - 1) log x_i - x_i -
 * lgamma(alpha); the sign of Gamma(alpha) is counted */
static double gamma_loglik(double alpha, const double *x, int n, int *negative) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    int sign;
    s += (alpha - 1) * log(x[i]) - x[i] - lgamma_r(alpha, &sign);
    *negative += sign < 0;
  }
  return s;
}

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

static void test_lgamma_r(void) {
  static const double data[] = {0.5, 1.25, 2.0, 3.5};
  static const double alphas[] = {0.3, 1.0, 2.5, 7.0, -0.5, -2.25};
  for (unsigned k = 0; k < sizeof alphas / sizeof alphas[0]; ++k) {
    double a = alphas[k], da = NAN, sumlog = 0;
    int negative = 0, sign;
    lgamma_r(a, &sign);
    double v = ct_value_with_gradient(gamma_loglik, a, &da, ct_const(data), 4, ct_const(&negative));
    for (int i = 0; i < 4; ++i)
      sumlog += log(data[i]);
    CHECK_AT_D("log-likelihood", a, v, (a - 1) * sumlog - 7.25 - 4 * lgamma(a));
    CHECK(negative == (sign < 0 ? 4 : 0));
    CHECK_AT_D("d/dalpha", a, da, sumlog - 4 * digamma(a));
  }
}

int main(void) {
  test_frexp();
  test_modf();
  test_remquo();
  test_lgamma_r();
  return check_summary("libm_out_parameters");
}
