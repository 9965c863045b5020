/* Loops of dot products along a strided index (an i-j-k matrix product, a
 * transposed matrix times a vector), which the prepared primal computes
 * with the loops interchanged and the sums in an array (pass/interchange.c):
 * the value must be the same bits as the function's (the same operations
 * per sum, in the same order), and the gradient right. Nests that must not
 * be interchanged (the sum starts at another value, the inner trip count
 * depends on the outer index, the j loop writes what the sums read) are
 * checked too;
 * sizes 0, 1 and odd. Checked at -O0..-O3 against derivatives written out
 * and central differences. */
#include <cotangent.h>
#include <math.h>
#include <string.h>

#include "check.h"

enum { NMAX = 7 };

/* 1/2 |AB - T|^2 in i-j-k order */
static double matmul_ijk(const double *a, const double *b, const double *t CT_NO_DERIVATIVE, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int k = 0; k < n; k++)
        s += a[i * n + k] * b[k * n + j];
      double r = s - t[i * n + j];
      f += 0.5 * r * r;
    }
  return f;
}

/* sum_j sin((A^T x)_j), A: m x n row-major */
static double transposed(const double *a, const double *x, int m, int n) {
  double f = 0.0;
  for (int j = 0; j < n; j++) {
    double s = 0.0;
    for (int k = 0; k < m; k++)
      s += a[k * n + j] * x[k];
    f += sin(s);
  }
  return f;
}

/* not interchanged: each sum starts at 0.5 */
static double biased(const double *a, const double *x, int m, int n) {
  double f = 0.0;
  for (int j = 0; j < n; j++) {
    double s = 0.5;
    for (int k = 0; k < m; k++)
      s += a[k * n + j] * x[k];
    f += s * s;
  }
  return f;
}

/* not interchanged: a triangle (k <= j mod m) */
static double triangle(const double *a, const double *x, int m, int n) {
  double f = 0.0;
  for (int j = 0; j < n; j++) {
    double s = 0.0;
    int last = j % m;
    for (int k = 0; k <= last; k++)
      s += a[k * n + j] * x[k];
    f += s * s * s;
  }
  return f;
}

/* not interchanged: the j loop writes each sum into x, which the next
   sums read */
static double fed_back(const double *a, double *x, int m, int n) {
  double f = 0.0;
  for (int j = 0; j < n; j++) {
    double s = 0.0;
    for (int k = 0; k < m; k++)
      s += a[k * n + j] * x[k];
    x[(j + 1) % m] = 0.5 * s;
    f += exp(0.1 * s);
  }
  return f;
}

static double tdata[NMAX * NMAX];
static int nn, mm;

static double f_matmul(double *p, void *ctx) {
  (void)ctx;
  return matmul_ijk(p, p + nn * nn, tdata, nn);
}
static double f_transposed(double *p, void *ctx) {
  (void)ctx;
  return transposed(p, p + mm * nn, mm, nn);
}
static double f_biased(double *p, void *ctx) {
  (void)ctx;
  return biased(p, p + mm * nn, mm, nn);
}
static double f_triangle(double *p, void *ctx) {
  (void)ctx;
  return triangle(p, p + mm * nn, mm, nn);
}
static double f_fed_back(double *p, void *ctx) {
  (void)ctx;
  double q[2 * NMAX * NMAX + NMAX];
  memcpy(q, p, sizeof q);
  return fed_back(q, q + mm * nn, mm, nn);
}

int main(void) {
  double p[2 * NMAX * NMAX + NMAX], g[2 * NMAX * NMAX + NMAX];
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; i++)
    p[i] = 0.4 * sin(0.7 * i + 0.3);
  for (int i = 0; i < NMAX * NMAX; i++)
    tdata[i] = 0.2 * cos(1.1 * i);

  static const int sizes[] = {0, 1, 2, 5, 7};
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    nn = sizes[s];
    memset(g, 0, sizeof g);
    double v = ct_value_with_gradient(matmul_ijk, p, g, p + nn * nn, g + nn * nn, tdata, nn);
    CHECK(v == matmul_ijk(p, p + nn * nn, tdata, nn)); /* the same bits */
    /* R = AB - T, dA = R B^T, dB = A^T R */
    const double *a = p, *b = p + nn * nn;
    double r[NMAX * NMAX];
    for (int i = 0; i < nn; i++)
      for (int j = 0; j < nn; j++) {
        r[i * nn + j] = -tdata[i * nn + j];
        for (int q = 0; q < nn; q++)
          r[i * nn + j] += a[i * nn + q] * b[q * nn + j];
      }
    for (int i = 0; i < nn; i++)
      for (int k = 0; k < nn; k++) {
        double da = 0.0, db = 0.0;
        for (int j = 0; j < nn; j++) {
          da += r[i * nn + j] * b[k * nn + j];
          db += a[j * nn + i] * r[j * nn + k];
        }
        CHECK_TOL(g[i * nn + k], da, 1e-12);
        CHECK_TOL(g[nn * nn + i * nn + k], db, 1e-12);
      }
    CHECK_FD_GRADIENT("matmul_ijk", f_matmul, NULL, p, 2 * nn * nn, g, 1e-6, 1e-6);
  }

  static const int shapes[][2] = {{0, 3}, {3, 0}, {1, 1}, {3, 5}, {6, 4}};
  for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    mm = shapes[s][0];
    nn = shapes[s][1];
    int np = mm * nn + mm;
    memset(g, 0, sizeof g);
    double v = ct_value_with_gradient(transposed, p, g, p + mm * nn, g + mm * nn, mm, nn);
    CHECK(v == transposed(p, p + mm * nn, mm, nn));
    CHECK_FD_GRADIENT("transposed", f_transposed, NULL, p, np, g, 1e-6, 1e-6);
    if (mm == 0)
      continue; /* triangle takes j mod m */
    memset(g, 0, sizeof g);
    v = ct_value_with_gradient(biased, p, g, p + mm * nn, g + mm * nn, mm, nn);
    CHECK(v == biased(p, p + mm * nn, mm, nn));
    CHECK_FD_GRADIENT("biased", f_biased, NULL, p, np, g, 1e-6, 1e-6);
    memset(g, 0, sizeof g);
    v = ct_value_with_gradient(triangle, p, g, p + mm * nn, g + mm * nn, mm, nn);
    CHECK(v == triangle(p, p + mm * nn, mm, nn));
    CHECK_FD_GRADIENT("triangle", f_triangle, NULL, p, np, g, 1e-6, 1e-6);
    memset(g, 0, sizeof g);
    double q[2 * NMAX * NMAX + NMAX];
    memcpy(q, p, sizeof q);
    double want = fed_back(q, q + mm * nn, mm, nn);
    memcpy(q, p, sizeof q);
    v = ct_value_with_gradient(fed_back, q, g, q + mm * nn, g + mm * nn, mm, nn);
    CHECK(v == want);
    CHECK_FD_GRADIENT("fed_back", f_fed_back, NULL, p, np, g, 1e-6, 1e-6);
  }
  return check_summary("dot_product_nests");
}
