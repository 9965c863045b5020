/* wrt lists with several names (CT_DIFFERENTIABLE_WRT, [[ct::differentiable]])
 * and wrt lists that leave pointer parameters out: the parameters not named
 * are constant, so ct_gradient, ct_value_with_gradient and ct_gradient_of
 * take no derivative pointer or shadow after them. Analytic checks of a
 * 1-D convolution layer's loss (input and filter differentiated, the target
 * array and the bias held constant) and of a trilinear form. */
#include "check.h"

#include <cotangent.h>
#include <math.h>

double conv_loss(const double *input, const double *filter, const double *target, double bias, long n, long k)
    CT_DIFFERENTIABLE_WRT(input, filter);

double conv_loss(const double *input, const double *filter, const double *target, double bias, long n, long k) {
  double loss = 0;
  for (long i = 0; i + k <= n; ++i) {
    double out = bias;
    for (long j = 0; j < k; ++j)
      out += input[i + j] * filter[j];
    double r = out - target[i];
    loss += r * r;
  }
  return loss;
}

[[ct::differentiable(x, z)]] static double trilinear(double x, double y, double z) { return x * y * z + x * x * y; }

enum { N = 7, K = 3 };

static void conv_want(const double *in, const double *f, const double *t, double bias, double *din, double *df) {
  for (int m = 0; m < N; ++m)
    din[m] = 0;
  for (int j = 0; j < K; ++j)
    df[j] = 0;
  for (int i = 0; i + K <= N; ++i) {
    double out = bias;
    for (int j = 0; j < K; ++j)
      out += in[i + j] * f[j];
    double r = out - t[i];
    for (int j = 0; j < K; ++j) {
      df[j] += 2.0 * r * in[i + j];
      din[i + j] += 2.0 * r * f[j];
    }
  }
}

static void test_conv(void) {
  double in[N], f[K] = {0.5, -1.0, 0.25}, t[N], bias = 0.3;
  for (int i = 0; i < N; ++i) {
    in[i] = sin(0.7 * i);
    t[i] = 0.1 * i;
  }
  double want_in[N], want_f[K];
  conv_want(in, f, t, bias, want_in, want_f);

  double din[N] = {0}, df[K] = {0};
  ct_gradient(conv_loss, in, din, f, df, t, bias, (long)N, (long)K);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("ct_gradient d/dinput", in[i], din[i], want_in[i]);
  for (int j = 0; j < K; ++j)
    CHECK_AT_D("ct_gradient d/dfilter", f[j], df[j], want_f[j]);

  double din2[N] = {0}, df2[K] = {0};
  double v = ct_value_with_gradient(conv_loss, in, din2, f, df2, t, bias, (long)N, (long)K);
  CHECK_D(v, conv_loss(in, f, t, bias, N, K));
  for (int i = 0; i < N; ++i)
    CHECK_D(din2[i], want_in[i]);
  for (int j = 0; j < K; ++j)
    CHECK_D(df2[j], want_f[j]);

  double (*g)(const double *, double *, const double *, double *, const double *, double, long, long) =
      ct_gradient_of(conv_loss);
  double din3[N] = {0}, df3[K] = {0};
  v = g(in, din3, f, df3, t, bias, N, K);
  CHECK_D(v, conv_loss(in, f, t, bias, N, K));
  for (int i = 0; i < N; ++i)
    CHECK_D(din3[i], want_in[i]);
  for (int j = 0; j < K; ++j)
    CHECK_D(df3[j], want_f[j]);
}

static void test_trilinear(void) {
  static const double pts[][3] = {{1.5, -0.5, 2.0}, {-0.75, 1.25, 0.5}};
  for (int i = 0; i < 2; ++i) {
    double x = pts[i][0], y = pts[i][1], z = pts[i][2], dx = NAN, dz = NAN;
    ct_gradient(trilinear, x, &dx, y, z, &dz); /* y is not in the wrt list */
    CHECK_AT_D("d/dx", x, dx, y * z + 2.0 * x * y);
    CHECK_AT_D("d/dz", z, dz, x * y);
    double (*g)(double, double *, double, double, double *) = ct_gradient_of(trilinear);
    dx = dz = NAN;
    double v = g(x, &dx, y, z, &dz);
    CHECK_D(v, trilinear(x, y, z));
    CHECK_D(dx, y * z + 2.0 * x * y);
    CHECK_D(dz, x * y);
  }
}

int main(void) {
  test_conv();
  test_trilinear();
  return check_summary("wrt_lists");
}
