// Runtime kernels in differentiated code (double): a user function calls
// ct_gemv, ct_axpy, ct_softmax, ct_logsumexp, ct_dot, ct_sum and ct_gemm;
// the reverse pass runs their registered pullbacks. Gradients are checked
// against central finite differences, for every instruction set the CPU
// has (scalar, avx2, avx512; others are skipped with a message), and at a
// size above the parallel threshold (the OpenMP path; lowered to PAR_MIN).
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

#define PAR_MIN 65536L /* the OpenMP threshold, lowered in main */
#define M 5
#define N 7

/* a small network: h = tanh(W x); z += a h; p = softmax(z) */
static double net(const double *W, const double *x, double *h, double *z, double a, long m, long n) {
  ct_gemv(m, n, W, x, h);
  for (long i = 0; i < m; ++i)
    h[i] = tanh(h[i]);
  ct_axpy(m, a, h, z);
  double p[M];
  ct_softmax(z, p, m);
  return ct_logsumexp(p, m) + ct_dot(p, h, m) + 0.5 * ct_sum(z, m);
}

/* C = A B, in a local array; in-place softmax of a copy of a row */
static double mat(const double *A, const double *B, long m, long n, long k) {
  double C[M * N], r[N];
  ct_gemm(m, n, k, A, B, C);
  for (long j = 0; j < n; ++j)
    r[j] = C[j];
  ct_softmax(r, r, n);
  return ct_dot(C, C, m * n) * 0.1 + ct_sum(C, m * n) + ct_dot(r, C + n, n);
}

/* the same axpy in a loop: y is written again by the next call, which its
 * pullback does not read (CT_ACCESS) */
static double repeat(const double *x, double *y, double a, long n) {
  for (int t = 0; t < 3; ++t)
    ct_axpy(n, a, x, y);
  return ct_dot(y, y, n);
}

static double big(const double *x, const double *w, double *s, long n) {
  ct_softmax(x, s, n);
  return ct_dot(s, w, n) * (double)n + ct_logsumexp(x, n) + 1e-3 * ct_dot(x, x, n);
}

static void fill(double *v, long n, double scale, unsigned seed) {
  srand(seed);
  for (long i = 0; i < n; ++i)
    v[i] = scale * ((double)rand() / RAND_MAX - 0.5);
}

static void check_net(void) {
  double W[M * N], x[N], z0[M], a = 0.7;
  fill(W, M * N, 1.0, 1);
  fill(x, N, 2.0, 2);
  fill(z0, M, 1.0, 3);
  double dW[M * N] = {0}, dx[N] = {0}, h[M], dh[M] = {0}, z[M], dz[M] = {0}, da = 0;
  memcpy(z, z0, sizeof z);
  ct_gradient(net, W, dW, x, dx, h, dh, z, dz, a, &da, (long)M, (long)N);
  const double eps = 1e-6;
  for (int i = 0; i < M * N + N + M + 1; ++i) {
    double Wp[M * N], xp[N], zp[M], Wm[M * N], xm[N], zm[M], ap = a, am = a;
    memcpy(Wp, W, sizeof W); memcpy(Wm, W, sizeof W);
    memcpy(xp, x, sizeof x); memcpy(xm, x, sizeof x);
    memcpy(zp, z0, sizeof z0); memcpy(zm, z0, sizeof z0);
    double got;
    if (i < M * N) { Wp[i] += eps; Wm[i] -= eps; got = dW[i]; }
    else if (i < M * N + N) { xp[i - M * N] += eps; xm[i - M * N] -= eps; got = dx[i - M * N]; }
    else if (i < M * N + N + M) { zp[i - M * N - N] += eps; zm[i - M * N - N] -= eps; got = dz[i - M * N - N]; }
    else { ap += eps; am -= eps; got = da; }
    double fd = (net(Wp, xp, h, zp, ap, M, N) - net(Wm, xm, h, zm, am, M, N)) / (2 * eps);
    CHECK_AT_TOL("net", i, got, fd, 1e-6);
  }
}

