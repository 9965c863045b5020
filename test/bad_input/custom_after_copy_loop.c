// A copy loop of doubles into a local array (element by element, as the
// "cannot deduce" hint asks), the copy then handed to a custom derivative:
// the gradient must be right. The loop becomes a memcpy with no double load
// or store of either end left in the function; the layout analysis
// (pass/layout.c) finds the element type in the local array's type. (Was
// rejected: "copies memory whose element type Cotangent cannot deduce".)
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

double sq(const double *x, int i) CT_ACCESS("r.");
CT_DERIVATIVE(sq)
void sq_pullback(const double *x, int i, double seed, double *dx) { dx[i] += 2 * seed * x[i]; }
double sq(const double *x, int i) { return x[i] * x[i]; }

static double f(const double *x, int n) {
  double a[8];
  for (int i = 0; i < 8; ++i)
    a[i] = x[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sq(a, i);
  return s;
}

int main(void) {
  double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dx[8] = {0};
  ct_gradient(f, x, dx, 8);
  for (int i = 0; i < 8; ++i)
    CHECK_D(dx[i], 2 * x[i]);
  return check_summary("custom_after_copy_loop");
}
