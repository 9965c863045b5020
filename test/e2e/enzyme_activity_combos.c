/* Enzyme's activity markers in combination: every active scalar kind
 * (default, enzyme_out, enzyme_const) of two doubles and a float, crossed
 * with pointers enzyme_dup, enzyme_dupnoneed and enzyme_const (36 calls
 * covering each pointer pair with four scalar patterns), so that the
 * derivatives of the active scalars come back as one double, one float,
 * {double, double}, {double, float} and {double, double, float} (returned
 * through sret memory) between shadows and constants; plus enzyme_dupnoneed
 * on an output array, and enzyme_out on a pointer rejected
 * (test/lit/diag_enzyme_activity.c). Checked against analytic derivatives;
 * the shadows of constant pointers stay untouched.
 * (The calls are generated: every marker pattern gets its own gradient.) */
#include "check.h"

#include <math.h>
#include <string.h>

int enzyme_dup, enzyme_dupnoneed, enzyme_const, enzyme_out;
typedef struct {
  double x, y;
} DD;
typedef struct {
  double x;
  float y;
} DF;
typedef struct {
  double x, y;
  float z;
} DDF;
extern void __enzyme_autodiff_v(void *, ...);
extern double __enzyme_autodiff(void *, ...);
extern float __enzyme_autodiff_f(void *, ...);
extern DD __enzyme_autodiff_dd(void *, ...);
extern DF __enzyme_autodiff_df(void *, ...);
extern DDF __enzyme_autodiff_ddf(void *, ...);

enum { N = 3 };

/* a b c + a sum p_i^2 + b sum q_i + sin(a) q_0 p_0 */
static double model(double a, const double *p, double b, const double *q, int n, float c) {
  double s = a * b * c;
  for (int i = 0; i < n; ++i)
    s += a * p[i] * p[i] + b * q[i];
  return s + sin(a) * q[0] * p[0];
}

static const double A = 0.7, B = -1.3, P0[N] = {0.5, -0.25, 2.0}, Q0[N] = {1.5, 0.75, -0.5};
static const float C = 1.25f;

static void check_combo(const char *name, double da, double db, double dc, int p_dup, int q_dup, const double *dp,
                        const double *dq) {
  double sp = 0, sq = 0;
  for (int i = 0; i < N; ++i)
    sp += P0[i] * P0[i], sq += Q0[i];
  if (!isnan(da))
    CHECK_AT_D(name, 0, da, B * C + sp + cos(A) * Q0[0] * P0[0]);
  if (!isnan(db))
    CHECK_AT_D(name, 1, db, A * C + sq);
  if (!isnan(dc))
    CHECK_AT_F(name, 2, dc, A * B);
  for (int i = 0; i < N; ++i) {
    CHECK_AT_D(name, 10 + i, dp[i], p_dup ? 2 * A * P0[i] + (i == 0 ? sin(A) * Q0[0] : 0) : -7.0);
    CHECK_AT_D(name, 20 + i, dq[i], q_dup ? B + (i == 0 ? sin(A) * P0[0] : 0) : -7.0);
  }
}

/* the shadows start at zero when passed, at -7 (untouched) when not */
#define COMBO_START                                                                                               \
  double a = A, b = B, p[N], q[N], dp[N], dq[N];                                                                  \
  float c = C;                                                                                                    \
  memcpy(p, P0, sizeof p);                                                                                        \
  memcpy(q, Q0, sizeof q);                                                                                        \
  for (int i = 0; i < N; ++i)                                                                                     \
    dp[i] = dq[i] = -7.0;

static void zero_passed(double *dp, double *dq, int p_dup, int q_dup) {
  for (int i = 0; i < N; ++i) {
    if (p_dup)
      dp[i] = 0;
    if (q_dup)
      dq[i] = 0;
  }
}

/* y[i] = w x[i]^2 written to an output only its derivative is wanted of */
static void square_into(double *y, const double *x, double w, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = w * x[i] * x[i];
}

static void test_output_dupnoneed(void) {
  double y[N], dy[N] = {1.0, 2.0, 3.0}, x[N] = {0.5, 1.5, -2.0}, dx[N] = {0};
  double dw = __enzyme_autodiff((void *)square_into, enzyme_dupnoneed, y, dy, enzyme_dup, x, dx, enzyme_out, 2.0, N);
  double want_w = 0;
  for (int i = 0; i < N; ++i) {
    CHECK_D(dx[i], (i + 1) * 2 * 2.0 * x[i]);
    CHECK_D(dy[i], 0);
    want_w += (i + 1) * x[i] * x[i];
  }
  CHECK_D(dw, want_w);
}

