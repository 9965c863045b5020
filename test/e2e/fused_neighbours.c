/* Neighbour-reading reductions whose reverse runs in their forward
 * iterations with the neighbours' adjoints carried in registers
 * (pass/fused_carry.c): each gradient against its hand-written form at
 * every size from 1 to 41 and at 1,001 (loops that run 0, 1, 2, ...
 * iterations: what waits after the last one is added at the exit; odd and
 * even trip counts: vector remainders), against central differences at
 * n = 12, and the value against the function's to the bit (the sums are
 * kept in order). Shapes: a 3-point stencil energy (x[i - 1], x[i],
 * x[i + 1]), a 5-point one (an element read in five iterations), two
 * arrays each read at i and i + 1, a loop running downwards, a stride-2
 * loop reading x[i] and x[i + 2], a float stencil, a stencil with exp (a
 * call in the loop), and the 3-point energy through the Enzyme ABI
 * (`*out = f`, seed 2.5 in dout). At -O0..-O3. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

static double stencil3(const double *x, int n) {
  double f = 0.0;
  for (int i = 1; i < n - 1; i++) {
    double l = x[i - 1] - 2.0 * x[i] + x[i + 1];
    f += l * l + 0.3 * x[i - 1] * x[i] * x[i + 1];
  }
  return f;
}

static void stencil3_hand(const double *x, double *g, int n) {
  for (int i = 1; i < n - 1; i++) {
    double l = x[i - 1] - 2.0 * x[i] + x[i + 1];
    g[i - 1] += 2.0 * l + 0.3 * x[i] * x[i + 1];
    g[i] += -4.0 * l + 0.3 * x[i - 1] * x[i + 1];
    g[i + 1] += 2.0 * l + 0.3 * x[i - 1] * x[i];
  }
}

static void stencil3_out(const double *x, int n, double *out) { *out = stencil3(x, n); }

static double stencil5(const double *x, int n) {
  double f = 0.0;
  for (int i = 2; i < n - 2; i++) {
    double d = x[i - 2] - 4.0 * x[i - 1] + 6.0 * x[i] - 4.0 * x[i + 1] + x[i + 2];
    f += 0.5 * d * d + x[i] * x[i + 2];
  }
  return f;
}

static void stencil5_hand(const double *x, double *g, int n) {
  for (int i = 2; i < n - 2; i++) {
    double d = x[i - 2] - 4.0 * x[i - 1] + 6.0 * x[i] - 4.0 * x[i + 1] + x[i + 2];
    g[i - 2] += d;
    g[i - 1] += -4.0 * d;
    g[i] += 6.0 * d + x[i + 2];
    g[i + 1] += -4.0 * d;
    g[i + 2] += d + x[i];
  }
}

static double two_arrays(const double *x, const double *y, int n) {
  double f = 0.0;
  for (int i = 0; i < n - 1; i++) {
    double c = x[i] * y[i + 1];
    f += (x[i + 1] - x[i]) * (y[i + 1] + y[i]) + c * c;
  }
  return f;
}

static void two_arrays_hand(const double *x, const double *y, double *gx, double *gy, int n) {
  for (int i = 0; i < n - 1; i++) {
    double c = x[i] * y[i + 1], s = y[i + 1] + y[i], d = x[i + 1] - x[i];
    gx[i + 1] += s;
    gx[i] += -s + 2.0 * c * y[i + 1];
    gy[i + 1] += d + 2.0 * c * x[i];
    gy[i] += d;
  }
}

static double downwards(const double *x, int n) {
  double f = 0.0;
  for (int i = n - 1; i > 0; i--) {
    double d = x[i] - x[i - 1];
    f += d * d * d + 2.0 * x[i - 1];
  }
  return f;
}

static void downwards_hand(const double *x, double *g, int n) {
  for (int i = n - 1; i > 0; i--) {
    double d = x[i] - x[i - 1];
    g[i] += 3.0 * d * d;
    g[i - 1] += -3.0 * d * d + 2.0;
  }
}

static double strided(const double *x, int n) {
  double f = 0.0;
  for (int i = 0; i + 2 < n; i += 2) {
    double d = x[i + 2] - x[i];
    f += d * d * x[i + 1];
  }
  return f;
}

static void strided_hand(const double *x, double *g, int n) {
  for (int i = 0; i + 2 < n; i += 2) {
    double d = x[i + 2] - x[i];
    g[i + 2] += 2.0 * d * x[i + 1];
    g[i] -= 2.0 * d * x[i + 1];
    g[i + 1] += d * d;
  }
}

static float stencil3f(const float *x, int n) {
  float f = 0.0f;
  for (int i = 1; i < n - 1; i++) {
    float l = x[i - 1] - 2.0f * x[i] + x[i + 1];
    f += l * l + 0.3f * x[i - 1] * x[i] * x[i + 1];
  }
  return f;
}

static double stencil_exp(const double *x, int n) {
  double f = 0.0;
  for (int i = 1; i < n - 1; i++)
    f += exp(0.5 * (x[i + 1] - x[i - 1])) * x[i];
  return f;
}

static void stencil_exp_hand(const double *x, double *g, int n) {
  for (int i = 1; i < n - 1; i++) {
    double e = exp(0.5 * (x[i + 1] - x[i - 1]));
    g[i] += e;
    g[i + 1] += 0.5 * e * x[i];
    g[i - 1] -= 0.5 * e * x[i];
  }
}

/* ---- central differences (n = 12) ---- */

