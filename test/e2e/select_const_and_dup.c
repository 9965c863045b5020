/* `c ? x[i] : w[j]` with x differentiable (a shadow) and w a constant
 * array: LLVM folds it into one load through a select of the two
 * addresses, which mixed memory with and without a shadow (a compile
 * error found by the fuzzer, seeds 40000 and 40350). The load is split
 * back into a select of two loads. In a loop, in a helper, and with a GEP
 * on each arm. Analytic checks at every level. */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double pick(double *x, const double *w, int n) {
  return cos(w[1] * w[1] < 1.03 ? x[0] : w[n - 1]);
}

static double pick_sum(double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (w[i] > 0.2 ? x[i] : w[n - 1 - i]) * x[i];
  return s;
}

int main(void) {
  double x[4] = {0.5, 1.25, -0.75, 2.0}, dx[4] = {0}, w[4] = {0.1, 0.3, 0.25, -0.4};
  ct_gradient(pick, x, dx, ct_const(w), 4);
  CHECK_D(dx[0], -sin(0.5));
  CHECK_D(dx[1], 0.0);
  double dy[4] = {0};
  ct_gradient(pick_sum, x, dy, ct_const(w), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dy[i], w[i] > 0.2 ? 2 * x[i] : w[3 - i]);
  return check_summary("select_const_and_dup");
}
