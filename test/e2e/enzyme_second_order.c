/* Second derivatives with Enzyme's ABI, reverse over reverse: an
 * __enzyme_autodiff inside a function another __enzyme_autodiff
 * differentiates, where the inner gradient is plain arithmetic (where it
 * keeps a tape or allocates shadows, that is a compile error:
 * test/lit/diag_second_order.c). Checked against analytic derivatives:
 *   - d2/dx2 of a piecewise function (a branch)
 *   - Hessian-vector products of an energy of three coordinates through
 *     enzyme_dup shadows (the inner gradient writes into a local array)
 *   - a third derivative (three levels)
 *   - split mode inside (__enzyme_augmentfwd / __enzyme_reverse, of a
 *     function whose split gradient needs no tape)
 *   - a custom gradient registered the Enzyme way inside (its gradient is
 *     differentiated in turn) */
#include "check.h"

#include <math.h>

int enzyme_dup, enzyme_const, enzyme_out;
extern double __enzyme_autodiff(void *, ...);
extern void __enzyme_autodiff_v(void *, ...);
typedef struct {
  void *tape;
  double ret;
} Aug;
extern Aug __enzyme_augmentfwd(void *, ...);
extern double __enzyme_reverse(void *, ...);

static double piecewise(double x) { return x > 0 ? x * x * sin(x) : x * exp(x); }
static double d_piecewise(double x) { return __enzyme_autodiff((void *)piecewise, x); }

/* e(x) = x0^2 x1 + sin(x1) x2 + x0 x2^3 */
static double energy(const double *x) { return x[0] * x[0] * x[1] + sin(x[1]) * x[2] + x[0] * x[2] * x[2] * x[2]; }
static double directional(const double *x, const double *v) {
  double g[3] = {0, 0, 0};
  __enzyme_autodiff_v((void *)energy, enzyme_dup, x, g);
  return v[0] * g[0] + v[1] * g[1] + v[2] * g[2];
}

static double cube(double x) { return x * x * x * x; }
static double d1(double x) { return __enzyme_autodiff((void *)cube, x); }
static double d2(double x) { return __enzyme_autodiff((void *)d1, x); }

static double split_slope(double x) {
  Aug a = __enzyme_augmentfwd((void *)cube, x);
  return __enzyme_reverse((void *)cube, x, 1.0, a.tape);
}

double soft(double x) { return log(1 + exp(x)); }
double soft_aug(double x) { return soft(x); }
double soft_grad(double x, double d) { return d / (1 + exp(-x)); }
void *__enzyme_register_gradient_soft[] = {(void *)soft, (void *)soft_aug, (void *)soft_grad};
static double soft_slope(double x) { return __enzyme_autodiff((void *)soft, x); }

int main(void) {
  for (double x = -1.5; x < 2; x += 0.5) {
    double want = x > 0 ? 2 * sin(x) + 4 * x * cos(x) - x * x * sin(x) : (2 + x) * exp(x);
    CHECK_AT_D("d2 piecewise", x, __enzyme_autodiff((void *)d_piecewise, x), want);
    CHECK_AT_D("d2 split", x, __enzyme_autodiff((void *)split_slope, x), 12 * x * x);
    CHECK_AT_D("d3 x^4", x, __enzyme_autodiff((void *)d2, x), 24 * x);
    double s = 1 / (1 + exp(-x));
    CHECK_AT_D("d2 registered", x, __enzyme_autodiff((void *)soft_slope, x), s * (1 - s));
  }
  double x[3] = {0.3, -0.5, 1.1};
  /* H v for each unit v: the columns of the Hessian */
  double h[3][3] = {{2 * x[1], 2 * x[0], 3 * x[2] * x[2]},
                    {2 * x[0], -sin(x[1]) * x[2], cos(x[1])},
                    {3 * x[2] * x[2], cos(x[1]), 6 * x[0] * x[2]}};
  for (int j = 0; j < 3; ++j) {
    double v[3] = {j == 0, j == 1, j == 2}, hv[3] = {0, 0, 0};
    __enzyme_autodiff_v((void *)directional, enzyme_dup, x, hv, enzyme_const, v);
    for (int i = 0; i < 3; ++i)
      CHECK_AT_D("H v", 10 * i + j, hv[i], h[i][j]);
  }
  return check_summary("enzyme_second_order");
}
