/* Second derivatives with forward mode: reverse over forward (ct_gradient
 * of a function computing a directional derivative with ct_derivative:
 * Hessian-vector products, also through loops over arrays, since the
 * tangent code keeps no tape), forward over reverse where the inner
 * gradient is straight-line code, forward over forward (__enzyme_fwddiff
 * of ct_derivative), and Newton's method on a small problem with
 * Hessian-vector products. Checked against analytic Hessians and central
 * differences of gradients. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_fwddiff(void *, ...);

static double f(double x, double y) { return x * x * y + sin(x * y); }
static double dfdx_rev(double x, double y) {
  double dx, dy;
  ct_gradient(f, x, &dx, y, &dy);
  return dx;
}
static double dfdx_fwd(double x, double y) { return ct_derivative(f, x, 1.0, y, 0.0); }

/* extended Rosenbrock and its directional derivative */
static double rosen(const double *x, int n) {
  double s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}
static double rosen_dir(const double *x, const double *v, int n) { return ct_derivative(rosen, x, v, n); }

/* H v by reverse over forward: the gradient of x -> grad f(x) . v */
static void rosen_hvp(const double *x, const double *v, double *hv, int n) {
  double dv[16] = {0};
  memset(hv, 0, n * sizeof *hv);
  ct_gradient(rosen_dir, x, hv, v, dv, n);
}

/* a log-likelihood with a loop and a branch (a robust loss) */
static double loglik(const double *th, const double *data, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double r = data[i] - th[0] - th[1] * i;
    double e = r * r * exp(-th[2]);
    s += e < 4 ? 0.5 * e : 2 * sqrt(e) - 2;
  }
  return s + 0.5 * n * th[2];
}
static const double DATA[6] = {0.3, 1.1, 2.2, 2.8, 4.5, 5.1};
static double loglik_dir(const double *th, const double *v) { return ct_derivative(loglik, th, v, ct_const(DATA), 6); }
static void loglik_grad(const double *th, double *g) {
  memset(g, 0, 3 * sizeof *g);
  ct_gradient(loglik, th, g, ct_const(DATA), 6);
}

int main(void) {
  double x = 0.7, y = 1.3;
  double fxx = 2 * y - y * y * sin(x * y), fxy = 2 * x + cos(x * y) - x * y * sin(x * y);
  CHECK_D(ct_derivative(dfdx_rev, x, 1.0, y, 0.0), fxx); /* forward over reverse */
  CHECK_D(ct_derivative(dfdx_rev, x, 0.0, y, 1.0), fxy);
  double gx, gy;
  ct_gradient(dfdx_fwd, x, &gx, y, &gy); /* reverse over forward */
  CHECK_D(gx, fxx);
  CHECK_D(gy, fxy);
  CHECK_D(__enzyme_fwddiff((void *)dfdx_fwd, x, 1.0, y, 0.0), fxx); /* forward over forward */
  {
    enum { N = 6 };
    double xr[N], v[N], hv[N];
    for (int i = 0; i < N; ++i) {
      xr[i] = 0.8 + 0.1 * i;
      v[i] = cos(2.0 * i);
    }
    rosen_hvp(xr, v, hv, N);
    for (int i = 0; i < N; ++i) { /* the analytic Hessian's row i times v */
      double h = 0;
      if (i + 1 < N) {
        h += (1200 * xr[i] * xr[i] - 400 * xr[i + 1] + 2) * v[i] - 400 * xr[i] * v[i + 1];
      }
      if (i > 0) {
        h += 200 * v[i] - 400 * xr[i - 1] * v[i - 1];
      }
      CHECK_AT_D("rosenbrock H v", i, hv[i], h);
    }
  }
  {
    double th[3] = {0.2, 0.9, -0.3}, h = 1e-6;
    for (int k = 0; k < 3; ++k) { /* column k of the Hessian: H e_k */
      double e[3] = {k == 0, k == 1, k == 2}, de[3] = {0}, col[3] = {0}, gp[3], gm[3], tp[3], tm[3];
      ct_gradient(loglik_dir, th, col, e, de);
      memcpy(tp, th, sizeof tp);
      memcpy(tm, th, sizeof tm);
      tp[k] += h;
      tm[k] -= h;
      loglik_grad(tp, gp);
      loglik_grad(tm, gm);
      for (int i = 0; i < 3; ++i)
        CHECK_AT_TOL("loglik Hessian column", 3 * k + i, col[i], (gp[i] - gm[i]) / (2 * h), 1e-6);
    }
  }
  {
    /* Newton's method on Rosenbrock (n = 2) from (-1.2, 1): H d = -g by
       two Hessian-vector products (the Hessian's columns), 2 x 2 solve */
    double z[2] = {-1.2, 1.0}, err[8];
    int it = 0;
    for (; it < 8; ++it) {
      double g[2] = {0, 0}, c0[2], c1[2], e0[2] = {1, 0}, e1[2] = {0, 1};
      ct_gradient(rosen, z, g, 2);
      rosen_hvp(z, e0, c0, 2);
      rosen_hvp(z, e1, c1, 2);
      double det = c0[0] * c1[1] - c1[0] * c0[1];
      z[0] -= (c1[1] * g[0] - c1[0] * g[1]) / det;
      z[1] -= (-c0[1] * g[0] + c0[0] * g[1]) / det;
      err[it] = hypot(z[0] - 1, z[1] - 1);
      if (err[it] < 1e-14)
        break;
    }
    CHECK(it < 8);
    /* quadratic convergence at the end: err_{k+1} <= C err_k^2 */
    CHECK(it >= 2 && err[it - 1] <= 10 * err[it - 2] * err[it - 2] + 1e-15);
  }
  return check_summary("forward_second_order");
}
