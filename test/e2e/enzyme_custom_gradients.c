/* Custom derivatives registered the Enzyme way are the ones used, whatever
 * f's body (before, the globals were ignored and the body differentiated:
 * the fast inverse square root got the derivative of its bit trick, 3 %
 * off). Checked against analytic derivatives:
 *   - __enzyme_register_gradient_{f, augmented forward, gradient} with
 *     Enzyme's conventions: no tape (the augmented forward returns the
 *     result, or nothing), a pointer tape returned alone or in a struct
 *     { tape; result }, a double tape, shadows after the pointers that have
 *     one (output pointers to locals of the caller), gradients returning one
 *     derivative, two (registers), three (sret) or two floats
 *   - f only declared here (its body in another file), f called in a loop,
 *     a static registration (kept for the pass by the frontend),
 *     the operator applied to f itself, f inside split mode and pullbacks
 *     (a gradient that consumes its tape: a second application stops; a
 *     free adds nothing, and frees the tapes of an unapplied pullback)
 *   - __enzyme_register_derivative_{f, forward derivative} for functions of
 *     scalars: one forward call per floating-point parameter; with a
 *     gradient registered too, the gradient is used */
/* run.sh sources: inputs/enzyme_solver.c */
#include "check.h"
#include "child.h"

#include <cotangent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const, enzyme_out;
extern double __enzyme_autodiff(void *, ...);
extern float __enzyme_autodifff(void *, ...);
extern void __enzyme_autodiff_v(void *, ...);
typedef struct {
  double a, b;
} D2;
typedef struct {
  double a, b, c;
} D3;
extern D2 __enzyme_autodiff_d2(void *, ...);
extern D3 __enzyme_autodiff_d3(void *, ...);
typedef struct {
  void *tape;
  double ret;
} Aug;
extern Aug __enzyme_augmentfwd(void *, ...);
extern double __enzyme_reverse(void *, ...);

/* ---- the fast inverse square root, registered with its exact gradient ---- */
float q_rsqrt(float number) {
  float x2 = number * 0.5f, y = number;
  int32_t i;
  memcpy(&i, &y, sizeof i);
  i = 0x5f3759df - (i >> 1);
  memcpy(&y, &i, sizeof y);
  return y * (1.5f - x2 * y * y);
}
float q_rsqrt_aug(float x) { return q_rsqrt(x); }
float q_rsqrt_grad(float x, float d_result) { return -d_result * 0.5f / (x * sqrtf(x)); }
void *__enzyme_register_gradient_q_rsqrt[] = {(void *)q_rsqrt, (void *)q_rsqrt_aug, (void *)q_rsqrt_grad};

static float inverse_norm(const float *v, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i] * v[i];
  return q_rsqrt(s);
}

/* ---- a solver only declared here, and its implicit derivative ---- */
double cbrt_newton(double a);
void cbrt_aug(double a) { (void)a; } /* returns nothing: the result comes from a call of cbrt_newton */
double cbrt_grad(double a, double d_result) {
  double c = cbrt(a);
  return d_result / (3 * c * c);
}
void *__enzyme_register_gradient_cbrt[] = {(void *)cbrt_newton, (void *)cbrt_aug, (void *)cbrt_grad};

static double volume_side(double a, double b) { return cbrt_newton(a * b) + a; }

/* ---- y = A x with pointer shadows and a tape holding a copy of x ---- */
__attribute__((noinline)) void mat_vec(const double *a, const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i) {
    y[i] = 0;
    for (int j = 0; j < n; ++j)
      y[i] += a[i * n + j] * x[j];
  }
}
void *mat_vec_aug(const double *a, double *da, const double *x, double *dx, double *y, double *dy, int n) {
  (void)da, (void)dx, (void)dy;
  mat_vec(a, x, y, n);
  double *keep = malloc((size_t)n * sizeof *keep);
  memcpy(keep, x, (size_t)n * sizeof *keep);
  return keep;
}
void mat_vec_grad(const double *a, double *da, const double *x, double *dx, double *y, double *dy, int n,
                  void *tape) {
  const double *x0 = tape;
  (void)x, (void)y;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      da[i * n + j] += dy[i] * x0[j];
      dx[j] += a[i * n + j] * dy[i];
    }
    dy[i] = 0;
  }
  free(tape);
}
void *__enzyme_register_gradient_mat_vec[] = {(void *)mat_vec, (void *)mat_vec_aug, (void *)mat_vec_grad};

/* |A x|^2 with y local to the caller */
static double energy(const double *a, const double *x, int n) {
  double y[8], s = 0;
  mat_vec(a, x, y, n);
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i];
  return s;
}

/* ---- a double tape in a struct { tape; result } ---- */
double smooth_clip(double x) { return tanh(x); }
typedef struct {
  double tape, result;
} ClipAug;
ClipAug smooth_clip_aug(double x) {
  double t = tanh(x);
  return (ClipAug){t, t};
}
double smooth_clip_grad(double x, double d_result, double t) {
  (void)x;
  return d_result * (1 - t * t);
}
void *__enzyme_register_gradient_clip[] = {(void *)smooth_clip, (void *)smooth_clip_aug, (void *)smooth_clip_grad};

