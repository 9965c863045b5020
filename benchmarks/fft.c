/* A recursive radix-2 FFT on complex numbers, as it is usually written:
 * split the input into its even and odd elements (two temporary arrays
 * from malloc), transform both halves recursively, combine them with the
 * twiddle factors. The loss weights the power spectrum:
 *
 *   X = FFT(z),  z_j = x_{2j} + i x_{2j+1}  (N complex numbers, N = 2^p)
 *   f(x) = sum_k |X_k|^2 / (1 + k) + sum_k Re X_k
 *
 * Complex numbers are a struct of two doubles, multiplied by a helper;
 * the twiddles exp(-2 pi i k / N) are a global table built once (not
 * differentiated; e2e recursive_constant_param passes such a table as a
 * CT_NO_DERIVATIVE parameter down the recursion instead). Gradient with
 * respect to x (2N numbers). abi=ct
 * (default): ct_value_with_gradient; abi=enzyme: __enzyme_autodiff on a
 * function that writes its value through a pointer. Hand-written gradient
 * (the adjoint of the DFT is the conjugate DFT: dz = conj(FFT(conj(dX))))
 * as a reference. Sizes: N = 8 (check), 4096 (quick), 65536 (full). */
#include "bench.h"

typedef struct {
  double re, im;
} cplx;

static cplx cplx_mul(cplx a, cplx b) {
  cplx r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}
static cplx cplx_add(cplx a, cplx b) {
  cplx r = {a.re + b.re, a.im + b.im};
  return r;
}
static cplx cplx_sub(cplx a, cplx b) {
  cplx r = {a.re - b.re, a.im - b.im};
  return r;
}

/* twiddles[j] = exp(-2 pi i j / N), j < N/2 */
static cplx *twiddles;

/* in place; twiddles[j * stride] = exp(-2 pi i j / (n * stride)) */
static void fft_rec(cplx *a, int n, int stride) {
  if (n == 1)
    return;
  int h = n / 2;
  cplx *even = malloc((size_t)h * sizeof *even);
  cplx *odd = malloc((size_t)h * sizeof *odd);
  for (int j = 0; j < h; j++) {
    even[j] = a[2 * j];
    odd[j] = a[2 * j + 1];
  }
  fft_rec(even, h, 2 * stride);
  fft_rec(odd, h, 2 * stride);
  for (int k = 0; k < h; k++) {
    cplx t = cplx_mul(twiddles[k * stride], odd[k]);
    a[k] = cplx_add(even[k], t);
    a[k + h] = cplx_sub(even[k], t);
  }
  free(even);
  free(odd);
}

static double fft_loss(const double *x, int n) {
  cplx *a = malloc((size_t)n * sizeof *a);
  for (int j = 0; j < n; j++) {
    a[j].re = x[2 * j];
    a[j].im = x[2 * j + 1];
  }
  fft_rec(a, n, 1);
  double f = 0.0;
  for (int k = 0; k < n; k++)
    f += (a[k].re * a[k].re + a[k].im * a[k].im) / (1.0 + k) + a[k].re;
  free(a);
  return f;
}

static void fft_loss_out(const double *x, int n, double *out) { *out = fft_loss(x, n); }

/* the hand-written gradient: X = F z, f = sum w_k |X_k|^2 + Re X_k, so
 * df/dX_k (as dRe + i dIm) = 2 w_k X_k + 1 and dz = conj(F conj(dX));
 * the transform is the same recursive one */
static double fft_loss_hand(const double *x, int n, double *g) {
  cplx *a = malloc((size_t)n * sizeof *a);
  for (int j = 0; j < n; j++) {
    a[j].re = x[2 * j];
    a[j].im = x[2 * j + 1];
  }
  fft_rec(a, n, 1);
  double f = 0.0;
  for (int k = 0; k < n; k++) {
    double w = 1.0 / (1.0 + k);
    f += (a[k].re * a[k].re + a[k].im * a[k].im) * w + a[k].re;
    a[k].re = 2 * w * a[k].re + 1.0;
    a[k].im = -(2 * w * a[k].im); /* conj(dX) */
  }
  fft_rec(a, n, 1);
  for (int j = 0; j < n; j++) {
    g[2 * j] += a[j].re;
    g[2 * j + 1] -= a[j].im;
  }
  free(a);
  return f;
}

static double *x, *dx;
static int n, enzyme;

#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_ct(double *g) { return ct_value_with_gradient(fft_loss, x, g, n); }
static BENCH_NOINLINE double grad_enzyme(double *g) {
  double out = 0.0, dout = 1.0;
  __enzyme_autodiff((void *)fft_loss_out, enzyme_dup, x, g, enzyme_const, n, enzyme_dup, &out, &dout);
  return out;
}
#endif

static double value(int out) {
  (void)out;
  return fft_loss(x, n);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return enzyme ? grad_enzyme(g) : grad_ct(g);
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return fft_loss_hand(x, n, g);
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = fft_loss(x, n); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dx, 0, 2 * (size_t)n * sizeof *dx);
  bench_sink = gradient(0, dx);
}
static BENCH_NOINLINE void run_hand(void) {
  memset(dx, 0, 2 * (size_t)n * sizeof *dx);
  bench_sink = fft_loss_hand(x, n, dx);
}

static void bench_setup(int check) {
  enzyme = bench_enzyme_abi();
  n = check ? 8 : bench_arg_int("N", 8, 4096, 65536);
  bench_require(n >= 1 && (n & (n - 1)) == 0, "invalid size: N must be a power of 2");
  x = bench_alloc(2 * (size_t)n * sizeof *x);
  dx = bench_alloc(2 * (size_t)n * sizeof *dx);
  twiddles = bench_alloc((size_t)(n / 2 + 1) * sizeof *twiddles);
  for (int k = 0; k < n / 2; k++) {
    double t = -2.0 * 3.14159265358979323846 * k / n;
    twiddles[k].re = cos(t);
    twiddles[k].im = sin(t);
  }
  bench_seed(31);
  for (int j = 0; j < 2 * n; j++)
    x[j] = bench_range(-1, 1);
  bench.n = 2 * n;
  bench.x = x;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = hand;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = run_hand;
  snprintf(bench.size, sizeof bench.size, "N=%d%s", n, enzyme ? " enzyme" : "");
}
static void bench_teardown(void) {
  free(x);
  free(dx);
  free(twiddles);
}

BENCH_MAIN("fft")
