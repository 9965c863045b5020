// Singular functions guarded by a branch that is not taken at the point
// (x > 0 ? log(x) : x at 0, sqrt at 0, y != 0 ? x / y : x at y = 0, a safe
// norm of the zero vector, Huber at 0): the derivative is that of the branch
// taken, never 0 * inf = NaN from the other one, also where the optimizer
// turns the branch into a select that evaluates both sides.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <math.h>

static double f_log(double x) { return x > 0 ? log(x) : x; }
static double f_sqrt(double x) { return x > 0 ? sqrt(x) : 2 * x; }
static double f_div(double x, double y) { return y != 0 ? x / y : x; }
static double f_pow(double x) { return x > 0 ? pow(x, 0.5) : x; }
static double safe_norm(const double *v, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * v[i];
  return s > 0 ? sqrt(s) : 0;
}
static double huber(double r) {
  double a = fabs(r);
  return a <= 1 ? 0.5 * r * r : a - 0.5;
}

int main(void) {
  double d = 0, dy = 0;
  ct_gradient(f_log, 0.0, &d);
  CHECK_D(d, 1.0);
  ct_gradient(f_sqrt, 0.0, &d);
  CHECK_D(d, 2.0);
  ct_gradient(f_div, 3.0, &d, 0.0, &dy);
  CHECK_D(d, 1.0);
  CHECK(dy == 0.0);
  ct_gradient(f_pow, 0.0, &d);
  CHECK_D(d, 1.0);
  double v[3] = {0, 0, 0}, dv[3] = {0};
  ct_gradient(safe_norm, v, dv, 3);
  for (int i = 0; i < 3; ++i)
    CHECK(dv[i] == 0.0);
  ct_gradient(huber, 0.0, &d);
  CHECK(d == 0.0);
  ct_gradient(huber, -3.0, &d);
  CHECK_D(d, -1.0);
  return check_summary("guarded_singularities");
}
