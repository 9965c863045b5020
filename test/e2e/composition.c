/* Functions of many operations and several arguments, each gradient checked
 * against a derivation by hand (not a finite difference):
 *   - Black-Scholes call price: delta, d/dstrike, d/dmaturity, rho, vega
 *   - logistic-regression loss through softplus / log-sigmoid
 *   - Gaussian density in x, mu, sigma
 *   - Rosenbrock with its parameters active
 *   - log-sum-exp (softmax gradient)
 *   - polar coordinates: hypot(x, y) * cos(2 atan2(y, x))
 *   - a float softplus chain and a double chain through the Enzyme ABI */
#include "check.h"

#include <cotangent.h>
#include <math.h>

int enzyme_const;
typedef struct {
  double a, b, c;
} D3;
extern D3 __enzyme_autodiff_d3(void *, ...);

static double pi(void) { return acos(-1.0); }
static double norm_pdf(double x) { return exp(-0.5 * x * x) / sqrt(2.0 * pi()); }
static double norm_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* ---- Black-Scholes ---- */
static double bs_call(double s, double k, double t, double r, double v) {
  double sqrt_t = sqrt(t);
  double d1 = (log(s / k) + (r + 0.5 * v * v) * t) / (v * sqrt_t);
  double d2 = d1 - v * sqrt_t;
  double n1 = 0.5 * (1.0 + erf(d1 / sqrt(2.0)));
  double n2 = 0.5 * (1.0 + erf(d2 / sqrt(2.0)));
  return s * n1 - k * exp(-r * t) * n2;
}

static void test_black_scholes(void) {
  static const double cases[][5] = {
      {100.0, 95.0, 0.75, 0.03, 0.25}, {50.0, 60.0, 2.0, 0.01, 0.4}, {120.0, 100.0, 0.1, 0.05, 0.15}};
  for (unsigned i = 0; i < 3; ++i) {
    double s = cases[i][0], k = cases[i][1], t = cases[i][2], r = cases[i][3], v = cases[i][4];
    double g[5];
    double price = ct_value_with_gradient(bs_call, s, &g[0], k, &g[1], t, &g[2], r, &g[3], v, &g[4]);
    double d1 = (log(s / k) + (r + 0.5 * v * v) * t) / (v * sqrt(t)), d2 = d1 - v * sqrt(t);
    double disc = exp(-r * t);
    CHECK_AT_D("Black-Scholes price", s, price, s * norm_cdf(d1) - k * disc * norm_cdf(d2));
    CHECK_AT_D("delta", s, g[0], norm_cdf(d1));
    CHECK_AT_D("d/dstrike", k, g[1], -disc * norm_cdf(d2));
    CHECK_AT_D("d/dmaturity", t, g[2], s * norm_pdf(d1) * v / (2.0 * sqrt(t)) + r * k * disc * norm_cdf(d2));
    CHECK_AT_D("rho", r, g[3], k * t * disc * norm_cdf(d2));
    CHECK_AT_D("vega", v, g[4], s * norm_pdf(d1) * sqrt(t));
    /* only vega, with the rest constant */
    double vega = NAN;
    ct_gradient(bs_call, ct_const(s), ct_const(k), ct_const(t), ct_const(r), v, &vega);
    CHECK_AT_D("vega alone", v, vega, s * norm_pdf(d1) * sqrt(t));
  }
}

/* ---- logistic regression loss of one sample (label y in {0, 1}):
 * z = w1 x1 + w2 x2 + b, loss = softplus(z) - y z = -log sigma(z) or
 * -log(1 - sigma(z)); d loss / dz = sigma(z) - y ---- */
static double logistic_loss(double w1, double w2, double b, double x1, double x2, double y) {
  double z = w1 * x1 + w2 * x2 + b;
  double softplus = fmax(z, 0.0) + log1p(exp(-fabs(z)));
  return softplus - y * z + 0.5 * 0.01 * (w1 * w1 + w2 * w2);
}

static void test_logistic(void) {
  static const double cases[][6] = {
      {0.5, -1.2, 0.3, 1.5, 0.25, 1.0}, {-2.0, 0.7, -0.1, -0.3, 2.0, 0.0}, {1.0, 1.0, 4.0, 1.0, 2.0, 0.0}};
  for (unsigned i = 0; i < 3; ++i) {
    double w1 = cases[i][0], w2 = cases[i][1], b = cases[i][2];
    double x1 = cases[i][3], x2 = cases[i][4], y = cases[i][5];
    double dw1 = NAN, dw2 = NAN, db = NAN;
    ct_gradient(logistic_loss, w1, &dw1, w2, &dw2, b, &db, ct_const(x1), ct_const(x2), ct_const(y));
    double z = w1 * x1 + w2 * x2 + b;
    double sig = 1.0 / (1.0 + exp(-z));
    CHECK_AT_D("d loss / d w1", w1, dw1, (sig - y) * x1 + 0.01 * w1);
    CHECK_AT_D("d loss / d w2", w2, dw2, (sig - y) * x2 + 0.01 * w2);
    CHECK_AT_D("d loss / d b", b, db, sig - y);
    /* the inputs active too: d/dx1 = (sigma - y) w1 */
    double dx1 = NAN, dx2 = NAN, dy = NAN;
    ct_gradient(logistic_loss, ct_const(w1), ct_const(w2), ct_const(b), x1, &dx1, x2, &dx2, y, &dy);
    CHECK_AT_D("d loss / d x1", x1, dx1, (sig - y) * w1);
    CHECK_AT_D("d loss / d x2", x2, dx2, (sig - y) * w2);
    CHECK_AT_D("d loss / d y", y, dy, -z);
  }
}

