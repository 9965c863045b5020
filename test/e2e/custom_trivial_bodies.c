/* A custom derivative wins over the body at every -O level, however simple
 * the body: a straight-through gradient-clipping estimator (identity body,
 * pullback clamps the seed to [-1, 1]), `return 0.0;`, `return x * 1.0;`,
 * `return a + b;`, a void function that copies an array, static and
 * static inline functions, the attribute spelling derivative(f) on a static
 * pullback, called from differentiated code (ct_gradient,
 * ct_value_with_gradient, pullbacks, __enzyme_autodiff), differentiated
 * directly, through ct_gradient_of, and (a CT_DIFFERENTIABLE one) through
 * a run-time function pointer. Each pullback differs
 * from the body's derivative, so the expected gradients (analytic) can only
 * come from the pullbacks; LLVM used to fold these calls away at -O1..-O3
 * before the pullback was looked up. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static int bad;
static void check(const char *what, double got, double want) {
  if (fabs(got - want) > 1e-12 * fmax(1.0, fabs(want))) {
    bad++;
    printf("%s: %.17g, want %.17g\n", what, got, want);
  }
}

static double clamp1(double s) { return fmin(fmax(s, -1.0), 1.0); }

/* straight-through estimator with gradient clipping */
double clip(double x) { return x; }
CT_DERIVATIVE(clip)
void clip_pullback(double x, double seed, double *dx) { (void)x; *dx += clamp1(seed); }

/* a rounding whose surrogate gradient is 0.5 */
static double stop(double x) { (void)x; return 0.0; }
CT_DERIVATIVE(stop)
static void stop_pullback(double x, double seed, double *dx) { (void)x; *dx += 0.5 * seed; }

static double unit(double x) { return x * 1.0; }
CT_DERIVATIVE(unit)
static void unit_pullback(double x, double seed, double *dx) { *dx += 2.0 * x * seed; }

static inline double plus(double a, double b) { return a + b; }
CT_DERIVATIVE(plus)
static void plus_pullback(double a, double b, double seed, double *da, double *db) {
  (void)a, (void)b;
  *da += 2.0 * seed;
  *db += 3.0 * seed;
}

/* void, through memory: y = x (n elements); the pullback passes 4x back */
static void copy_into(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = x[i];
}
CT_DERIVATIVE(copy_into)
static void copy_into_pullback(const double *x, double *y, int n, double *dx, double *dy) {
  (void)x, (void)y;
  for (int i = 0; i < n; ++i) {
    dx[i] += 4.0 * dy[i];
    dy[i] = 0.0;
  }
}

/* the frontend's spelling, on a static pullback that nothing calls */
static double halve(double x) { return x; }
static void halve_pullback(double x, double seed, double *dx) __attribute__((derivative(halve)));
static void halve_pullback(double x, double seed, double *dx) { (void)x; *dx += 0.5 * seed; }

/* declared differentiable: its exported gradient, and the one a run-time
   function pointer reaches, are the pullback's too */
CT_DIFFERENTIABLE double straight(double x) { return x; }
CT_DERIVATIVE(straight)
void straight_pullback(double x, double seed, double *dx) { (void)x; *dx += 0.25 * seed; }

/* a small network layer: clipped pre-activations, summed */
static double layer(const double *w, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += 3.0 * clip(w[i] * x[i]) + stop(w[i]) + unit(w[i]) * x[i];
  return s;
}

static double mix(double a, double b) { return plus(a, a * b) + 0.25 * clip(b); }

static double through_memory(const double *x, int n) {
  double y[4];
  copy_into(x, y, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  return s;
}

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

int main(void) {
  double w[3] = {0.5, -2.0, 1.5}, x[3] = {1.0, 0.25, -3.0}, dw[3] = {0};
  double v = ct_value_with_gradient(layer, w, dw, x, (double[3]){0}, 3);
  double want_v = 0;
  for (int i = 0; i < 3; ++i) {
    want_v += 3.0 * w[i] * x[i] + w[i] * x[i];
    /* clip: seed 3 clamped to 1, times x; stop: 0.5; unit: 2 w x */
    check("layer dw", dw[i], 1.0 * x[i] + 0.5 + 2.0 * w[i] * x[i]);
  }
  check("layer value", v, want_v);

  double da = 0, db = 0;
  ct_gradient(mix, 1.5, &da, -0.75, &db);
  check("mix da", da, 2.0 + 3.0 * -0.75);
  check("mix db", db, 3.0 * 1.5 + 0.25);
  check("mix enzyme da", __enzyme_autodiff((void *)mix, 1.5, enzyme_const, -0.75), 2.0 + 3.0 * -0.75);

  ct_pullback_t pb;
  double pv = ct_value_with_pullback(mix, &pb, 1.5, -0.75);
  check("mix pullback value", pv, 1.5 + 1.5 * -0.75 + 0.25 * -0.75);
  ct_pullback_apply(pb, 8.0, &da, &db); /* clip's seed 2 is clamped to 1 */
  check("mix pullback da", da, 8.0 * (2.0 + 3.0 * -0.75));
  check("mix pullback db", db, 8.0 * 3.0 * 1.5 + 1.0);
  ct_pullback_free(pb);

  double d = 0;
  ct_gradient(clip, 0.3, &d);
  check("clip direct", d, 1.0);
  d = 0;
  ct_gradient(stop, 0.3, &d);
  check("stop direct", d, 0.5);
  d = 0;
  ct_gradient(unit, 0.3, &d);
  check("unit direct", d, 0.6);
  double (*unit_grad)(double, double *) = ct_gradient_of(unit);
  check("unit gradient_of value", unit_grad(0.3, &d), 0.3);
  check("unit gradient_of", d, 0.6);

  d = 0;
  ct_gradient(halve, 0.3, &d);
  check("halve direct", d, 0.5);

  double (*volatile pointer)(double) = straight;
  d = 0;
  ct_gradient(pointer, 0.3, &d);
  check("straight through a pointer", d, 0.25);
  d = 0;
  ct_gradient(straight, 0.3, &d);
  check("straight direct", d, 0.25);

  double xs[4] = {0.5, -1.0, 2.0, 0.25}, dxs[4] = {0};
  ct_gradient(through_memory, xs, dxs, 4);
  for (int i = 0; i < 4; ++i)
    check("copy_into dx", dxs[i], 4.0 * 2.0 * xs[i]);

  /* the primal values are the bodies' */
  check("clip value", clip(0.3), 0.3);
  check("stop value", stop(0.3), 0.0);
  check("plus value", plus(1.0, 2.0), 3.0);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