int main(void) {
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DDF r = __enzyme_autodiff_ddf((void *)model, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_dup, q, dq, N, c);
    check_combo("aA pD bO qD cA", r.x, r.y, r.z, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DDF r = __enzyme_autodiff_ddf((void *)model, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aA pD bO qN cA", r.x, r.y, r.z, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    DDF r = __enzyme_autodiff_ddf((void *)model, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_const, q, N, c);
    check_combo("aA pD bO qC cA", r.x, r.y, r.z, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DD r = __enzyme_autodiff_dd((void *)model, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aA pN bO qD cC", r.x, r.y, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DD r = __enzyme_autodiff_dd((void *)model, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aA pN bO qN cC", r.x, r.y, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    DD r = __enzyme_autodiff_dd((void *)model, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_const, q, N, enzyme_const, c);
    check_combo("aA pN bO qC cC", r.x, r.y, NAN, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DF r = __enzyme_autodiff_df((void *)model, a, enzyme_const, p, enzyme_const, b, enzyme_dup, q, dq, N, c);
    check_combo("aA pC bC qD cA", r.x, NAN, r.y, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DF r = __enzyme_autodiff_df((void *)model, a, enzyme_const, p, enzyme_const, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aA pC bC qN cA", r.x, NAN, r.y, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 0);
    DF r = __enzyme_autodiff_df((void *)model, a, enzyme_const, p, enzyme_const, b, enzyme_const, q, N, c);
    check_combo("aA pC bC qC cA", r.x, NAN, r.y, 0, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aA pD bC qD cC", r, NAN, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aA pD bC qN cC", r, NAN, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    double r = __enzyme_autodiff((void *)model, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_const, q, N, enzyme_const, c);
    check_combo("aA pD bC qC cC", r, NAN, NAN, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DDF r = __enzyme_autodiff_ddf((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_dup, q, dq, N, c);
    check_combo("aO pN bO qD cA", r.x, r.y, r.z, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DDF r = __enzyme_autodiff_ddf((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aO pN bO qN cA", r.x, r.y, r.z, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    DDF r = __enzyme_autodiff_ddf((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_out, b, enzyme_const, q, N, c);
    check_combo("aO pN bO qC cA", r.x, r.y, r.z, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DD r = __enzyme_autodiff_dd((void *)model, enzyme_out, a, enzyme_const, p, enzyme_out, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aO pC bO qD cC", r.x, r.y, NAN, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DD r = __enzyme_autodiff_dd((void *)model, enzyme_out, a, enzyme_const, p, enzyme_out, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aO pC bO qN cC", r.x, r.y, NAN, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 0);
    DD r = __enzyme_autodiff_dd((void *)model, enzyme_out, a, enzyme_const, p, enzyme_out, b, enzyme_const, q, N, enzyme_const, c);
    check_combo("aO pC bO qC cC", r.x, r.y, NAN, 0, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_out, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_dup, q, dq, N, c);
    check_combo("aO pD bC qD cA", r.x, NAN, r.y, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_out, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aO pD bC qN cA", r.x, NAN, r.y, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_out, a, enzyme_dup, p, dp, enzyme_const, b, enzyme_const, q, N, c);
    check_combo("aO pD bC qC cA", r.x, NAN, r.y, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aO pN bC qD cC", r, NAN, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aO pN bC qN cC", r, NAN, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    double r = __enzyme_autodiff((void *)model, enzyme_out, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_const, q, N, enzyme_const, c);
    check_combo("aO pN bC qC cC", r, NAN, NAN, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_const, a, enzyme_const, p, enzyme_out, b, enzyme_dup, q, dq, N, c);
    check_combo("aC pC bO qD cA", NAN, r.x, r.y, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_const, a, enzyme_const, p, enzyme_out, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aC pC bO qN cA", NAN, r.x, r.y, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 0);
    DF r = __enzyme_autodiff_df((void *)model, enzyme_const, a, enzyme_const, p, enzyme_out, b, enzyme_const, q, N, c);
    check_combo("aC pC bO qC cA", NAN, r.x, r.y, 0, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, enzyme_const, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aC pD bO qD cC", NAN, r, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    double r = __enzyme_autodiff((void *)model, enzyme_const, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aC pD bO qN cC", NAN, r, NAN, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    double r = __enzyme_autodiff((void *)model, enzyme_const, a, enzyme_dup, p, dp, enzyme_out, b, enzyme_const, q, N, enzyme_const, c);
    check_combo("aC pD bO qC cC", NAN, r, NAN, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    float r = __enzyme_autodiff_f((void *)model, enzyme_const, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_dup, q, dq, N, c);
    check_combo("aC pN bC qD cA", NAN, NAN, r, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 1);
    float r = __enzyme_autodiff_f((void *)model, enzyme_const, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_dupnoneed, q, dq, N, c);
    check_combo("aC pN bC qN cA", NAN, NAN, r, 1, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 1, 0);
    float r = __enzyme_autodiff_f((void *)model, enzyme_const, a, enzyme_dupnoneed, p, dp, enzyme_const, b, enzyme_const, q, N, c);
    check_combo("aC pN bC qC cA", NAN, NAN, r, 1, 0, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    __enzyme_autodiff_v((void *)model, enzyme_const, a, enzyme_const, p, enzyme_const, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aC pC bC qD cC", NAN, NAN, NAN, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    __enzyme_autodiff_v((void *)model, enzyme_const, a, enzyme_const, p, enzyme_const, b, enzyme_dupnoneed, q, dq, N, enzyme_const, c);
    check_combo("aC pC bC qN cC", NAN, NAN, NAN, 0, 1, dp, dq);
  }
  {
    COMBO_START;
    zero_passed(dp, dq, 0, 1);
    __enzyme_autodiff_v((void *)model, enzyme_const, a, enzyme_const, p, enzyme_const, b, enzyme_dup, q, dq, N, enzyme_const, c);
    check_combo("aC pC bC qD cC", NAN, NAN, NAN, 0, 1, dp, dq);
  }
  test_output_dupnoneed();
  return check_summary("enzyme_activity_combos");
}
