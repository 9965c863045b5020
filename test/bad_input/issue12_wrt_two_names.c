// Issue 12 item 6: a wrt list with two names compiles; the parameter left
// out is constant (no derivative pointer follows it in the operators).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double f(double x, double y, double z) CT_DIFFERENTIABLE_WRT(x, z);
double f(double x, double y, double z) { return x * y * z + z * z; }

int main(void) {
  double dx = 0, dz = 0;
  ct_gradient(f, 2.0, &dx, 3.0, 5.0, &dz);
  CHECK_D(dx, 15.0);
  CHECK_D(dz, 16.0);
  return check_summary("issue12_wrt_two_names");
}
