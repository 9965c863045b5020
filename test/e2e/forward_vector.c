/* Vector forward mode, ct_derivative_n(N, f, dresult, ...): N directional
 * derivatives in one pass, each checked against central differences of f
 * along that direction and against ct_derivative (one direction at a
 * time). Through a loop over a heap work array (malloc/free), branches,
 * helper calls (one kept as a call: recursion), libm (exp, log, sin, pow,
 * sqrt, fabs), floating-point arguments with N tangents each, arrays with
 * tangent blocks (input and output, strides wider than the arrays), a
 * void function writing through a pointer, structs holding pointers (the
 * caller's, with a shadow struct per direction; a heap struct built inside
 * holding a heap array and a pointer to a constant table, whose lanes are
 * their own shadows and carry no tangent), custom derivatives (a pullback
 * whose slope differs from the body's: the pullback's must come out), an
 * address computed as an integer, and widths 1, 2, 3, 4, 8. */
#include "check.h"

#include <cotangent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-7

static double soft(double v) { return v > 0 ? v + log(1.0 + exp(-v)) : log(1.0 + exp(v)); }

/* recursive, so it stays a call: its vector tangent function is called */
__attribute__((noinline)) static double horner(const double *c, int n, double x) {
  return n == 0 ? 0.0 : c[0] + x * horner(c + 1, n - 1, x);
}

/* a model of real shape: scaled inputs into a heap array, then a loop with
 * branches and libm over it */
static double model(double scale, double shift, const double *p, int n) {
  double *work = malloc((size_t)n * sizeof *work);
  for (int i = 0; i < n; ++i)
    work[i] = scale * p[i] + shift;
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double w = work[i];
    if (w > 1.0)
      s += sqrt(w) * sin(w);
    else if (w < -1.0)
      s += pow(fabs(w), 1.5);
    else
      s += soft(w) * w;
  }
  s += horner(work, n, 0.3);
  free(work);
  return s;
}

/* a void function: y = A(x) (out through a pointer) */
static void map(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i) {
    double acc = 0;
    for (int j = 0; j < n; ++j)
      acc += exp(-0.1 * (i - j) * (i - j)) * x[j] * (i == j ? x[j] : 1.0);
    y[i] = tanh(acc) + x[i];
  }
}

enum { NP = 5 };
static const double P0[NP] = {0.4, -1.7, 2.3, 0.9, -0.2};

/* model at (scale, shift, p) + h * direction */
static double model_at(const double *dir, double h) {
  double p[NP];
  for (int i = 0; i < NP; ++i)
    p[i] = P0[i] + h * dir[2 + i];
  return model(1.3 + h * dir[0], 0.2 + h * dir[1], p, NP);
}

static double model_fd(const double *dir) {
  double h = 1e-6;
  return (model_at(dir, h) - model_at(dir, -h)) / (2 * h);
}

/* directions for model: dirs[j] = (dscale, dshift, dp[0..NP-1]) */
static void make_dirs(int width, double (*dirs)[2 + NP]) {
  for (int j = 0; j < width; ++j)
    for (int k = 0; k < 2 + NP; ++k)
      dirs[j][k] = (k == j % (2 + NP)) ? 1.0 : 0.1 * sin(3.0 * j + k);
}

/* width 4: each direction's tangent block of p holds NP values in a row of
 * 8 (a stride wider than the array) */
static void check_model_width4(void) {
  double dirs[4][2 + NP], dp[4][8], d[4];
  make_dirs(4, dirs);
  for (int j = 0; j < 4; ++j) {
    for (int k = 0; k < 8; ++k)
      dp[j][k] = k < NP ? dirs[j][2 + k] : 1e30; /* past the array: never read */
  }
  double v = ct_derivative_n(4, model, d, 1.3, dirs[0][0], dirs[1][0], dirs[2][0], dirs[3][0], 0.2, dirs[0][1],
                             dirs[1][1], dirs[2][1], dirs[3][1], P0, dp, sizeof dp[0], NP);
  CHECK_AT_D("model value", 0, v, model_at(dirs[0], 0.0));
  for (int j = 0; j < 4; ++j) {
    CHECK_AT_TOL("model width 4 vs fd", j, d[j], model_fd(dirs[j]), TOL);
    double one = ct_derivative(model, 1.3, dirs[j][0], 0.2, dirs[j][1], P0, dp[j], NP);
    CHECK_AT_D("model width 4 vs ct_derivative", j, d[j], one);
  }
}