/* ---- a pointer tape in a struct, called in a loop ---- */
double scaled_square(double x, int k) { return k * x * x; }
typedef struct {
  double *tape, result;
} SqAug;
SqAug scaled_square_aug(double x, int k) {
  double *t = malloc(sizeof *t);
  *t = x;
  return (SqAug){t, k * x * x};
}
double scaled_square_grad(double x, int k, double d_result, double *t) {
  (void)x;
  double d = 2 * k * *t * d_result;
  free(t);
  return d;
}
void *__enzyme_register_gradient_sq[] = {(void *)scaled_square, (void *)scaled_square_aug,
                                         (void *)scaled_square_grad};

static double series(double x, int n) {
  double s = 0;
  for (int k = 1; k <= n; ++k)
    s += scaled_square(x + 0.1 * k, k);
  return s;
}

/* ---- derivatives of several parameters: two, three (sret), two floats ---- */
double dist(double x, double y) { return sqrt(x * x + y * y); }
double dist_aug(double x, double y) { return dist(x, y); }
D2 dist_grad(double x, double y, double d) {
  double r = sqrt(x * x + y * y);
  return (D2){d * x / r, d * y / r};
}
void *__enzyme_register_gradient_dist[] = {(void *)dist, (void *)dist_aug, (void *)dist_grad};

double triple(double x, int n, double y, double z) { return n * x * y * z; }
double triple_aug(double x, int n, double y, double z) { return triple(x, n, y, z); }
D3 triple_grad(double x, int n, double y, double z, double d) { return (D3){d * n * y * z, d * n * x * z, d * n * x * y}; }
void *__enzyme_register_gradient_triple[] = {(void *)triple, (void *)triple_aug, (void *)triple_grad};

typedef struct {
  float a, b;
} F2;
float fmul2(float x, float y) { return x * y; }
float fmul2_aug(float x, float y) { return x * y; }
F2 fmul2_grad(float x, float y, float d) { return (F2){d * y, d * x}; }
static void *__enzyme_register_gradient_fmul2[] = {(void *)fmul2, (void *)fmul2_aug, (void *)fmul2_grad};
static float use_fmul2(float x, float y) { return fmul2(x, y) * x; }

/* ---- forward derivatives of functions of scalars ---- */
/* log(1 + e^x) by a truncated series for small |x| (its own derivative is
   off); the forward derivative is exact */
double softplus(double x, double beta) {
  double z = beta * x;
  return z > 0.5 ? (z + log1p(exp(-z))) / beta : (log(2) + z / 2 + z * z / 8) / beta;
}
D2 softplus_fwd(double x, double dx, double beta, double dbeta) {
  double z = beta * x, s = 1 / (1 + exp(-z)), v = log1p(exp(z)) / beta;
  return (D2){v, s * dx + (s * x / beta - v / beta) * dbeta};
}
void *__enzyme_register_derivative_softplus[] = {(void *)softplus, (void *)softplus_fwd};
static double use_softplus(double x, double beta) { return softplus(x, beta) * 2; }

/* a forward derivative returning the tangent alone, with an integer */
float fpow_n(float x, int n) { return powf(x, (float)n); }
float fpow_n_fwd(float x, float dx, int n) { return n * powf(x, (float)(n - 1)) * dx; }
void *__enzyme_register_derivative_fpow[] = {(void *)fpow_n, (void *)fpow_n_fwd};

/* both registered: the gradient serves (the forward one here is wrong) */
double both(double x) { return x * x; }
double both_fwd(double x, double dx) { (void)x, (void)dx; return 1e9; }
double both_aug(double x) { return x * x; }
double both_grad(double x, double d) { return 2 * x * d; }
void *__enzyme_register_derivative_both[] = {(void *)both, (void *)both_fwd};
void *__enzyme_register_gradient_both[] = {(void *)both, (void *)both_aug, (void *)both_grad};

/* ---- the tests ---- */
static void test_rsqrt(void) {
  float v[3] = {1.0f, 2.0f, 3.0f}, dv[3] = {0};
  __enzyme_autodiff_v((void *)inverse_norm, v, dv, 3);
  float s = 14.0f;
  for (int i = 0; i < 3; ++i)
    CHECK_F(dv[i], -v[i] / (s * sqrt(s)));
  CHECK_F(__enzyme_autodifff((void *)q_rsqrt, 4.0f), -1.0 / 16);
}

static void test_declared_solver(void) {
  for (double a = 0.5; a < 4; a += 1.25) {
    double b = 1.5, c = cbrt(a * b);
    CHECK_AT_TOL("volume_side", a, __enzyme_autodiff((void *)volume_side, a, enzyme_const, b), b / (3 * c * c) + 1,
                 1e-12);
    CHECK_AT_TOL("cbrt_newton", a, __enzyme_autodiff((void *)cbrt_newton, a), 1 / (3 * cbrt(a) * cbrt(a)), 1e-12);
  }
}

