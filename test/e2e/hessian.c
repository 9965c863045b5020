/* ct_hessian and ct_hessian_vector_product (reverse over forward), against
 * analytic Hessians and central differences of gradients:
 *   - the extended Rosenbrock function (a loop over an array): ct_hessian
 *     against its analytic tridiagonal Hessian, and H v with v not a unit
 *   - a robust log-likelihood (a loop with a branch): against differences
 *   - a function with an inner for over a heap array (malloc'd scratch)
 *   - scalar arguments (H v stored through pointers, ct_const held), and a
 *     CT_NO_DERIVATIVE array passed alone
 *   - Newton's method on Rosenbrock converging quadratically
 *   - k-means: one Newton step with the Hessian's diagonal is Lloyd's update
 *     (each center moves to the mean of its points), as the public AD
 *     benchmarks use it
 *   - a saddle point: gradient descent on x of max_y f(x, y), the inner max
 *     by gradient ascent with ct_gradient, the outer derivative through it
 *     by ct_derivative (forward over reverse of a straight-line gradient) */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double rosen(const double *x, int n) {
  double s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

/* the analytic Hessian of rosen, entry (i, j) */
static double rosen_h(const double *x, int n, int i, int j) {
  double h = 0;
  if (i == j) {
    if (i + 1 < n)
      h += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    if (i > 0)
      h += 200;
  } else if (j == i + 1) {
    h = -400 * x[i];
  } else if (i == j + 1) {
    h = -400 * x[j];
  }
  return h;
}

static double loglik(const double *th, const double *data, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double r = data[i] - th[0] - th[1] * i;
    double e = r * r * exp(-th[2]);
    if (e < 4)
      s += 0.5 * e;
    else
      s += 2 * sqrt(e) - 2;
  }
  return s + 0.5 * n * th[2];
}
static const double DATA[7] = {0.3, 1.1, 2.2, 2.8, 4.5, 9.1, 6.0};

/* an inner for over a heap array */
static double heap_energy(const double *x, int n) {
  double *w = malloc(n * sizeof *w), s = 0;
  for (int i = 0; i < n; ++i)
    w[i] = sin(x[i]) * x[(i + 1) % n];
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      s += w[i] * w[j] / (1 + (i - j) * (i - j));
  free(w);
  return s;
}

/* column k of a Hessian by central differences of gradients of f(x, a, n) */
typedef void (*grad_fn)(const double *x, double *g);
static void loglik_grad(const double *x, double *g) {
  memset(g, 0, 3 * sizeof *g);
  ct_gradient(loglik, x, g, ct_const(DATA), 7);
}
static void heap_grad(const double *x, double *g) {
  memset(g, 0, 5 * sizeof *g);
  ct_gradient(heap_energy, x, g, 5);
}
static void check_fd(const char *what, const double *H, const double *x, int n, grad_fn grad) {
  double xp[8], xm[8], gp[8], gm[8], h = 1e-6;
  for (int k = 0; k < n; ++k) {
    memcpy(xp, x, n * sizeof *x);
    memcpy(xm, x, n * sizeof *x);
    xp[k] += h;
    xm[k] -= h;
    grad(xp, gp);
    grad(xm, gm);
    for (int i = 0; i < n; ++i)
      CHECK_AT_TOL(what, 10 * k + i, H[k * n + i], (gp[i] - gm[i]) / (2 * h), 1e-6);
  }
}

/* sum_i w_i x_i^3 with weights that are never differentiated */
static double weighted(const double *x, const double *w CT_NO_DERIVATIVE, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * x[i] * x[i] * x[i];
  return s;
}

static double scalar_f(double x, double c, double y) { return x * x * y + c * sin(x * y); }

/* k-means cost: each point's squared distance to its nearest center (1-d
 * centers, a branch picks the nearest) */
static double kmeans(const double *c, const double *p, int npts, int k) {
  double s = 0;
  for (int i = 0; i < npts; ++i) {
    double best = 0;
    for (int j = 0; j < k; ++j) {
      double d = (p[i] - c[j]) * (p[i] - c[j]);
      if (j == 0 || d < best)
        best = d;
    }
    s += best;
  }
  return 0.5 * s;
}

/* saddle: f(x, y) = (x - 1)^2 + x y - y^2 has max over y at y = x / 2, so
 * g(x) = max_y f = (x - 1)^2 + x^2 / 4, minimum at x = 4 / 5 */
static double saddle_f(double x, double y) { return (x - 1) * (x - 1) + x * y - y * y; }
static double inner_max(double x) {
  double y = 0;
  for (int k = 0; k < 60; ++k) {
    double dy = 0;
    ct_gradient(saddle_f, ct_const(x), y, &dy);
    y += 0.25 * dy;
  }
  return saddle_f(x, y);
}

