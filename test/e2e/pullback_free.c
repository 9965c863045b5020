/* ct_pullback_free leaves the shadows of the arguments as the last
 * application left them: freeing releases the tape without running the
 * adjoint code again (it used to rerun the reverse with seed 0, which moved
 * the adjoint of an element the function overwrote once more: dx doubled).
 * Shapes: an argument overwritten in place (directly, in a loop, in a
 * non-inlined helper, in a recursive helper), heap scratch freed inside
 * (applied twice, then freed: no double free or leak under ASan/valgrind),
 * and a custom derivative. Analytic checks before and after the free. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>

/* x[0] <- 2 x[0]; returns x[0] p: d/dx0 = 2p, d/dp = 2 x0 */
static double twice_then_scale(double *x, double p) {
  x[0] = 2 * x[0];
  return x[0] * p;
}

/* squares each element in place, then sums them times p */
static double square_in_place(double *x, int n, double p) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    x[i] = x[i] * x[i];
    s += x[i] * p;
  }
  return s;
}

__attribute__((noinline)) static void scale_helper(double *v, int n, double a) {
  for (int i = 0; i < n; ++i)
    v[i] = a * v[i];
}

/* calls a helper that overwrites its argument */
static double via_helper(double *v, int n) {
  scale_helper(v, n, 3.0);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * v[i];
  return s;
}

/* recursive: v[k] <- v[k] * v[k-1] down to k = 1 */
__attribute__((noinline)) static void chain(double *v, int k) {
  if (k <= 0)
    return;
  chain(v, k - 1);
  v[k] = v[k] * v[k - 1];
}

static double via_recursion(double *v, int n) {
  chain(v, n - 1);
  return v[n - 1];
}

/* heap scratch allocated and freed inside */
static double with_scratch(double *v, int n) {
  double *t = malloc((size_t)n * sizeof *t);
  for (int i = 0; i < n; ++i)
    t[i] = v[i] * v[i];
  double s = 0;
  for (int i = 0; i < n; ++i) {
    v[i] = t[i] + 1.0;
    s += t[i];
  }
  free(t);
  return s;
}

/* a custom derivative: cube with a hand-written pullback */
static double cube(double x) { return x * x * x; }
CT_DERIVATIVE(cube) static void cube_pullback(double x, double seed, double *dx) { *dx += seed * 3 * x * x; }
static double with_custom(double *v) {
  v[0] = cube(v[0]);
  return 2 * v[0];
}

int main(void) {
  {
    double x[1] = {1.5}, dx[1] = {0}, dp = 0;
    ct_pullback_t pb = ct_pullback(twice_then_scale, x, dx, 1.3);
    ct_pullback_apply(pb, 1.0, &dp);
    CHECK_D(dx[0], 2.6);
    CHECK_D(dp, 3.0);
    ct_pullback_free(pb);
    CHECK_D(dx[0], 2.6);
    CHECK_D(x[0], 3.0);
  }
  {
    double x[4] = {0.5, -1.25, 2.0, 0.75}, x0[4], dx[4] = {0}, dp = 0;
    for (int i = 0; i < 4; ++i)
      x0[i] = x[i];
    ct_pullback_t pb = ct_pullback(square_in_place, x, dx, 4, 0.7);
    ct_pullback_apply(pb, 1.0, &dp);
    for (int i = 0; i < 4; ++i)
      CHECK_D(dx[i], 2 * x0[i] * 0.7);
    ct_pullback_free(pb);
    for (int i = 0; i < 4; ++i)
      CHECK_D(dx[i], 2 * x0[i] * 0.7);
  }
  {
    double v[3] = {1.0, -2.0, 0.5}, v0[3], dv[3] = {0};
    for (int i = 0; i < 3; ++i)
      v0[i] = v[i];
    ct_pullback_t pb = ct_pullback(via_helper, v, dv, 3);
    ct_pullback_apply(pb, 1.0);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dv[i], 18 * v0[i]);
    ct_pullback_free(pb);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dv[i], 18 * v0[i]);
  }
  {
    /* result v0 v1 v2 v3: d/dvi = product of the others */
    double v[4] = {1.5, -0.5, 2.0, 1.25}, v0[4], dv[4] = {0};
    for (int i = 0; i < 4; ++i)
      v0[i] = v[i];
    ct_pullback_t pb = ct_pullback(via_recursion, v, dv, 4);
    ct_pullback_apply(pb, 1.0);
    double prod = v0[0] * v0[1] * v0[2] * v0[3];
    for (int i = 0; i < 4; ++i)
      CHECK_D(dv[i], prod / v0[i]);
    ct_pullback_free(pb);
    for (int i = 0; i < 4; ++i)
      CHECK_D(dv[i], prod / v0[i]);
  }
  {
    /* applied twice (the adjoint of the overwritten v adds up), then freed */
    double v[3] = {0.25, -1.5, 3.0}, v0[3], dv[3] = {0};
    for (int i = 0; i < 3; ++i)
      v0[i] = v[i];
    ct_pullback_t pb = ct_pullback(with_scratch, v, dv, 3);
    ct_pullback_apply(pb, 1.0);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dv[i], 2 * v0[i]);
    for (int i = 0; i < 3; ++i)
      dv[i] = 0;
    ct_pullback_apply(pb, 0.5);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dv[i], v0[i]);
    ct_pullback_free(pb);
    for (int i = 0; i < 3; ++i)
      CHECK_D(dv[i], v0[i]);
  }
  {
    double v[1] = {1.25}, dv[1] = {0};
    ct_pullback_t pb = ct_pullback(with_custom, v, dv);
    ct_pullback_apply(pb, 1.0);
    CHECK_D(dv[0], 6 * 1.25 * 1.25);
    ct_pullback_free(pb);
    CHECK_D(dv[0], 6 * 1.25 * 1.25);
  }
  return check_summary("pullback_free");
}