/* ---- Gaussian density ---- */
static double gauss(double x, double mu, double sigma) {
  double u = (x - mu) / sigma;
  return exp(-0.5 * u * u) / (sigma * sqrt(2.0 * 3.14159265358979323846));
}

static void test_gauss(void) {
  static const double cases[][3] = {{0.3, -0.5, 1.2}, {2.0, 1.5, 0.5}, {-1.0, 0.0, 2.0}};
  for (unsigned i = 0; i < 3; ++i) {
    double x = cases[i][0], mu = cases[i][1], s = cases[i][2];
    D3 d = __enzyme_autodiff_d3((void *)gauss, x, mu, s);
    double f = gauss(x, mu, s), e = x - mu;
    CHECK_AT_D("gauss d/dx", x, d.a, -f * e / (s * s));
    CHECK_AT_D("gauss d/dmu", x, d.b, f * e / (s * s));
    CHECK_AT_D("gauss d/dsigma", x, d.c, f * (e * e / (s * s * s) - 1.0 / s));
  }
}

/* ---- Rosenbrock (a - x)^2 + b (y - x^2)^2 ---- */
static double rosenbrock(double x, double y, double a, double b) {
  double p = a - x, q = y - x * x;
  return p * p + b * q * q;
}

static void test_rosenbrock(void) {
  static const double cases[][2] = {{-1.2, 1.0}, {0.5, 0.25}, {2.0, 3.5}};
  for (unsigned i = 0; i < 3; ++i) {
    double x = cases[i][0], y = cases[i][1], a = 1.0, b = 100.0;
    double dx = NAN, dy = NAN, da = NAN, db = NAN;
    ct_gradient(rosenbrock, x, &dx, y, &dy, a, &da, b, &db);
    double q = y - x * x;
    CHECK_AT_D("rosenbrock d/dx", x, dx, -2.0 * (a - x) - 4.0 * b * x * q);
    CHECK_AT_D("rosenbrock d/dy", y, dy, 2.0 * b * q);
    CHECK_AT_D("rosenbrock d/da", x, da, 2.0 * (a - x));
    CHECK_AT_D("rosenbrock d/db", x, db, q * q);
  }
}

/* ---- log-sum-exp, stabilised by the maximum; the gradient is softmax ---- */
static double lse3(double a, double b, double c) {
  double m = fmax(a, fmax(b, c));
  return m + log(exp(a - m) + exp(b - m) + exp(c - m));
}

static void test_lse(void) {
  static const double cases[][3] = {{0.1, 2.0, -1.0}, {5.0, 4.5, 4.9}, {-3.0, -2.0, -7.0}};
  for (unsigned i = 0; i < 3; ++i) {
    double a = cases[i][0], b = cases[i][1], c = cases[i][2];
    D3 d = __enzyme_autodiff_d3((void *)lse3, a, b, c);
    double sum = exp(a) + exp(b) + exp(c);
    CHECK_AT_D("lse d/da", a, d.a, exp(a) / sum);
    CHECK_AT_D("lse d/db", b, d.b, exp(b) / sum);
    CHECK_AT_D("lse d/dc", c, d.c, exp(c) / sum);
  }
}

/* ---- polar coordinates: r cos(2 theta) with r = hypot, theta = atan2 ---- */
static double polar_x(double x, double y, double scale) { return scale * hypot(x, y) * cos(2.0 * atan2(y, x)); }

static void test_polar(void) {
  static const double cases[][2] = {{1.0, 2.0}, {-0.5, 0.3}, {3.0, -4.0}};
  for (unsigned i = 0; i < 3; ++i) {
    double x = cases[i][0], y = cases[i][1], s = 1.5;
    double h = hypot(x, y), t = atan2(y, x);
    /* chain rule written out with dh/dx = x/h, dt/dx = -y/h^2, dt/dy = x/h^2:
       d/dx = s (x/h cos 2t + 2 y sin 2t / h), d/dy = s (y/h cos 2t - 2 x sin 2t / h) */
    D3 d = __enzyme_autodiff_d3((void *)polar_x, x, y, s);
    CHECK_AT_D("polar d/dx", x, d.a, s * (x * cos(2.0 * t) + 2.0 * y * sin(2.0 * t)) / h);
    CHECK_AT_D("polar d/dy", y, d.b, s * (y * cos(2.0 * t) - 2.0 * x * sin(2.0 * t)) / h);
    CHECK_AT_D("polar d/dscale", x, d.c, h * cos(2.0 * t));
  }
}

/* ---- a float chain: softplus(a x + b)^2 + tanh(a) b ---- */
static float float_chain(float a, float b, float x) {
  float z = a * x + b;
  float sp = logf(1.0f + expf(z));
  return sp * sp + tanhf(a) * b;
}

static void test_float_chain(void) {
  static const float cases[][3] = {{0.5f, -0.25f, 1.5f}, {-1.0f, 0.75f, 2.0f}};
  for (unsigned i = 0; i < 2; ++i) {
    float a = cases[i][0], b = cases[i][1], x = cases[i][2], da = NAN, db = NAN;
    ct_gradient(float_chain, a, &da, b, &db, ct_const(x));
    double z = (double)a * x + b, sp = log(1.0 + exp(z)), sig = 1.0 / (1.0 + exp(-z));
    double th = tanh(a);
    CHECK_AT_F("float chain d/da", a, da, 2.0 * sp * sig * x + (1.0 - th * th) * b);
    CHECK_AT_F("float chain d/db", b, db, 2.0 * sp * sig + th);
  }
}

int main(void) {
  test_black_scholes();
  test_logistic();
  test_gauss();
  test_rosenbrock();
  test_lse();
  test_polar();
  test_float_chain();
  return check_summary("composition");
}
