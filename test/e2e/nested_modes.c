/* Nested differentiation in all four combinations, through both APIs
 * (Cotangent's operators and Enzyme's), checked against analytic values:
 *   - perturbation confusion (Siskind and Pearlmutter's example):
 *     d/dx [ x * d/dy (x + y) at y = 1 ] = 1 at x = 1 (a confused
 *     implementation that mixes the two levels' tangents gives 2), with
 *     every outer and inner operator, x passed to the inner one as an
 *     argument with a zero tangent and as ct_const
 *   - reverse over forward and forward over forward through a loop over a
 *     heap array and a branch (the inner tangent code keeps no tape)
 *   - forward over reverse and reverse over reverse of a gradient whose
 *     loop values are recomputed (no tape)
 *   - third derivatives mixing modes (forward over reverse over forward) */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

int enzyme_dup, enzyme_const, enzyme_out;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_fwddiff(void *, ...);

static double add(double x, double y) { return x + y; }

/* x * d/dy (x + y) at y = 1, the inner derivative by each operator */
static double conf_fwd(double x) { return x * ct_derivative(add, x, 0.0, 1.0, 1.0); }
static double conf_fwd_const(double x) { return x * ct_derivative(add, ct_const(x), 1.0, 1.0); }
static double conf_rev(double x) {
  double dy = 0;
  ct_gradient(add, ct_const(x), 1.0, &dy);
  return x * dy;
}
static double conf_enzyme_fwd(double x) { return x * __enzyme_fwddiff((void *)add, enzyme_const, x, 1.0, 1.0); }
static double conf_enzyme_rev(double x) { return x * __enzyme_autodiff((void *)add, enzyme_const, x, 1.0); }

/* sum_i w_i exp(s x_i) with |x_i| clipped at 1 through a heap copy */
static double clipped(const double *x, double s, int n) {
  double *w = malloc(n * sizeof *w), r = 0;
  for (int i = 0; i < n; ++i)
    w[i] = x[i] > 1 ? 1 : x[i] < -1 ? -1 : x[i];
  for (int i = 0; i < n; ++i)
    r += (i + 1) * exp(s * w[i]);
  free(w);
  return r;
}
static const double PTS[4] = {0.3, -2.0, 0.8, 1.7};
/* d/ds clipped: forward inner */
static double ds_fwd(double s) { return ct_derivative(clipped, ct_const(PTS), s, 1.0, 4); }
static double ds_enzyme(double s) {
  return __enzyme_fwddiff((void *)clipped, enzyme_const, PTS, s, 1.0, enzyme_const, 4);
}
/* d2/ds2 analytic */
static double d2s(double s) {
  double r = 0;
  for (int i = 0; i < 4; ++i) {
    double w = PTS[i] > 1 ? 1 : PTS[i] < -1 ? -1 : PTS[i];
    r += (i + 1) * w * w * exp(s * w);
  }
  return r;
}

/* a gradient of a loop whose values are recomputed */
static double poly(double x) {
  double s = 0;
  for (int k = 1; k <= 4; ++k)
    s += sin(k * x) / k;
  return s;
}
static double dpoly_rev(double x) {
  double d = 0;
  ct_gradient(poly, x, &d);
  return d;
}
static double dpoly_enzyme(double x) { return __enzyme_autodiff((void *)poly, x); }
static double dpoly_fwd(double x) { return ct_derivative(poly, x, 1.0); }
static double d2poly_fwd_over_rev(double x) { return ct_derivative(dpoly_rev, x, 1.0); }

int main(void) {
  double x = 1.0;
#define CONFUSION(f)                                                                               \
  do {                                                                                             \
    double dx = 0;                                                                                 \
    CHECK_AT_D("confusion fwd over " #f, x, ct_derivative(f, x, 1.0), 1.0);                        \
    ct_gradient(f, x, &dx);                                                                        \
    CHECK_AT_D("confusion rev over " #f, x, dx, 1.0);                                              \
    CHECK_AT_D("confusion enzyme fwd over " #f, x, __enzyme_fwddiff((void *)f, x, 1.0), 1.0);      \
    CHECK_AT_D("confusion enzyme rev over " #f, x, __enzyme_autodiff((void *)f, x), 1.0);          \
  } while (0)
  CONFUSION(conf_fwd);
  CONFUSION(conf_fwd_const);
  CONFUSION(conf_rev);
  CONFUSION(conf_enzyme_fwd);
  CONFUSION(conf_enzyme_rev);
  for (double s = -0.5; s < 1; s += 0.5) {
    double dr = 0, de = 0;
    ct_gradient(ds_fwd, s, &dr); /* reverse over forward */
    CHECK_AT_D("rev/fwd heap loop", s, dr, d2s(s));
    ct_gradient(ds_enzyme, s, &de);
    CHECK_AT_D("rev/enzyme fwd heap loop", s, de, d2s(s));
    CHECK_AT_D("enzyme rev/fwd heap loop", s, __enzyme_autodiff((void *)ds_fwd, s), d2s(s));
    CHECK_AT_D("fwd/fwd heap loop", s, ct_derivative(ds_fwd, s, 1.0), d2s(s));
    CHECK_AT_D("enzyme fwd/fwd heap loop", s, __enzyme_fwddiff((void *)ds_enzyme, s, 1.0), d2s(s));
  }
  for (double t = -1; t < 1.2; t += 0.5) {
    double want2 = 0, want3 = 0;
    for (int k = 1; k <= 4; ++k) {
      want2 -= k * sin(k * t);
      want3 -= k * k * cos(k * t);
    }
    double dd = 0;
    CHECK_AT_D("fwd/rev loop", t, ct_derivative(dpoly_rev, t, 1.0), want2);
    CHECK_AT_D("enzyme fwd/rev loop", t, __enzyme_fwddiff((void *)dpoly_enzyme, t, 1.0), want2);
    ct_gradient(dpoly_rev, t, &dd);
    CHECK_AT_D("rev/rev loop", t, dd, want2);
    CHECK_AT_D("enzyme rev/rev loop", t, __enzyme_autodiff((void *)dpoly_enzyme, t), want2);
    CHECK_AT_D("rev/fwd loop", t, __enzyme_autodiff((void *)dpoly_fwd, t), want2);
    CHECK_AT_TOL("fwd/fwd/rev third", t, ct_derivative(d2poly_fwd_over_rev, t, 1.0), want3, 1e-11);
    double d3 = 0;
    ct_gradient(d2poly_fwd_over_rev, t, &d3);
    CHECK_AT_TOL("rev/fwd/rev third", t, d3, want3, 1e-11);
  }
  return check_summary("nested_modes");
}
