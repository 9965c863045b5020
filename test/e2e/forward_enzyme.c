/* Enzyme's forward mode, __enzyme_fwddiff: floating-point arguments
 * followed by their tangent (enzyme_dup, enzyme_dupnoneed or no marker),
 * enzyme_const, pointers followed by their shadow (enzyme_dup,
 * enzyme_dupnoneed), the tangent returned (float too), { value, tangent }
 * with enzyme_primal_return (anywhere among the arguments, as in Enzyme),
 * the value only with enzyme_const_return too; void
 * functions writing through pointers; and forward derivatives registered
 * with __enzyme_register_derivative_f = {f, f_fwd}, used for every call of
 * f in forward mode (returning the tangent or { result, tangent }, f of
 * scalars or of pointers), beside a registered gradient for reverse mode.
 * Checked against analytic values. */
#include "check.h"

#include <math.h>

int enzyme_dup, enzyme_dupnoneed, enzyme_const, enzyme_primal_return, enzyme_const_return, enzyme_dup_return;
typedef struct {
  double value, tangent;
} Dual;
extern double __enzyme_fwddiff(void *, ...);
extern float __enzyme_fwddiff_float(void *, ...);
extern Dual __enzyme_fwddiff_dual(void *, ...);
extern void __enzyme_fwddiff_void(void *, ...);
extern double __enzyme_autodiff(void *, ...);

static double f(double x, double y) { return x * x * y + sin(y); }
static float ff(float x) { return x * x * x; }
static double dot(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += a[i] * b[i];
  return s;
}
static void axpy(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] += a * x[i];
}

/* a step function whose registered derivative says slope 1 (a
   straight-through estimator): the tangent shows which one runs */
__attribute__((noinline)) static double quantize(double x) { return floor(x * 8.0) / 8.0; }
static double quantize_fwd(double x, double dx) { return (void)x, dx; }
void *__enzyme_register_derivative_quantize[] = {(void *)quantize, (void *)quantize_fwd};
static double use_quantize(double x) { return quantize(x * x) * 3.0 + x; }

/* returns { result, tangent } */
static double cube(double x) { return x * x * x; }
static Dual cube_fwd(double x, double dx) { return (Dual){x * x * x, 3 * x * x * dx * 2.0}; } /* doubled: tells */
void *__enzyme_register_derivative_cube[] = {(void *)cube, (void *)cube_fwd};
static double use_cube(double x, double y) { return cube(x) + cube(y) * y; }

/* a function of pointers: its forward derivative takes each pointer's
   shadow after it */
__attribute__((noinline)) static void square_all(double *x, int n) {
  for (int i = 0; i < n; ++i)
    x[i] = x[i] * x[i];
}
static void square_all_fwd(double *x, double *dx, int n) {
  for (int i = 0; i < n; ++i) {
    dx[i] = 10.0 * x[i] * dx[i]; /* 10 instead of 2: tells */
    x[i] = x[i] * x[i];
  }
}
void *__enzyme_register_derivative_square_all[] = {(void *)square_all, (void *)square_all_fwd};
static double use_square_all(double *x, int n) {
  square_all(x, n);
  return dot(x, x, n);
}

/* both a gradient (reverse mode) and a forward derivative */
static double twice(double x) { return 2.0 * x; }
static double twice_aug(double x) { return 2.0 * x; }
static double twice_grad(double x, double d) { return (void)x, 20.0 * d; }
static double twice_fwd(double x, double dx) { return (void)x, 30.0 * dx; }
void *__enzyme_register_gradient_twice[] = {(void *)twice, (void *)twice_aug, (void *)twice_grad};
void *__enzyme_register_derivative_twice[] = {(void *)twice, (void *)twice_fwd};
static double use_twice(double x) { return twice(x) * 1.0; }

int main(void) {
  double x = 1.5, y = -0.5;
  double dfdx = 2 * x * y, dfdy = x * x + cos(y);
  CHECK_D(__enzyme_fwddiff((void *)f, enzyme_dup, x, 1.0, enzyme_dup, y, 0.0), dfdx);
  CHECK_D(__enzyme_fwddiff((void *)f, x, 0.5, y, 2.0), 0.5 * dfdx + 2.0 * dfdy); /* no marker: dup */
  CHECK_D(__enzyme_fwddiff((void *)f, enzyme_const, x, enzyme_dupnoneed, y, 1.0), dfdy);
  Dual d = __enzyme_fwddiff_dual((void *)f, enzyme_primal_return, x, 1.0, enzyme_const, y);
  CHECK_D(d.value, f(x, y));
  CHECK_D(d.tangent, dfdx);
  CHECK_F(__enzyme_fwddiff_float((void *)ff, 2.0f, 1.0f), 12.0f);
  /* the result's options: the tangent (enzyme_dup_return, the default), the
     value only (enzyme_primal_return with enzyme_const_return) */
  CHECK_D(__enzyme_fwddiff((void *)f, enzyme_dup_return, x, 1.0, y, 0.0), dfdx);
  CHECK_D(__enzyme_fwddiff((void *)f, enzyme_primal_return, enzyme_const_return, x, 1.0, y, 0.0), f(x, y));
  d = __enzyme_fwddiff_dual((void *)f, x, 0.0, enzyme_primal_return, y, 1.0);
  CHECK_D(d.value, f(x, y));
  CHECK_D(d.tangent, dfdy);
  {
    double a[3] = {1, 2, 3}, da[3] = {0.5, 0, 1}, b[3] = {-1, 0.5, 2}, db[3] = {1, 1, 1};
    double want = (0.5 * -1 + 0 + 1 * 2) + (1 + 2 + 3);
    CHECK_D(__enzyme_fwddiff((void *)dot, enzyme_dup, a, da, enzyme_dup, b, db, 3), want);
    CHECK_D(__enzyme_fwddiff((void *)dot, enzyme_const, a, b, db, 3), 6.0);
    double yv[3] = {1, 1, 1}, dy[3] = {0, 0, 0};
    __enzyme_fwddiff_void((void *)axpy, 2.0, 0.5, enzyme_const, a, enzyme_dupnoneed, yv, dy, 3);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dy[i], 0.5 * a[i]);
    CHECK_D(yv[2], 7.0);
  }
  /* registered forward derivatives */
  CHECK_D(__enzyme_fwddiff((void *)use_quantize, 0.7, 1.0), 3.0 * 2 * 0.7 + 1.0);
  CHECK_D(__enzyme_fwddiff((void *)quantize, 0.7, 1.0), 1.0);
  CHECK_D(__enzyme_fwddiff((void *)use_cube, x, 1.0, y, 0.0), 6 * x * x);
  CHECK_D(__enzyme_fwddiff((void *)use_cube, x, 0.0, y, 1.0), 6 * y * y * y + y * y * y);
  {
    double v[4] = {1, 2, 3, 4}, dv[4] = {1, 0.5, 0, -1};
    /* x_i^2 with tangent 10 x_i dx_i, then sum x_i^4 */
    double want = 0;
    for (int i = 0; i < 4; ++i)
      want += 2 * v[i] * v[i] * 10 * v[i] * dv[i];
    CHECK_D(__enzyme_fwddiff((void *)use_square_all, v, dv, 4), want);
    CHECK_D(dv[3], 10 * 4 * -1.0);
  }
  CHECK_D(__enzyme_fwddiff((void *)use_twice, 1.0, 1.0), 30.0);
  CHECK_D(__enzyme_autodiff((void *)use_twice, 1.0), 20.0);
  return check_summary("forward_enzyme");
}
