/* Copies whose element type the function itself never shows at either
 * end, deduced from the memory's other uses (pass/layout.c):
 *   - an argument copied into scratch memory and on into a buffer that is
 *     read as doubles (through two memcpy)
 *   - a copy into a local array handed to a recursive function (which stays
 *     a call: its body reads the array)
 *   - ping-pong buffers: the copy fills one, the loop reads and writes
 *     both through pointers that swap (phis)
 *   - a memcpy into a char buffer read back as doubles with memcpy
 *   - copy loops (std::copy-like, compiled to memcpy/memmove) of a window
 *     of an array onto itself
 * Analytic derivatives. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

static double chained(const double *x, int n) {
  double *tmp = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
  memcpy(tmp, x, sizeof(double) * (size_t)n);
  memcpy(y, tmp, sizeof(double) * (size_t)n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i] * (i + 1);
  free(tmp);
  free(y);
  return s;
}

static double rsum(const double *a, int n) { return n == 0 ? 0 : a[n - 1] * a[n - 1] + rsum(a, n - 1); }
static double recursive_reader(const double *x, int n) {
  double a[8];
  memcpy(a, x, sizeof(double) * (size_t)n);
  return rsum(a, n);
}

static double ping_pong(const double *x, double *w1, double *w2, int n, int steps) {
  memcpy(w1, x, sizeof(double) * (size_t)n);
  double *cur = w1, *nxt = w2;
  for (int s = 0; s < steps; ++s) {
    for (int i = 1; i < n - 1; ++i)
      nxt[i] = 0.25 * cur[i - 1] + 0.5 * cur[i] + 0.25 * cur[i + 1];
    nxt[0] = cur[0];
    nxt[n - 1] = cur[n - 1];
    double *t = cur;
    cur = nxt;
    nxt = t;
  }
  double r = 0;
  for (int i = 0; i < n; ++i)
    r += cur[i] * (i + 1);
  return r;
}

static double char_buffer(const double *x, int n) {
  char buf[64];
  memcpy(buf, x, sizeof(double) * (size_t)n);
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double d;
    memcpy(&d, buf + sizeof(double) * (size_t)i, sizeof d);
    s += d * d * (i + 1);
  }
  return s;
}

/* y[k] = y[k + 1] for k < n - 1 (a window slid left), then a weighted sum */
static void copy_range(double *dst, const double *first, const double *last) {
  while (first != last)
    *dst++ = *first++;
}
static double slide(double *y, int n) {
  copy_range(y, y + 1, y + n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += y[i] * y[i] * (i + 1);
  return s;
}

int main(void) {
  double x[4] = {1, 2, 3, 4}, dx[4] = {0};
  ct_gradient(chained, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * x[i] * (i + 1));

  memset(dx, 0, sizeof dx);
  ct_gradient(recursive_reader, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * x[i]);

  /* two steps of the [1/4 1/2 1/4] smoother with fixed ends, weights i+1 */
  memset(dx, 0, sizeof dx);
  double w1[4], w2[4], dw1[4] = {0}, dw2[4] = {0};
  ct_gradient(ping_pong, x, dx, w1, dw1, w2, dw2, 4, 2);
  static const double S[4][4] = {{1, 0, 0, 0}, {0.25, 0.5, 0.25, 0}, {0, 0.25, 0.5, 0.25}, {0, 0, 0, 1}};
  double dr[4];
  for (int j = 0; j < 4; ++j) { /* d r / d x_j = w^T S S e_j */
    dr[j] = 0;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 4; ++k)
        dr[j] += (i + 1) * S[i][k] * S[k][j];
  }
  for (int j = 0; j < 4; ++j)
    CHECK_D(dx[j], dr[j]);

  memset(dx, 0, sizeof dx);
  ct_gradient(char_buffer, x, dx, 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * x[i] * (i + 1));

  double y[5] = {1, 2, 3, 4, 5}, dy[5] = {0}, y0[5];
  memcpy(y0, y, sizeof y);
  ct_gradient(slide, y, dy, 5);
  /* after the slide y = {y1, y2, y3, y4, y4} */
  CHECK_D(dy[0], 0);
  for (int k = 1; k < 4; ++k)
    CHECK_D(dy[k], 2 * y0[k] * k);
  CHECK_D(dy[4], 2 * y0[4] * (4 + 5));
  return check_summary("copy_type_deduction");
}