int main(void) {
  enum { N = 6 };
  double x[N], v[N], hv[N], H[N * N];
  for (int i = 0; i < N; ++i) {
    x[i] = 0.8 + 0.1 * i;
    v[i] = cos(2.0 * i);
  }
  ct_hessian(rosen, H, N, x, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      CHECK_AT_D("rosenbrock Hessian", 10 * i + j, H[i * N + j], rosen_h(x, N, i, j));
  memset(hv, 0, sizeof hv);
  ct_hessian_vector_product(rosen, x, v, hv, N);
  for (int i = 0; i < N; ++i) {
    double want = 0;
    for (int j = 0; j < N; ++j)
      want += rosen_h(x, N, i, j) * v[j];
    CHECK_AT_D("rosenbrock H v", i, hv[i], want);
  }

  double th[3] = {0.2, 0.9, -0.3}, Hl[9];
  ct_hessian(loglik, Hl, 3, th, ct_const(DATA), 7);
  check_fd("loglik Hessian", Hl, th, 3, loglik_grad);

  double xh[5] = {0.3, -0.7, 1.1, 0.5, -0.2}, Hh[25];
  ct_hessian(heap_energy, Hh, 5, xh, 5);
  check_fd("heap Hessian", Hh, xh, 5, heap_grad);

  {
    double a = 0.7, y = 1.3, c = 2.0, hx = 0.5, hy = 0; /* H v is stored (as ct_gradient does) */
    ct_hessian_vector_product(scalar_f, a, 0.3, &hx, ct_const(c), y, -1.0, &hy);
    double fxx = 2 * y - c * y * y * sin(a * y), fxy = 2 * a + c * (cos(a * y) - a * y * sin(a * y)),
           fyy = -c * a * a * sin(a * y);
    CHECK_D(hx, fxx * 0.3 - fxy);
    CHECK_D(hy, fxy * 0.3 - fyy);
  }

  {
    double xw[3] = {0.5, -1.0, 2.0}, w[3] = {1.0, 2.0, -0.5}, Hw[9], vw[3] = {1, 1, 1}, hw[3] = {0, 0, 0};
    ct_hessian(weighted, Hw, 3, xw, w, 3);
    ct_hessian_vector_product(weighted, xw, vw, hw, w, 3);
    for (int i = 0; i < 3; ++i) {
      CHECK_AT_D("weighted Hessian diagonal", i, Hw[4 * i], 6 * w[i] * xw[i]);
      CHECK_AT_D("weighted H v", i, hw[i], 6 * w[i] * xw[i]);
      for (int j = 0; j < 3; ++j)
        if (j != i)
          CHECK_AT_D("weighted Hessian off-diagonal", 10 * i + j, Hw[3 * i + j], 0.0);
    }
  }

  {
    /* Newton on Rosenbrock (n = 2) from (-1.2, 1) with the dense Hessian */
    double z[2] = {-1.2, 1.0}, err[12], Hz[4];
    int it = 0;
    for (; it < 12; ++it) {
      double g[2] = {0, 0};
      ct_gradient(rosen, z, g, 2);
      ct_hessian(rosen, Hz, 2, z, 2);
      double det = Hz[0] * Hz[3] - Hz[1] * Hz[2];
      z[0] -= (Hz[3] * g[0] - Hz[1] * g[1]) / det;
      z[1] -= (-Hz[2] * g[0] + Hz[0] * g[1]) / det;
      err[it] = hypot(z[0] - 1, z[1] - 1);
      if (err[it] < 1e-14)
        break;
    }
    CHECK(it < 12);
    CHECK(it >= 2 && err[it - 1] <= 10 * err[it - 2] * err[it - 2] + 1e-15);
  }

  {
    /* k-means Newton step: c_j -= g_j / H_jj, with H_jj from H e_j */
    const double pts[8] = {0.1, 0.3, 0.2, 2.1, 1.9, 2.4, 5.0, 4.6};
    double c[3] = {0.0, 1.5, 4.0}, g[3] = {0, 0, 0}, next[3];
    ct_gradient(kmeans, c, g, ct_const(pts), 8, 3);
    for (int j = 0; j < 3; ++j) {
      double e[3] = {j == 0, j == 1, j == 2}, col[3] = {0, 0, 0};
      ct_hessian_vector_product(kmeans, c, e, col, ct_const(pts), 8, 3);
      next[j] = c[j] - g[j] / col[j];
    }
    CHECK_D(next[0], (0.1 + 0.3 + 0.2) / 3);
    CHECK_D(next[1], (2.1 + 1.9 + 2.4) / 3);
    CHECK_D(next[2], (5.0 + 4.6) / 2);
  }

  {
    /* saddle point: the outer derivative through 60 inner gradient steps
       (matches central differences of inner_max), then descent on x */
    double x0 = 0.1, h = 1e-5;
    CHECK_TOL(ct_derivative(inner_max, x0, 1.0), (inner_max(x0 + h) - inner_max(x0 - h)) / (2 * h), 1e-8);
    double xs = 0.1;
    for (int k = 0; k < 100; ++k)
      xs -= 0.3 * ct_derivative(inner_max, xs, 1.0);
    CHECK_TOL(xs, 0.8, 1e-9);
  }
  return check_summary("hessian");
}
