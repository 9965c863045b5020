/* Functions whose names are as long as C++ ones (1,900 characters) and
 * differ only at the end: every name the pass builds from them (the
 * gradient, the prepared copy, the pullback's thunk, the call wrapper of a
 * function with a custom derivative, the run-time registry's entry point)
 * must stay distinct. They used to be cut at 256 to 700 characters, so the
 * second function got the first one's gradient, or its custom derivative
 * was ignored. Analytic checks. */
#include <cotangent.h>
#include <math.h>

#include "check.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define TWICE(x) CAT(x, x)
/* 15 x 2^7 = 1,920 characters */
#define LONG_PREFIX TWICE(TWICE(TWICE(TWICE(TWICE(TWICE(TWICE(a_long_prefix_)))))))
#define NAME(suffix) CAT(LONG_PREFIX, suffix)
#define DERIVATIVE_OF(f) CT_DERIVATIVE(f) /* f expanded before # spells it */

/* plain: x^3 and sin x */
static double NAME(cube)(double x) { return x * x * x; }
static double NAME(sine)(double x) { return sin(x); }

/* custom derivatives on functions whose bodies would give 0 for x < 0 */
static double NAME(relu_a)(double x) { return x > 0 ? x : 0; }
static double NAME(relu_b)(double x) { return x > 0 ? x : 0; }
DERIVATIVE_OF(NAME(relu_a))
static void NAME(relu_a_pullback)(double x, double seed, double *dx) {
  (void)x;
  *dx += 2 * seed; /* "straight through", scaled by 2 */
}
DERIVATIVE_OF(NAME(relu_b))
static void NAME(relu_b_pullback)(double x, double seed, double *dx) {
  (void)x;
  *dx += 3 * seed;
}
static double use_relus(double x) { return NAME(relu_a)(x) + 10 * NAME(relu_b)(x); }

/* differentiable, through function pointers known at run time */
CT_DIFFERENTIABLE double NAME(square)(double x) { return x * x; }
CT_DIFFERENTIABLE double NAME(cosine)(double x) { return cos(x); }

int main(void) {
  double x = 0.7, d = 0;
  ct_gradient(NAME(cube), x, &d);
  CHECK_D(d, 3 * x * x);
  ct_gradient(NAME(sine), x, &d);
  CHECK_D(d, cos(x));

  ct_pullback_t p3 = ct_pullback(NAME(cube), x), ps = ct_pullback(NAME(sine), x);
  ct_pullback_apply(p3, 1.0, &d);
  CHECK_D(d, 3 * x * x);
  ct_pullback_apply(ps, 1.0, &d);
  CHECK_D(d, cos(x));
  ct_pullback_free(p3);
  ct_pullback_free(ps);

  /* the custom derivatives, directly and inside another function */
  ct_gradient(NAME(relu_a), -1.0, &d);
  CHECK_D(d, 2.0);
  ct_gradient(NAME(relu_b), -1.0, &d);
  CHECK_D(d, 3.0);
  ct_gradient(use_relus, -1.0, &d);
  CHECK_D(d, 2.0 + 10 * 3.0);

  double (*volatile fp)(double) = NAME(square);
  ct_gradient(fp, x, &d);
  CHECK_D(d, 2 * x);
  fp = NAME(cosine);
  ct_gradient(fp, x, &d);
  CHECK_D(d, -sin(x));
  double (*g)(double, double *) = ct_gradient_of(NAME(square));
  CHECK_D(g(x, &d), x * x);
  CHECK_D(d, 2 * x);
  g = ct_gradient_of(NAME(cosine));
  CHECK_D(g(x, &d), cos(x));
  CHECK_D(d, -sin(x));
  return check_summary("long_names");
}
