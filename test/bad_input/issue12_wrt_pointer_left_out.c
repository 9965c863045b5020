// Issue 12 item 7: a wrt list that leaves a pointer parameter out makes it
// constant: no shadow argument follows it, and nothing is added into it.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double dotw(const double *w, const double *x, int n) CT_DIFFERENTIABLE_WRT(x);
double dotw(const double *w, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * x[i] * x[i];
  return s;
}

int main(void) {
  double w[3] = {1, 2, 3}, x[3] = {0.5, -1, 2}, dx[3] = {0};
  ct_gradient(dotw, w, x, dx, 3);
  for (int i = 0; i < 3; ++i) {
    CHECK_D(dx[i], 2 * w[i] * x[i]);
    CHECK_D(w[i], i + 1.0);
  }
  return check_summary("issue12_wrt_pointer_left_out");
}
