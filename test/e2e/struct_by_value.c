/* Structs passed by value to the differentiated function, in every reverse
 * operator: a struct argument is followed by a pointer to its tangent
 * struct, into which the derivative of each floating-point field is added
 * (integer fields untouched; pointer fields: the tangent's pointer is the
 * shadow array). Covers the C ABI's shapes on x86-64: a byval pointer
 * (4 doubles), {double, double} and {double, int} in registers, <2 x float>,
 * an i64 holding an int and a float, <2 x float> plus a float; two struct
 * parameters; ct_const of a struct and CT_NO_DERIVATIVE struct parameters;
 * pullbacks; ct_gradient_of (whose
 * gradient takes a pointer to the struct). Checked against analytic
 * derivatives and central differences. */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef struct { double x, y, z, m; } Particle;    /* byval */
typedef struct { double x, y; } Vec2;              /* two doubles */
typedef struct { float a, b; } Pairf;              /* <2 x float> */
typedef struct { int n; float w; } Weighted;       /* one i64 */
typedef struct { double x; int n; } Power;         /* double, i32 */
typedef struct { float r, g, b; } Color;           /* <2 x float>, float */
typedef struct { double *w; int n; double scale; } Layer; /* a pointer field */

static double kinetic(Particle p) { return 0.5 * p.m * (p.x * p.x + p.y * p.y + p.z * p.z); }
static double potential(Particle p, Vec2 c) {
  double dx = p.x - c.x, dy = p.y - c.y;
  return p.m / sqrt(dx * dx + dy * dy + 1.0);
}
static double energy(Particle p, Vec2 c, double g) { return kinetic(p) + g * potential(p, c) + g * p.z; }
static double pairf(Pairf p) { return (double)(p.a * p.a * p.b); }
static double weighted(Weighted v) { return (double)(v.n * sinf(v.w)); }
static double power(Power p) {
  double r = 1.0;
  for (int i = 0; i < p.n; ++i)
    r *= p.x;
  return r;
}
static double luminance(Color c) { return 0.2126 * c.r + 0.7152 * c.g * c.g + 0.0722 * c.b; }
static double layer_loss(Layer L, const double *x) {
  double s = 0.0;
  for (int i = 0; i < L.n; ++i)
    s += L.w[i] * x[i];
  return L.scale * s * s;
}

/* a struct parameter held constant (no tangent follows it), in registers
   and in memory */
static double scaled_sq(CT_NO_DERIVATIVE Vec2 k, double x) { return k.x * x * x + k.y; }
static double scaled_cube(CT_NO_DERIVATIVE Particle k, double x) { return k.m * x * x * x + k.x; }

static double energy_at(double *q, void *ctx) {
  const double *g = ctx;
  Particle p = {q[0], q[1], q[2], q[3]};
  Vec2 c = {q[4], q[5]};
  return energy(p, c, *g);
}

int main(void) {
  /* byval and a register pair, against central differences */
  Particle p = {0.3, -1.1, 0.7, 2.0}, dp = {0};
  Vec2 c = {0.5, 0.25}, dc = {0};
  double g = 9.81, dg = 0.0;
  double v = ct_value_with_gradient(energy, p, &dp, c, &dc, g, &dg);
  CHECK_D(v, energy(p, c, g));
  double q[6] = {p.x, p.y, p.z, p.m, c.x, c.y}, grad[6] = {dp.x, dp.y, dp.z, dp.m, dc.x, dc.y};
  CHECK_FD_GRADIENT("energy", energy_at, &g, q, 6, grad, 1e-6, 1e-7);
  CHECK_D(dg, potential(p, c) + p.z);

  /* floats in registers */
  Pairf pf = {1.5f, -2.0f}, dpf = {0};
  ct_gradient(pairf, pf, &dpf);
  CHECK_F(dpf.a, 2 * 1.5f * -2.0f);
  CHECK_F(dpf.b, 1.5f * 1.5f);
  Weighted wt = {3, 0.4f}, dwt = {17, 0.0f};
  ct_gradient(weighted, wt, &dwt);
  CHECK_F(dwt.w, 3 * cosf(0.4f));
  CHECK(dwt.n == 17); /* an integer field's tangent is left alone */
  Power pw = {1.3, 4}, dpw = {0.0, -5};
  ct_gradient(power, pw, &dpw);
  CHECK_D(dpw.x, 4 * pow(1.3, 3));
  CHECK(dpw.n == -5);
  Color col = {0.2f, 0.5f, 0.9f}, dcol = {0};
  ct_gradient(luminance, col, &dcol);
  CHECK_F(dcol.r, 0.2126f);
  CHECK_F(dcol.g, 0.7152f * 2 * 0.5f);
  CHECK_F(dcol.b, 0.0722f);

  /* a struct holding a pointer: the tangent struct's pointer is the shadow
     array of the weights (heap) */
  enum { N = 4 };
  double *w = malloc(N * sizeof *w), *dw = calloc(N, sizeof *dw), x[N], dx[N] = {0};
  for (int i = 0; i < N; ++i) {
    w[i] = 0.5 + i;
    x[i] = 1.0 - 0.3 * i;
  }
  Layer L = {w, N, 0.7}, dL = {dw, 0, 0.0};
  ct_gradient(layer_loss, L, &dL, x, dx);
  double s = 0.0;
  for (int i = 0; i < N; ++i)
    s += w[i] * x[i];
  for (int i = 0; i < N; ++i) {
    CHECK_D(dw[i], 2 * 0.7 * s * x[i]);
    CHECK_D(dx[i], 2 * 0.7 * s * w[i]);
  }
  CHECK_D(dL.scale, s * s);

  /* a constant struct, and a pullback applied twice */
  memset(&dp, 0, sizeof dp);
  ct_pullback_t pb;
  v = ct_value_with_pullback(potential, &pb, p, &dp, ct_const(c));
  CHECK_D(v, potential(p, c));
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 2.0); /* adds 2x more: 3x the gradient */
  ct_pullback_free(pb);
  double r2 = (p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y) + 1.0;
  CHECK_D(dp.x, 3 * -p.m * (p.x - c.x) / pow(r2, 1.5));
  CHECK_D(dp.m, 3 / sqrt(r2));
  CHECK(dp.z == 0.0);

  double dk = 0.0;
  ct_gradient(scaled_sq, c, 1.5, &dk);
  CHECK_D(dk, 2 * c.x * 1.5);
  ct_gradient(scaled_cube, p, 1.5, &dk);
  CHECK_D(dk, 3 * p.m * 1.5 * 1.5);

  /* ct_gradient_of: the gradient takes the struct by pointer, then its
     tangent */
  double (*gk)(Particle *, Particle *) = ct_gradient_of(kinetic);
  memset(&dp, 0, sizeof dp);
  CHECK_D(gk(&p, &dp), kinetic(p));
  CHECK_D(dp.x, p.m * p.x);
  CHECK_D(dp.m, 0.5 * (p.x * p.x + p.y * p.y + p.z * p.z));

  free(w);
  free(dw);
  return check_summary("struct_by_value");
}