/* width 8 (more directions than inputs: repeated, scaled) and width 1 */
static void check_model_width8(void) {
  double dirs[8][2 + NP], d[8];
  make_dirs(8, dirs);
  double v = ct_derivative_n(8, model, d, 1.3, dirs[0][0], dirs[1][0], dirs[2][0], dirs[3][0], dirs[4][0],
                             dirs[5][0], dirs[6][0], dirs[7][0], 0.2, dirs[0][1], dirs[1][1], dirs[2][1], dirs[3][1],
                             dirs[4][1], dirs[5][1], dirs[6][1], dirs[7][1], P0, &dirs[0][2], sizeof dirs[0], NP);
  CHECK_AT_D("model value", 8, v, model_at(dirs[0], 0.0));
  for (int j = 0; j < 8; ++j)
    CHECK_AT_TOL("model width 8 vs fd", j, d[j], model_fd(dirs[j]), TOL);
  double d1;
  ct_derivative_n(1, model, &d1, 1.3, dirs[5][0], 0.2, dirs[5][1], P0, &dirs[5][2], sizeof dirs[0], NP);
  CHECK_AT_D("model width 1", 0, d1, d[5]);
  /* dresult NULL: only the value wanted */
  CHECK_AT_D("model, no dresult", 0, ct_derivative_n(2, model, NULL, 1.3, 1.0, 0.0, 0.2, 0.0, 1.0, P0, &dirs[0][2],
                                                      sizeof dirs[0], NP),
             v);
}

/* a void map: each direction's output tangents land in its row of dy */
static void check_map_width3(void) {
  enum { N = 4 };
  double x[N] = {0.3, -0.8, 1.1, 0.5}, y[N], seed[3][N], dy[3][N];
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < N; ++i)
      seed[j][i] = cos(1.0 + j * N + i);
  memset(dy, 0, sizeof dy);
  ct_derivative_n(3, map, NULL, x, seed, sizeof seed[0], y, dy, sizeof dy[0], N);
  double want[N];
  map(x, want, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("map value", i, y[i], want[i]);
  for (int j = 0; j < 3; ++j) {
    double xp[N], xm[N], yp[N], ym[N], h = 1e-6;
    for (int i = 0; i < N; ++i)
      xp[i] = x[i] + h * seed[j][i], xm[i] = x[i] - h * seed[j][i];
    map(xp, yp, N);
    map(xm, ym, N);
    for (int i = 0; i < N; ++i)
      CHECK_AT_TOL("map width 3 vs fd", j * N + i, dy[j][i], (yp[i] - ym[i]) / (2 * h), TOL);
  }
}

/* a polynomial held by a struct of the caller's */
struct poly {
  const double *coef;
  int n;
  double scale;
};
static double eval(const struct poly *p, double x) {
  double s = 0;
  for (int i = p->n - 1; i >= 0; --i)
    s = s * x + p->coef[i];
  return p->scale * sin(s);
}

static const double table[3] = {0.25, -0.5, 0.125};

/* a heap struct built here: its coefficients squared into a heap array, or
   the constant table (no tangent) */
static double build(const double *c, int n, double x, int use_table) {
  struct poly *p = malloc(sizeof *p);
  double *coef = malloc((size_t)n * sizeof *coef);
  for (int i = 0; i < n; ++i)
    coef[i] = c[i] * c[i];
  p->coef = use_table ? table : coef;
  p->n = n;
  p->scale = c[0];
  double r = eval(p, x);
  free(coef);
  free(p);
  return r;
}

