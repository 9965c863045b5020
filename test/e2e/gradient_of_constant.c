/* ct_gradient_of on functions with CT_NO_DERIVATIVE parameters: the gradient
 * function has the signature cotangent.h documents (no derivative pointer
 * or shadow after a constant parameter, scalar or pointer), and agrees with
 * ct_gradient and with the analytic derivatives. (The gradient function
 * used to expect a pointer after every floating-point or pointer parameter
 * and wrote through one the caller never passed.) */
#include "check.h"

#include <cotangent.h>
#include <math.h>

/* a hyper-parameter between two differentiated inputs */
static double damped(double x, CT_NO_DERIVATIVE double k, double y) { return exp(-k * x) * sin(y) + x * y; }

/* weights against fixed data, with a differentiated scale after them */
static double weighted(const double *w, CT_NO_DERIVATIVE const double *data, long n, double scale) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += w[i] * w[i] * data[i];
  return scale * s;
}

static void test_scalar(void) {
  double (*g)(double, double *, double, double, double *) = ct_gradient_of(damped);
  static const double pts[][3] = {{0.5, 2.0, 0.3}, {-1.2, 0.7, 2.5}, {2.0, -0.4, -1.0}};
  for (int i = 0; i < 3; ++i) {
    double x = pts[i][0], k = pts[i][1], y = pts[i][2];
    double want_x = -k * exp(-k * x) * sin(y) + y, want_y = exp(-k * x) * cos(y) + x;
    double dx = NAN, dy = NAN;
    double v = g(x, &dx, k, y, &dy);
    CHECK_AT_D("gradient_of value", x, v, damped(x, k, y));
    CHECK_AT_D("gradient_of d/dx", x, dx, want_x);
    CHECK_AT_D("gradient_of d/dy", y, dy, want_y);
    double dx2 = NAN, dy2 = NAN;
    ct_gradient(damped, x, &dx2, k, y, &dy2);
    CHECK_AT_D("ct_gradient d/dx", x, dx2, want_x);
    CHECK_AT_D("ct_gradient d/dy", y, dy2, want_y);
  }
}

static void test_pointer(void) {
  double (*g)(const double *, double *, const double *, long, double, double *) = ct_gradient_of(weighted);
  enum { N = 5 };
  double w[N], data[N], dw[N] = {0}, dw2[N] = {0};
  for (int i = 0; i < N; ++i) {
    w[i] = 0.3 * i - 0.5;
    data[i] = 1.0 + 0.25 * i;
  }
  const double scale = 1.75;
  double s = 0;
  for (int i = 0; i < N; ++i)
    s += w[i] * w[i] * data[i];
  double dscale = NAN, dscale2 = NAN;
  double v = g(w, dw, data, N, scale, &dscale);
  ct_gradient(weighted, w, dw2, data, (long)N, scale, &dscale2);
  CHECK_D(v, scale * s);
  CHECK_D(dscale, s);
  CHECK_D(dscale2, s);
  for (int i = 0; i < N; ++i) {
    CHECK_AT_D("gradient_of d/dw", w[i], dw[i], 2.0 * scale * w[i] * data[i]);
    CHECK_AT_D("ct_gradient d/dw", w[i], dw2[i], 2.0 * scale * w[i] * data[i]);
  }
}

int main(void) {
  test_scalar();
  test_pointer();
  return check_summary("gradient_of_constant");
}
