/* Recursive gradients whose split callees share their caller's tape (one
 * tape for the whole recursion, records pushed and popped in stack order):
 * a recursive radix-2 FFT splitting even/odd elements into malloc'd
 * temporaries (complex numbers as structs, a multiply helper) under a
 * weighted power-spectrum loss, against a direct O(n^2) DFT's analytic
 * gradient; a recursion through a helper with a loop; mutual recursion over
 * an array; and pullbacks of the FFT applied three times (the tape is
 * rewound through the shared callees' records) and one freed unapplied. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  double re, im;
} cplx;

static cplx cmul(cplx a, cplx b) {
  cplx r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}

static const double PI = 3.14159265358979323846;

/* in place, n a power of two */
static void fft_rec(cplx *a, int n) {
  if (n == 1)
    return;
  int h = n / 2;
  cplx *even = malloc((size_t)h * sizeof *even);
  cplx *odd = malloc((size_t)h * sizeof *odd);
  for (int j = 0; j < h; j++) {
    even[j] = a[2 * j];
    odd[j] = a[2 * j + 1];
  }
  fft_rec(even, h);
  fft_rec(odd, h);
  for (int k = 0; k < h; k++) {
    cplx w = {cos(-2 * PI * k / n), sin(-2 * PI * k / n)};
    cplx t = cmul(w, odd[k]);
    a[k].re = even[k].re + t.re;
    a[k].im = even[k].im + t.im;
    a[k + h].re = even[k].re - t.re;
    a[k + h].im = even[k].im - t.im;
  }
  free(even);
  free(odd);
}

/* f(x) = sum_k |X_k|^2 / (1 + k) + Re X_k, X = DFT(x_0 + i x_1, x_2 + i x_3, ...) */
static double fft_loss(const double *x, int n) {
  cplx *a = malloc((size_t)n * sizeof *a);
  for (int j = 0; j < n; j++) {
    a[j].re = x[2 * j];
    a[j].im = x[2 * j + 1];
  }
  fft_rec(a, n);
  double f = 0;
  for (int k = 0; k < n; k++)
    f += (a[k].re * a[k].re + a[k].im * a[k].im) / (1.0 + k) + a[k].re;
  free(a);
  return f;
}

/* the analytic gradient through a direct DFT: with g_k = 2 X_k / (1 + k) + 1
 * (as a complex number), df/dRe z_j + i df/dIm z_j = sum_k g_k conj(w^(jk)) */
static void fft_loss_grad(const double *x, int n, double *g) {
  for (int j = 0; j < n; j++)
    g[2 * j] = g[2 * j + 1] = 0;
  for (int k = 0; k < n; k++) {
    double xr = 0, xi = 0;
    for (int j = 0; j < n; j++) {
      double c = cos(-2 * PI * j * k / n), s = sin(-2 * PI * j * k / n);
      xr += c * x[2 * j] - s * x[2 * j + 1];
      xi += s * x[2 * j] + c * x[2 * j + 1];
    }
    double gr = 2 * xr / (1.0 + k) + 1, gi = 2 * xi / (1.0 + k);
    for (int j = 0; j < n; j++) {
      double c = cos(-2 * PI * j * k / n), s = sin(-2 * PI * j * k / n);
      g[2 * j] += gr * c + gi * s;
      g[2 * j + 1] += -gr * s + gi * c;
    }
  }
}

/* recursion through a helper: level(v, n) sums a loop over v and recurses
 * through descend (which rescales a copy of the tail first) */
static double level(const double *v, int n, double s);
static double descend(const double *v, int n, double s) {
  double *w = malloc((size_t)n * sizeof *w);
  for (int i = 0; i < n; i++)
    w[i] = v[i] * s;
  double r = level(w, n, s * 0.5);
  free(w);
  return r;
}
static double level(const double *v, int n, double s) {
  if (n == 0)
    return s;
  double acc = 0;
  for (int i = 0; i < n; i++)
    acc += sin(v[i]) * (i + 1);
  return acc + v[0] * descend(v + 1, n - 1, s);
}

/* mutual recursion: ping multiplies, pong adds, alternating down the array */
static double pong(const double *x, int n);
static double ping(const double *x, int n) { return n == 0 ? 1.0 : x[0] * pong(x + 1, n - 1); }
static double pong(const double *x, int n) { return n == 0 ? 0.0 : x[0] * x[0] + ping(x + 1, n - 1); }
static double ping_top(const double *x, int n) { return ping(x, n) + pong(x, n); }

typedef double (*objective)(const double *, int);
static double at(objective f, const double *x0, int m, int n, int k, double h) {
  double x[64];
  for (int i = 0; i < m; i++)
    x[i] = x0[i];
  x[k] += h;
  return f(x, n);
}
static double level_top(const double *x, int n) { return level(x, n, 1.3); }

static void check_fd(const char *what, objective f, const double *x, int m, int n, const double *g) {
  for (int k = 0; k < m; k++) {
    double h = 1e-6;
    double fd = (at(f, x, m, n, k, h) - at(f, x, m, n, k, -h)) / (2 * h);
    CHECK_AT_TOL(what, k, g[k], fd, 1e-6 * (1 + fabs(fd)));
  }
}

int main(void) {
  enum { N = 16 };
  double x[2 * N], dx[2 * N], want[2 * N];
  for (int j = 0; j < 2 * N; j++)
    x[j] = sin(0.7 * j + 0.2);
  for (int rep = 0; rep < 2; rep++) { /* twice: the runtime's tape blocks are reused */
    for (int j = 0; j < 2 * N; j++)
      dx[j] = 0;
    double v = ct_value_with_gradient(fft_loss, x, dx, N);
    CHECK_TOL(v, fft_loss(x, N), 1e-12 * fabs(v));
    fft_loss_grad(x, N, want);
    for (int j = 0; j < 2 * N; j++)
      CHECK_AT_TOL("fft gradient", j, dx[j], want[j], 1e-10 * (1 + fabs(want[j])));
  }

  /* pullbacks: applied three times with different seeds, and one freed unapplied */
  ct_pullback_t pb = ct_pullback(fft_loss, x, dx, N);
  for (int k = 1; k <= 3; k++) {
    for (int j = 0; j < 2 * N; j++)
      dx[j] = 0;
    ct_pullback_apply(pb, 0.5 * k);
    for (int j = 0; j < 2 * N; j++)
      CHECK_AT_TOL("fft pullback", j, dx[j], 0.5 * k * want[j], 1e-10 * (1 + fabs(want[j])));
  }
  ct_pullback_free(pb);
  ct_pullback_free(ct_pullback(fft_loss, x, dx, N));

  double v[6] = {0.3, -0.2, 0.5, 0.8, -0.6, 0.1}, dv[6] = {0};
  ct_gradient(level_top, v, dv, 6);
  check_fd("recursion through a helper", level_top, v, 6, 6, dv);

  double p[7] = {0.9, 1.1, -0.4, 0.7, 1.3, -0.8, 0.6}, dp[7] = {0};
  ct_gradient(ping_top, p, dp, 7);
  check_fd("mutual recursion", ping_top, p, 7, 7, dp);
  return check_summary("recursive_shared_tape");
}