static void check_structs(void) {
  double c[3] = {0.5, -0.3, 0.2}, dc[2][3] = {{1, 0, 0}, {0, 0.5, 1}}, h = 1e-6, d[2];
  struct poly p = {c, 3, 1.5}, dp[2] = {{dc[0], 3, 0.0}, {dc[1], 3, 1.0}};
  double dx[2] = {0.0, 1.0};
  ct_derivative_n(2, eval, d, &p, dp, sizeof dp[0], 0.7, dx[0], dx[1]);
  for (int j = 0; j < 2; ++j) {
    double cp[3], cm[3];
    for (int i = 0; i < 3; ++i)
      cp[i] = c[i] + h * dc[j][i], cm[i] = c[i] - h * dc[j][i];
    struct poly pp = {cp, 3, 1.5 + h * dp[j].scale}, pm = {cm, 3, 1.5 - h * dp[j].scale};
    CHECK_AT_TOL("struct argument vs fd", j, d[j], (eval(&pp, 0.7 + h * dx[j]) - eval(&pm, 0.7 - h * dx[j])) / (2 * h),
                 TOL);
  }
  for (int use_table = 0; use_table < 2; ++use_table) {
    ct_derivative_n(2, build, d, c, dc, sizeof dc[0], 3, 0.7, 0.0, 0.0, use_table);
    for (int j = 0; j < 2; ++j) {
      double cp[3], cm[3];
      for (int i = 0; i < 3; ++i)
        cp[i] = c[i] + h * dc[j][i], cm[i] = c[i] - h * dc[j][i];
      CHECK_AT_TOL(use_table ? "heap struct, constant table vs fd" : "heap struct vs fd", j, d[j],
                   (build(cp, 3, 0.7, use_table) - build(cm, 3, 0.7, use_table)) / (2 * h), TOL);
    }
  }
}

/* custom derivatives: the pullback says slope 2 where the body's is 1 */
static double doubled_slope(double x) { return x; }
CT_DERIVATIVE(doubled_slope)
void doubled_slope_pullback(double x, double seed, double *dx) {
  (void)x;
  *dx += 2.0 * seed;
}
static double blend(double a, int k, double b) { return a * b * k; }
CT_DERIVATIVE(blend)
void blend_pullback(double a, int k, double b, double seed, double *da, double *db) {
  *da += seed * b * k;
  *db += seed * a * k;
}
static double use_custom(double x, double y) { return doubled_slope(x * y) + blend(x, 3, y) * y; }

static void check_custom(void) {
  double x = 0.8, y = -1.3, d[4];
  double dx[4] = {1, 0, 1, 0.5}, dy[4] = {0, 1, 1, -2};
  ct_derivative_n(4, use_custom, d, x, dx[0], dx[1], dx[2], dx[3], y, dy[0], dy[1], dy[2], dy[3]);
  for (int j = 0; j < 4; ++j) /* d/dx: 2y + 3y^2, d/dy: 2x + 6xy */
    CHECK_AT_D("custom derivatives", j, d[j], (2 * y + 3 * y * y) * dx[j] + (2 * x + 6 * x * y) * dy[j]);
}

/* the address of x[k] computed as an integer */
static double by_address(const double *x, int k) {
  uintptr_t a = (uintptr_t)x + (uintptr_t)k * sizeof(double);
  const double *p = (const double *)a;
  return *p * *p * x[0];
}

static void check_by_address(void) {
  double x[4] = {0.7, -1.1, 2.5, 0.3}, dx[3][4] = {{1, 0, 0, 0}, {0, 0, 1, 0}, {0.5, 0, -1, 0}}, d[3];
  ct_derivative_n(3, by_address, d, x, dx, sizeof dx[0], 2);
  for (int j = 0; j < 3; ++j) /* d(x2^2 x0) = 2 x2 x0 dx2 + x2^2 dx0 */
    CHECK_AT_D("by address", j, d[j], 2 * x[2] * x[0] * dx[j][2] + x[2] * x[2] * dx[j][0]);
}

int main(void) {
  check_by_address();
  check_custom();
  check_structs();
  check_model_width4();
  check_model_width8();
  check_map_width3();
  return check_summary("forward_vector");
}
