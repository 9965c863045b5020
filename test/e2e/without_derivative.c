/* ct_without_derivative says that a zero derivative is intended: a
 * differentiated function whose result goes only through it gets no
 * "does not depend on its differentiable arguments" warning (this file is
 * compiled with -Wall -Werror, which made that warning an error), and its
 * derivative is exactly zero; where the held value is only part of the
 * result, the rest is differentiated (a straight-through estimator). */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double energy(double x) { return 0.5 * x * x + sin(x); }

/* a monitored quantity: same value, deliberately no gradient */
static double monitored(double x) { return ct_without_derivative(energy(x)); }

/* float variant, through a helper and a loop */
static float frozen_sum(const float *v, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i)
    s += v[i] * v[i];
  return ct_without_derivative(s);
}

/* straight-through rounding: the value of round(x), the derivative of x */
static double straight_through(double x) { return x + ct_without_derivative(round(x) - x); }

int main(void) {
  for (double x = -1.5; x <= 1.5; x += 0.75) {
    double dx = NAN;
    double v = ct_value_with_gradient(monitored, x, &dx);
    CHECK_AT_D("value", x, v, energy(x));
    CHECK(dx == 0.0);
    dx = NAN;
    v = ct_value_with_gradient(straight_through, x, &dx);
    CHECK_AT_D("straight-through value", x, v, round(x));
    CHECK_AT_D("straight-through derivative", x, dx, 1.0);
  }
  float vals[4] = {0.5f, -1.0f, 2.0f, 0.25f}, dv[4] = {1, 1, 1, 1};
  for (int i = 0; i < 4; ++i)
    dv[i] = 0.0f;
  ct_gradient(frozen_sum, vals, dv, 4);
  for (int i = 0; i < 4; ++i)
    CHECK(dv[i] == 0.0f);
  return check_summary("without_derivative");
}
