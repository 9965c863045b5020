/* Extended Rosenbrock function, n = 10,000, two forms:
 *   chained:  f = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2
 *   paired:   f = sum_{k<n/2} 100 (x_{2k+1} - x_{2k}^2)^2 + (1 - x_{2k})^2
 * (the paired term goes through a helper function, which is inlined), plus a
 * float version of the chained one with n = 1000. Every gradient component
 * is checked against the analytic gradient (float: to 1e-6 of the size of
 * the terms summed, about 8 float roundings). */
#include "check.h"

/* analytic references: 1e-10 relative leaves room for a different summation order */
#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_pairs(void *, ...);
extern float __enzyme_autodiff_float(void *, ...);
extern double __enzyme_autodiff_scaled(void *, ...);

#define N 10000
#define NF 1000

static double rosen_chained(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i < n - 1; ++i) {
    double a = x[i + 1] - x[i] * x[i];
    double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

static double rosen_term(double u, double v) {
  double a = v - u * u;
  return 100.0 * a * a + (1.0 - u) * (1.0 - u);
}

static double rosen_pairs(const double *x, int n) {
  double f = 0.0;
  for (int k = 0; k < n / 2; ++k)
    f += rosen_term(x[2 * k], x[2 * k + 1]);
  return f;
}

static float rosen_float(const float *x, int n) {
  float f = 0.0f;
  for (int i = 0; i < n - 1; ++i) {
    float a = x[i + 1] - x[i] * x[i];
    float b = 1.0f - x[i];
    f += 100.0f * a * a + b * b;
  }
  return f;
}

/* an active scalar next to the array: f = s * rosen(x), df/ds = rosen(x) */
static double rosen_scaled(double s, const double *x, int n) { return s * rosen_chained(x, n); }

static double grad_chained(const double *x, int n, int i) {
  double g = 0.0;
  if (i < n - 1)
    g += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
  if (i > 0)
    g += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
  return g;
}

static double grad_pairs(const double *x, int i) {
  if (i % 2 == 0)
    return -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
  return 200.0 * (x[i] - x[i - 1] * x[i - 1]);
}

static double x[N], dx[N];
static float xf[NF], dxf[NF];

int main(void) {
  for (int i = 0; i < N; ++i)
    x[i] = -1.2 + 2.4 * sin(0.37 * i + 0.1) * cos(0.011 * i);

  for (int i = 0; i < N; ++i)
    dx[i] = 0.0;
  __enzyme_autodiff((void *)rosen_chained, x, dx, N);
  int bad = 0;
  for (int i = 0; i < N; ++i)
    if (!CHECK_AT("chained", i, dx[i], grad_chained(x, N, i)) && ++bad > 5)
      break;

  for (int i = 0; i < N; ++i)
    dx[i] = 0.0;
  __enzyme_autodiff_pairs((void *)rosen_pairs, enzyme_dup, x, dx, enzyme_const, N);
  bad = 0;
  for (int i = 0; i < N; ++i)
    if (!CHECK_AT("pairs", i, dx[i], grad_pairs(x, i)) && ++bad > 5)
      break;

  /* a smaller trip count leaves the tail untouched */
  for (int i = 0; i < N; ++i)
    dx[i] = 0.0;
  __enzyme_autodiff((void *)rosen_chained, x, dx, 11);
  for (int i = 0; i < 11; ++i)
    CHECK_AT("chained n=11", i, dx[i], grad_chained(x, 11, i));
  for (int i = 11; i < N; ++i)
    if (!CHECK(dx[i] == 0.0))
      break;

  /* at the minimum x = 1 the gradient is exactly 0 */
  for (int i = 0; i < N; ++i) {
    x[i] = 1.0;
    dx[i] = 0.0;
  }
  __enzyme_autodiff((void *)rosen_chained, x, dx, N);
  bad = 0;
  for (int i = 0; i < N; ++i)
    if (!CHECK(dx[i] == 0.0) && ++bad > 5)
      break;

  for (int i = 0; i < NF; ++i) {
    xf[i] = (float)(0.3 + 0.9 * cos(0.21 * i));
    dxf[i] = 0.0f;
  }
  __enzyme_autodiff_float((void *)rosen_float, xf, dxf, NF);
  bad = 0;
  for (int i = 0; i < NF; ++i) {
    /* the reference in double from the float values; the float result's
     * rounding error is bounded by the size of the terms summed (scale) */
    double xd[3] = {i > 0 ? xf[i - 1] : 0.0, xf[i], i < NF - 1 ? xf[i + 1] : 0.0};
    double g = 0.0, scale = 0.0;
    if (i < NF - 1) {
      g += -400.0 * xd[1] * (xd[2] - xd[1] * xd[1]) - 2.0 * (1.0 - xd[1]);
      scale += 400.0 * fabs(xd[1]) * (fabs(xd[2]) + xd[1] * xd[1]) + 2.0 * (1.0 + fabs(xd[1]));
    }
    if (i > 0) {
      g += 200.0 * (xd[1] - xd[0] * xd[0]);
      scale += 200.0 * (fabs(xd[1]) + xd[0] * xd[0]);
    }
    if (!CHECK_SCALED(dxf[i], g, scale, 1e-6) && ++bad > 5)
      break;
  }

  for (int i = 0; i < N; ++i) {
    x[i] = 0.5 + 0.4 * sin(1.3 * i);
    dx[i] = 0.0;
  }
  double ds = __enzyme_autodiff_scaled((void *)rosen_scaled, 2.5, x, dx, N);
  CHECK_TOL(ds, rosen_chained(x, N), 1e-10);
  bad = 0;
  for (int i = 0; i < N; ++i)
    if (!CHECK_AT("scaled", i, dx[i], 2.5 * grad_chained(x, N, i)) && ++bad > 5)
      break;
  return check_summary("rosenbrock");
}
