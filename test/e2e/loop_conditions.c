/* Loops and branches whose conditions apply a libm function or an LLVM
 * intrinsic to a differentiable value: fabs in a convergence test, sin in
 * a while condition, x * x - a (which clang contracts to llvm.fmuladd), and
 * cos() in an if inside a loop body. The call's result only steers control
 * flow, so it needs no derivative, but its operand is differentiable.
 * Analytic checks. */
#include "check.h"

#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

extern double __enzyme_autodiff(void *, ...);

/* Newton for sqrt with fabs in the stopping test */
static double sqrt_fabs(double a) {
  double x = a > 1.0 ? a : 1.0;
  while (fabs(x * x - a) > 1e-14 * a)
    x = 0.5 * (x + a / x);
  return x;
}

/* halve until sin(x) <= 0.5: x0 * 2^-k with k fixed by the data */
static double halve_while_sin(double x) {
  while (sin(x) > 0.5)
    x *= 0.5;
  return x;
}

/* x*x - a in the condition is an llvm.fmuladd */
static double grow_until(double x, double a) {
  while (x * x - a < 0.0)
    x = x * 1.5;
  return x;
}

/* a call in an if inside the loop body */
static double sum_where_cos_positive(double x) {
  double acc = 0.0;
  for (int i = 1; i <= 10; ++i) {
    double y = x * i;
    if (cos(y) > 0.0)
      acc += y * y;
  }
  return acc;
}

int main(void) {
  const double as[] = {0.25, 2.0, 50.0};
  for (int k = 0; k < 3; ++k)
    CHECK_AT("sqrt_fabs", as[k], __enzyme_autodiff((void *)sqrt_fabs, as[k]), 0.5 / sqrt(as[k]));

  /* 2.0 -> 1.0 -> 0.5 (sin 2 = 0.91, sin 1 = 0.84, sin 0.5 = 0.48) */
  CHECK_AT("halve_while_sin", 2.0, __enzyme_autodiff((void *)halve_while_sin, 2.0), 0.25);
  CHECK_AT("halve_while_sin", 0.3, __enzyme_autodiff((void *)halve_while_sin, 0.3), 1.0);

  /* 1 -> 1.5 -> 2.25 -> 3.375 (>= sqrt 10): d/dx = 1.5^3 */
  typedef struct {
    double dx, da;
  } D2;
  extern D2 __enzyme_autodiff_grow(void *, ...);
  D2 d = __enzyme_autodiff_grow((void *)grow_until, 1.0, 10.0);
  CHECK_AT("grow_until dx", 1.0, d.dx, 3.375);
  CHECK_AT("grow_until da", 1.0, d.da, 0.0);

  double x = 0.7, want = 0.0;
  for (int i = 1; i <= 10; ++i)
    if (cos(x * i) > 0.0)
      want += 2.0 * x * i * i;
  CHECK_AT("sum_where_cos_positive", x, __enzyme_autodiff((void *)sum_where_cos_positive, x), want);
  return check_summary("loop_conditions");
}