static void test_mat_vec(void) {
  enum { N = 3 };
  double a[N * N], x[N] = {0.5, -1.0, 2.0}, da[N * N] = {0}, dx[N] = {0}, y[N];
  for (int i = 0; i < N * N; ++i)
    a[i] = 0.1 * (i + 1) - 0.3 * (i % 2);
  __enzyme_autodiff_v((void *)energy, enzyme_dup, a, da, enzyme_dup, x, dx, N);
  mat_vec(a, x, y, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      CHECK_D(da[i * N + j], 2 * y[i] * x[j]);
  for (int j = 0; j < N; ++j) {
    double want = 0;
    for (int i = 0; i < N; ++i)
      want += 2 * y[i] * a[i * N + j];
    CHECK_D(dx[j], want);
  }
}

static void test_tapes_in_structs(void) {
  for (double x = -1.5; x < 2; x += 0.75) {
    double t = tanh(x);
    CHECK_AT_D("smooth_clip", x, __enzyme_autodiff((void *)smooth_clip, x), 1 - t * t);
    double want = 0;
    for (int k = 1; k <= 5; ++k)
      want += 2 * k * (x + 0.1 * k);
    CHECK_AT_D("series", x, __enzyme_autodiff((void *)series, x, 5), want);
  }
}

static void test_several_derivatives(void) {
  double x = 0.6, y = -0.8, z = 1.7;
  D2 d = __enzyme_autodiff_d2((void *)dist, x, y);
  CHECK_D(d.a, x / dist(x, y));
  CHECK_D(d.b, y / dist(x, y));
  D3 t = __enzyme_autodiff_d3((void *)triple, x, 3, y, z);
  CHECK_D(t.a, 3 * y * z);
  CHECK_D(t.b, 3 * x * z);
  CHECK_D(t.c, 3 * x * y);
  CHECK_D(__enzyme_autodiff((void *)triple, x, 2, enzyme_const, y, enzyme_const, z), 2 * y * z);
  float fx = 1.25f, fy = -2.0f;
  CHECK_F(__enzyme_autodifff((void *)use_fmul2, fx, enzyme_const, fy), 2 * fx * fy);
}

static void test_forward_derivatives(void) {
  for (double x = -1.0; x < 1.6; x += 0.5) {
    double beta = 1.5, s = 1 / (1 + exp(-beta * x));
    D2 d = __enzyme_autodiff_d2((void *)use_softplus, x, beta);
    double v = log1p(exp(beta * x)) / beta;
    CHECK_AT_D("softplus dx", x, d.a, 2 * s);
    CHECK_AT_D("softplus dbeta", x, d.b, 2 * (s * x / beta - v / beta));
  }
  CHECK_F(__enzyme_autodifff((void *)fpow_n, 1.5f, 3), 3 * 1.5 * 1.5);
  CHECK_D(__enzyme_autodiff((void *)both, 1.25), 2.5);
}

static void test_split_and_pullbacks(void) {
  double x = 0.8, want = 0;
  for (int k = 1; k <= 4; ++k)
    want += 2 * k * (x + 0.1 * k);
  Aug t = __enzyme_augmentfwd((void *)series, x, 4);
  CHECK_D(t.ret, series(x, 4));
  CHECK_D(__enzyme_reverse((void *)series, x, 4, 1.0, t.tape), want);
  ct_pullback_t pb = ct_pullback(series, x, 4);
  double dx = 0;
  ct_pullback_apply(pb, 2.0, &dx);
  CHECK_D(dx, 2 * want);
  ct_pullback_free(pb);
  CHECK_D(dx, 2 * want); /* freeing adds nothing */
  /* freed unapplied: the user's gradient frees its tapes (ASan: no leak) */
  pb = ct_pullback(series, x, 4);
  ct_pullback_free(pb);
  /* without a tape, a pullback applies any number of times */
  pb = ct_pullback(dist, x, 0.5);
  double da = 0, db = 0;
  ct_pullback_apply(pb, 1.0, &da, &db);
  ct_pullback_apply(pb, 3.0, &da, &db);
  CHECK_D(da, 3 * x / dist(x, 0.5));
  CHECK_D(db, 3 * 0.5 / dist(x, 0.5));
  ct_pullback_free(pb);
}

static void apply_twice(void *arg) {
  (void)arg;
  ct_pullback_t pb = ct_pullback(series, 0.5, 3);
  double dx = 0;
  ct_pullback_apply(pb, 1.0, &dx);
  ct_pullback_apply(pb, 1.0, &dx);
}

int main(void) {
  test_rsqrt();
  test_declared_solver();
  test_mat_vec();
  test_tapes_in_structs();
  test_several_derivatives();
  test_forward_derivatives();
  test_split_and_pullbacks();
  check_child_stops("a pullback through a gradient that consumes its tape, applied twice", apply_twice, NULL,
                    "cotangent: the gradient registered for 'scaled_square' (__enzyme_register_gradient_sq) consumes "
                    "its tape: a pullback through it can be applied only once",
                    1);
  return check_summary("enzyme_custom_gradients");
}
