/* Every row of the derivative rule table (pass/rules.c) in forward mode,
 * on LLVM intrinsics and instructions: forward_rules.h built with
 * -fno-math-errno, so that its libm calls become llvm.sin.f64,
 * llvm.exp10.f32, llvm.ldexp, frem, ... (the rows' intrinsic names); and
 * selects (k ? a : b, a < b ? b : a). */
/* run.sh flags: -fno-math-errno */
#define _GNU_SOURCE /* exp10, roundeven */
#include "forward_rules.h"

static double sel(int k, double a, double b) { return k ? a : b; }
static float self(int k, float a, float b) { return k ? a : b; }
static double sel_cmp(double a, double b) { return a < b ? b : a; }

int main(void) {
  forward_rules_run();
  static const rt_pair p[] = {{1.5, -2.0}, {-0.25, 3.0}, {2.0, 2.0}, {0.0, -0.0}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i].a, b = p[i].b;
    for (int k = 0; k < 2; ++k) {
      RT_CHECK2("J v", "select", a, b, ct_derivative(sel, k, a, 0.5, b, -3.0), k ? 0.5 : -3.0, RT_TOL_D);
      RT_CHECK2("J v (float)", "select", a, b, ct_derivative(self, k, (float)a, 0.5f, (float)b, -3.0f),
                k ? 0.5 : -3.0, RT_TOL_F);
    }
    RT_CHECK2("J v", "a < b ? b : a", a, b, ct_derivative(sel_cmp, a, 0.5, b, -3.0), a < b ? -3.0 : 0.5, RT_TOL_D);
  }
  return check_summary("forward_rules_intrinsics");
}
