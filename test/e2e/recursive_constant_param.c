/* A recursive helper taking a CT_NO_DERIVATIVE pointer parameter (a
 * divide-and-conquer FFT passing its twiddle table down the recursion):
 * was "call to '__ct_without_derivative_ptr' produces a pointer to
 * differentiable data in a way Cotangent cannot follow" at every level (the
 * held pointer, passed on to the recursive call, was given a shadow; and at
 * -O0 the parameter's annotation kept its stack slot alive). Checked
 * against central differences (the loss is quadratic: exact up to
 * rounding) at every level. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
  double re, im;
} cplx;

static cplx cmul(cplx a, cplx b) {
  cplx r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}

static void fft_rec(cplx *a, int n, int stride, CT_NO_DERIVATIVE const cplx *tw) {
  if (n == 1)
    return;
  int h = n / 2;
  cplx *even = malloc(h * sizeof *even), *odd = malloc(h * sizeof *odd);
  for (int j = 0; j < h; j++) {
    even[j] = a[2 * j];
    odd[j] = a[2 * j + 1];
  }
  fft_rec(even, h, 2 * stride, tw);
  fft_rec(odd, h, 2 * stride, tw);
  for (int k = 0; k < h; k++) {
    cplx t = cmul(tw[k * stride], odd[k]);
    a[k].re = even[k].re + t.re;
    a[k].im = even[k].im + t.im;
    a[k + h].re = even[k].re - t.re;
    a[k + h].im = even[k].im - t.im;
  }
  free(even);
  free(odd);
}

static double loss(const double *x, int n, const cplx *tw) {
  cplx *a = malloc(n * sizeof *a);
  for (int j = 0; j < n; j++) {
    a[j].re = x[2 * j];
    a[j].im = x[2 * j + 1];
  }
  fft_rec(a, n, 1, tw);
  double f = 0;
  for (int k = 0; k < n; k++)
    f += (a[k].re * a[k].re + a[k].im * a[k].im) / (1.0 + k) + 0.5 * a[k].re;
  free(a);
  return f;
}

enum { N = 8 };
static cplx twiddles[N / 2];

static double loss_at(double *x, void *ctx) {
  (void)ctx;
  return loss(x, N, twiddles);
}

int main(void) {
  for (int k = 0; k < N / 2; k++) {
    twiddles[k].re = cos(-2 * 3.14159265358979323846 * k / N);
    twiddles[k].im = sin(-2 * 3.14159265358979323846 * k / N);
  }
  double x[2 * N], dx[2 * N] = {0};
  for (int i = 0; i < 2 * N; i++)
    x[i] = sin(1.3 * i + 0.2);
  double f = ct_value_with_gradient(loss, x, dx, N, ct_const(twiddles));
  CHECK_D(f, loss(x, N, twiddles));
  CHECK_FD_GRADIENT("fft loss", loss_at, NULL, x, 2 * N, dx, 1e-3, 1e-7); /* quadratic: no truncation error */
  return check_summary("recursive_constant_param");
}