enum { NFD = 12, NMAX = 1001 };
static double *y_fd;
static double fd_stencil3(double *x, void *c) { (void)c; return stencil3(x, NFD); }
static double fd_stencil5(double *x, void *c) { (void)c; return stencil5(x, NFD); }
static double fd_two_x(double *x, void *c) { (void)c; return two_arrays(x, y_fd, NFD); }
static double fd_downwards(double *x, void *c) { (void)c; return downwards(x, NFD); }
static double fd_strided(double *x, void *c) { (void)c; return strided(x, NFD); }
static double fd_exp(double *x, void *c) { (void)c; return stencil_exp(x, NFD); }

static void fill(double *x, int n, double phase) {
  for (int i = 0; i < n; i++)
    x[i] = 0.8 * sin(0.7 * i + phase) + 0.05 * (i % 4);
}

/* The gradient of every shape at size n against the hand-written one. */
static void check_size(int n) {
  double *x = malloc(NMAX * sizeof *x), *y = malloc(NMAX * sizeof *y);
  double *g = calloc(NMAX, sizeof *g), *gy = calloc(NMAX, sizeof *gy);
  double *want = calloc(NMAX, sizeof *want), *wanty = calloc(NMAX, sizeof *wanty);
  fill(x, n, 0.3);
  fill(y, n, 1.1);
  char what[64];

  double v = ct_value_with_gradient(stencil3, x, g, n);
  CHECK(v == stencil3(x, n));
  stencil3_hand(x, want, n);
  snprintf(what, sizeof what, "stencil3 n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], want[i]);

  /* the Enzyme form: seed 2.5 in dout, which ends zeroed */
  double out = 0.0, dout = 2.5;
  memset(g, 0, NMAX * sizeof *g);
  __enzyme_autodiff((void *)stencil3_out, enzyme_dup, x, g, enzyme_const, n, enzyme_dup, &out, &dout);
  CHECK(out == stencil3(x, n));
  CHECK(dout == 0.0);
  snprintf(what, sizeof what, "stencil3_out n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], 2.5 * want[i]);

  memset(g, 0, NMAX * sizeof *g);
  memset(want, 0, NMAX * sizeof *want);
  v = ct_value_with_gradient(stencil5, x, g, n);
  CHECK(v == stencil5(x, n));
  stencil5_hand(x, want, n);
  snprintf(what, sizeof what, "stencil5 n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], want[i]);

  memset(g, 0, NMAX * sizeof *g);
  memset(want, 0, NMAX * sizeof *want);
  v = ct_value_with_gradient(two_arrays, x, g, y, gy, n);
  CHECK(v == two_arrays(x, y, n));
  two_arrays_hand(x, y, want, wanty, n);
  snprintf(what, sizeof what, "two_arrays n=%d", n);
  for (int i = 0; i < n; i++) {
    CHECK_AT_D(what, i, g[i], want[i]);
    CHECK_AT_D(what, i, gy[i], wanty[i]);
  }

  memset(g, 0, NMAX * sizeof *g);
  memset(want, 0, NMAX * sizeof *want);
  v = ct_value_with_gradient(downwards, x, g, n);
  CHECK(v == downwards(x, n));
  downwards_hand(x, want, n);
  snprintf(what, sizeof what, "downwards n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], want[i]);

  memset(g, 0, NMAX * sizeof *g);
  memset(want, 0, NMAX * sizeof *want);
  v = ct_value_with_gradient(strided, x, g, n);
  CHECK(v == strided(x, n));
  strided_hand(x, want, n);
  snprintf(what, sizeof what, "strided n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], want[i]);

  memset(g, 0, NMAX * sizeof *g);
  memset(want, 0, NMAX * sizeof *want);
  v = ct_value_with_gradient(stencil_exp, x, g, n);
  CHECK(v == stencil_exp(x, n));
  stencil_exp_hand(x, want, n);
  snprintf(what, sizeof what, "stencil_exp n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_AT_D(what, i, g[i], want[i]);

  /* float: against the double gradient of the same points */
  float *xf = malloc(NMAX * sizeof *xf), *gf = calloc(NMAX, sizeof *gf);
  for (int i = 0; i < n; i++)
    xf[i] = (float)x[i];
  float vf = ct_value_with_gradient(stencil3f, xf, gf, n);
  CHECK(vf == stencil3f(xf, n));
  for (int i = 0; i < n; i++)
    x[i] = xf[i];
  memset(want, 0, NMAX * sizeof *want);
  stencil3_hand(x, want, n);
  snprintf(what, sizeof what, "stencil3f n=%d", n);
  for (int i = 0; i < n; i++)
    CHECK_SCALED(gf[i], want[i], 10.0, 1e-5);

  free(x), free(y), free(g), free(gy), free(want), free(wanty), free(xf), free(gf);
}

static void check_differences(void) {
  double x[NFD], y[NFD], g[NFD];
  fill(x, NFD, 0.3);
  fill(y, NFD, 1.1);
  y_fd = y;
  struct {
    const char *what;
    double (*f)(double *, void *);
  } fs[] = {{"stencil3 fd", fd_stencil3}, {"stencil5 fd", fd_stencil5}, {"two_arrays fd", fd_two_x},
            {"downwards fd", fd_downwards}, {"strided fd", fd_strided}, {"stencil_exp fd", fd_exp}};
  for (unsigned k = 0; k < sizeof fs / sizeof fs[0]; ++k) {
    double gy[NFD] = {0};
    memset(g, 0, sizeof g);
    switch (k) {
    case 0: ct_gradient(stencil3, x, g, NFD); break;
    case 1: ct_gradient(stencil5, x, g, NFD); break;
    case 2: ct_gradient(two_arrays, x, g, y, gy, NFD); break;
    case 3: ct_gradient(downwards, x, g, NFD); break;
    case 4: ct_gradient(strided, x, g, NFD); break;
    default: ct_gradient(stencil_exp, x, g, NFD); break;
    }
    CHECK_FD_GRADIENT(fs[k].what, fs[k].f, NULL, x, NFD, g, 1e-6, 1e-6);
  }
}

int main(void) {
  for (int n = 1; n <= 41; n++)
    check_size(n);
  check_size(NMAX);
  check_differences();
  return check_summary("fused_neighbours");
}
