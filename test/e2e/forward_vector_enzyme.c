/* Enzyme's vector forward mode, __enzyme_fwddiff(f, enzyme_width, N, ...),
 * at widths 2, 4 and 8: floating-point arguments followed by N tangents
 * (enzyme_dup or no marker), enzyme_const, pointers with enzyme_dupv,
 * byte_stride, x, dx (N shadows byte_stride apart) or enzyme_dup, x, N
 * shadows; the N tangents returned as a struct of N doubles (an array
 * member, returned in registers or through memory), { value, tangents }
 * with enzyme_primal_return, and a void function writing its tangents
 * through the shadows. Checked against analytic derivatives and central
 * differences. */
#include "check.h"

#include <math.h>

int enzyme_dup, enzyme_const, enzyme_dupv, enzyme_width, enzyme_primal_return;
typedef struct {
  double d[2];
} Vec2;
typedef struct {
  double d[4];
} Vec4;
typedef struct {
  double d[8];
} Vec8;
typedef struct {
  double value;
  double d[4];
} ValueVec4;
extern Vec2 __enzyme_fwddiff_v2(void *, ...);
extern Vec4 __enzyme_fwddiff_v4(void *, ...);
extern Vec8 __enzyme_fwddiff_v8(void *, ...);
extern ValueVec4 __enzyme_fwddiff_pv4(void *, ...);
extern void __enzyme_fwddiff_void(void *, ...);

static double f(double x, double y) { return x * x * y + sin(y); }

/* sum_i w_i * log(1 + x_i^2), a loop over an array */
static double weighted(const double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * log(1.0 + x[i] * x[i]);
  return s;
}

static void scale_into(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = a * x[i] * x[i];
}

static void check_scalars(void) {
  double x = 1.5, y = 0.7;
  double dfx = 2 * x * y, dfy = x * x + cos(y);
  Vec2 r2 = __enzyme_fwddiff_v2((void *)f, enzyme_width, 2, enzyme_dup, x, 1.0, 0.0, enzyme_dup, y, 0.0, 1.0);
  CHECK_D(r2.d[0], dfx);
  CHECK_D(r2.d[1], dfy);
  Vec4 r4 = __enzyme_fwddiff_v4((void *)f, enzyme_width, 4, x, 1.0, 0.0, 2.0, -1.0, y, 0.0, 1.0, 3.0, 0.5);
  CHECK_D(r4.d[0], dfx);
  CHECK_D(r4.d[1], dfy);
  CHECK_D(r4.d[2], 2 * dfx + 3 * dfy);
  CHECK_D(r4.d[3], -dfx + 0.5 * dfy);
  Vec8 r8 = __enzyme_fwddiff_v8((void *)f, enzyme_width, 8, enzyme_const, x, y, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0,
                                8.0);
  for (int j = 0; j < 8; ++j)
    CHECK_AT_D("const x, width 8", j, r8.d[j], (j + 1) * dfy);
  ValueVec4 pv = __enzyme_fwddiff_pv4((void *)f, enzyme_width, 4, enzyme_primal_return, x, 1.0, 0.0, 1.0, 0.0, y,
                                      0.0, 1.0, 1.0, 0.0);
  CHECK_D(pv.value, f(x, y));
  CHECK_D(pv.d[0], dfx);
  CHECK_D(pv.d[1], dfy);
  CHECK_D(pv.d[2], dfx + dfy);
  CHECK(pv.d[3] == 0.0);
}

enum { N = 6 };

/* dupv: direction j of x's tangents in row j of a [8][8] block (stride 64
 * bytes); w held constant */
static void check_dupv(void) {
  double x[N] = {0.5, -1.2, 2.0, 0.1, -0.4, 1.7}, w[N] = {1.0, 0.5, -2.0, 3.0, 0.25, 1.5}, dx[8][8] = {{0}};
  for (int j = 0; j < 8; ++j)
    dx[j][j % N] = 1.0 + j / N; /* e_j, doubled after N */
  Vec8 r = __enzyme_fwddiff_v8((void *)weighted, enzyme_width, 8, enzyme_dupv, sizeof dx[0], x, &dx[0][0],
                               enzyme_const, w, N);
  for (int j = 0; j < 8; ++j) {
    int i = j % N;
    CHECK_AT_D("dupv width 8", j, r.d[j], (1.0 + j / N) * w[i] * 2 * x[i] / (1 + x[i] * x[i]));
  }
  /* both arrays differentiated, width 2, N shadows given one by one */
  double dx0[N] = {1, 0, 0, 0, 0, 0}, dw0[N] = {0}, dx1[N] = {0}, dw1[N] = {0, 0, 0, 1, 0, 0};
  Vec2 r2 = __enzyme_fwddiff_v2((void *)weighted, enzyme_width, 2, enzyme_dup, x, dx0, dx1, enzyme_dup, w, dw0, dw1,
                                N);
  CHECK_D(r2.d[0], w[0] * 2 * x[0] / (1 + x[0] * x[0]));
  CHECK_D(r2.d[1], log(1 + x[3] * x[3]));
}

/* a void function: y's N tangent arrays written through the shadows,
 * against central differences */
static void check_void(void) {
  double x[N] = {0.5, -1.2, 2.0, 0.1, -0.4, 1.7}, y[N], dx[4][N], dy[4][N];
  double da[4] = {0.0, 1.0, 0.5, -2.0};
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < N; ++i)
      dx[j][i] = sin(j + 2.0 * i), dy[j][i] = 99.0;
  double a = 1.25;
  __enzyme_fwddiff_void((void *)scale_into, enzyme_width, 4, a, da[0], da[1], da[2], da[3], enzyme_dupv,
                        sizeof dx[0], x, dx, enzyme_dupv, sizeof dy[0], y, dy, N);
  for (int j = 0; j < 4; ++j) {
    double h = 1e-6, xp[N], xm[N], yp[N], ym[N];
    for (int i = 0; i < N; ++i)
      xp[i] = x[i] + h * dx[j][i], xm[i] = x[i] - h * dx[j][i];
    scale_into(a + h * da[j], xp, yp, N);
    scale_into(a - h * da[j], xm, ym, N);
    for (int i = 0; i < N; ++i)
      CHECK_AT_TOL("void width 4 vs fd", j * N + i, dy[j][i], (yp[i] - ym[i]) / (2 * h), 1e-7);
  }
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("void value", i, y[i], a * x[i] * x[i]);
}

int main(void) {
  check_scalars();
  check_dupv();
  check_void();
  return check_summary("forward_vector_enzyme");
}