static void check_mat(void) {
  double A[M * 3], B[3 * N], dA[M * 3] = {0}, dB[3 * N] = {0};
  fill(A, M * 3, 1.0, 4);
  fill(B, 3 * N, 1.0, 5);
  __enzyme_autodiff((void *)mat, enzyme_dup, A, dA, enzyme_dup, B, dB, (long)M, (long)N, (long)3);
  const double eps = 1e-6;
  for (int i = 0; i < M * 3 + 3 * N; ++i) {
    double *v = i < M * 3 ? A : B, *d = i < M * 3 ? dA : dB;
    int j = i < M * 3 ? i : i - M * 3;
    double old = v[j];
    v[j] = old + eps;
    double fp = mat(A, B, M, N, 3);
    v[j] = old - eps;
    double fm = mat(A, B, M, N, 3);
    v[j] = old;
    CHECK_AT_TOL("mat", i, d[j], (fp - fm) / (2 * eps), 1e-6);
  }
}

static void check_repeat(void) {
  double x[N], y0[N], y[N], dx[N] = {0}, dy[N] = {0}, da = 0, a = -0.3;
  fill(x, N, 1.0, 6);
  fill(y0, N, 1.0, 7);
  memcpy(y, y0, sizeof y);
  ct_gradient(repeat, x, dx, y, dy, a, &da, (long)N);
  /* analytic: y_final = y0 + 3 a x, f = |y_final|^2 */
  for (int i = 0; i < N; ++i) {
    double yf = y0[i] + 3 * a * x[i];
    CHECK_AT_TOL("repeat dx", i, dx[i], 2 * yf * 3 * a, 1e-12);
    CHECK_AT_TOL("repeat dy", i, dy[i], 2 * yf, 1e-12);
  }
  double want = 0;
  for (int i = 0; i < N; ++i)
    want += 2 * (y0[i] + 3 * a * x[i]) * 3 * x[i];
  CHECK_TOL(da, want, 1e-12);
}

static void check_big(void) {
  long n = 2 * PAR_MIN + 123;
  double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w), *s = malloc(n * sizeof *s);
  double *dx = calloc(n, sizeof *dx), *dw = calloc(n, sizeof *dw), *ds = calloc(n, sizeof *ds);
  fill(x, n, 4.0, 8);
  fill(w, n, 1.0, 9);
  ct_gradient(big, x, dx, w, dw, s, ds, n);
  const double eps = 1e-5;
  long idx[] = {0, 1, 17, n / 2, n - 1};
  for (int t = 0; t < 5; ++t) {
    long i = idx[t];
    double old = x[i];
    x[i] = old + eps;
    double fp = big(x, w, s, n);
    x[i] = old - eps;
    double fm = big(x, w, s, n);
    x[i] = old;
    CHECK_AT_TOL("big dx", (double)i, dx[i], (fp - fm) / (2 * eps), 1e-5);
    old = w[i];
    w[i] = old + eps;
    fp = big(x, w, s, n);
    w[i] = old - eps;
    fm = big(x, w, s, n);
    w[i] = old;
    CHECK_AT_TOL("big dw", (double)i, dw[i], (fp - fm) / (2 * eps), 1e-5);
  }
  free(x); free(w); free(s); free(dx); free(dw); free(ds);
}

/* An instruction set the CPU lacks is not tested: exit 77 (ctest: skipped)
 * when the others passed. */
int main(void) {
  ct_kernels_set_parallel_min(PAR_MIN);
  const char *isas[] = {"scalar", "avx2", "avx512"};
  int skipped = 0;
  for (int k = 0; k < 3; ++k) {
    if (!ct_kernels_use_isa(isas[k])) {
      printf("kernels_double: %s not supported by this CPU, skipped\n", isas[k]);
      ++skipped;
      continue;
    }
    CHECK(!strcmp(ct_kernels_isa(), isas[k]));
    check_net();
    check_mat();
    check_repeat();
    check_big();
  }
  int status = check_summary("kernels_double");
  return status == 0 && skipped ? 77 : status;
}
