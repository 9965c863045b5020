// Runtime kernels in forward mode: functions calling ct_gemv, ct_axpy,
// ct_softmax (into a local and in place), ct_logsumexp, ct_dot, ct_sum and
// ct_gemm (and their float variants) differentiated by ct_derivative,
// __enzyme_fwddiff and vector mode (ct_derivative_n: 3 directions, 2 for
// float); the calls run the kernels' tangents (CT_TANGENT_IS). Each
// directional derivative is checked against central differences of the
// function along the same direction, with constant arrays (ct_const: NULL
// tangents) and an active scalar (axpy's a) too, for every instruction set
// the CPU has and above the parallel threshold (the OpenMP path; lowered to
// PAR_MIN).
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_fwddiff(void *, ...);

#define PAR_MIN 65536L /* the OpenMP threshold, lowered in main */
#define M 5
#define N 7
#define K 3
#define NDIR 3

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

/* C = A B into a caller's array; in-place softmax of a copy of a row */
static double mat(const double *A, const double *B, double *C, long m, long n, long k) {
  double r[N];
  ct_gemm(m, n, k, A, B, C);
  for (long j = 0; j < n; ++j)
    r[j] = C[j];
  ct_softmax(r, r, n);
  return ct_dot(C, C, m * n) * 0.1 + ct_sum(C, m * n) + ct_dot(r, C + n, n);
}

/* y += a x three times, then |y|^2 */
static double repeat(const double *x, double *y, double a, long n) {
  for (int t = 0; t < 3; ++t)
    ct_axpy(n, a, x, y);
  return ct_dot(y, y, n);
}

static double big(const double *x, const double *w, double *s, long n) {
  ct_softmax(x, s, n);
  return ct_dot(s, w, n) * (double)n + ct_logsumexp(x, n) + 1e-3 * ct_dot(x, x, n);
}

static float netf(const float *W, const float *x, float *h, float a, long m, long n) {
  ct_gemvf(m, n, W, x, h);
  float p[M];
  ct_softmaxf(h, p, m);
  ct_axpyf(m, a, h, p);
  return ct_logsumexpf(p, m) + ct_dotf(p, h, m) + ct_sumf(h, m);
}

static void fill(double *v, long n, double scale, unsigned seed) {
  srand(seed);
  for (long i = 0; i < n; ++i)
    v[i] = scale * ((double)rand() / RAND_MAX - 0.5);
}

/* net at W + s dW, x + s dx, z0 + s dz, a + s da */
static double net_along(const double *W, const double *dW, const double *x, const double *dx, const double *z0,
                        const double *dz, double a, double da, double s) {
  double Wp[M * N], xp[N], zp[M], h[M];
  for (int i = 0; i < M * N; ++i)
    Wp[i] = W[i] + s * dW[i];
  for (int i = 0; i < N; ++i)
    xp[i] = x[i] + s * dx[i];
  for (int i = 0; i < M; ++i)
    zp[i] = z0[i] + s * dz[i];
  return net(Wp, xp, h, zp, a + s * da, M, N);
}

static void check_net(void) {
  double W[M * N], x[N], z0[M], a = 0.7;
  fill(W, M * N, 1.0, 1);
  fill(x, N, 2.0, 2);
  fill(z0, M, 1.0, 3);
  const double eps = 1e-6;
  /* three directions, one run each, then the same in one vector run */
  double dW[NDIR][M * N], dx[NDIR][N], dz[NDIR][M], da[NDIR] = {0.3, -1.0, 0.0}, want[NDIR];
  for (int d = 0; d < NDIR; ++d) {
    fill(dW[d], M * N, 1.0, 10 + d);
    fill(dx[d], N, 1.0, 20 + d);
    fill(dz[d], M, 1.0, 30 + d);
    want[d] = (net_along(W, dW[d], x, dx[d], z0, dz[d], a, da[d], eps) -
               net_along(W, dW[d], x, dx[d], z0, dz[d], a, da[d], -eps)) / (2 * eps);
    double h[M], dh[M] = {0}, z[M], dzz[M];
    memcpy(z, z0, sizeof z);
    memcpy(dzz, dz[d], sizeof dzz);
    double got = ct_derivative(net, W, dW[d], x, dx[d], h, dh, z, dzz, a, da[d], (long)M, (long)N);
    CHECK_AT_TOL("net ct_derivative", d, got, want[d], 1e-6);
    /* the tangent of z (written by the axpy): z0 + a tanh(W x) along the direction */
    double hp[M], hm[M], zp[M], zm[M];
    memcpy(zp, z0, sizeof zp);
    memcpy(zm, z0, sizeof zm);
    double Wp[M * N], Wm[M * N], xp[N], xm[N];
    for (int i = 0; i < M * N; ++i)
      Wp[i] = W[i] + eps * dW[d][i], Wm[i] = W[i] - eps * dW[d][i];
    for (int i = 0; i < N; ++i)
      xp[i] = x[i] + eps * dx[d][i], xm[i] = x[i] - eps * dx[d][i];
    for (int i = 0; i < M; ++i)
      zp[i] += eps * dz[d][i], zm[i] -= eps * dz[d][i];
    net(Wp, xp, hp, zp, a + eps * da[d], M, N);
    net(Wm, xm, hm, zm, a - eps * da[d], M, N);
    for (int i = 0; i < M; ++i) {
      CHECK_AT_TOL("net dz", i, dzz[i], (zp[i] - zm[i]) / (2 * eps), 1e-6);
      CHECK_AT_TOL("net dh", i, dh[i], (hp[i] - hm[i]) / (2 * eps), 1e-6);
    }
    /* Enzyme's ABI: the same direction */
    memcpy(z, z0, sizeof z);
    memcpy(dzz, dz[d], sizeof dzz);
    memset(dh, 0, sizeof dh);
    got = __enzyme_fwddiff((void *)net, enzyme_dup, W, dW[d], enzyme_dup, x, dx[d], enzyme_dup, h, dh,
                           enzyme_dup, z, dzz, a, da[d], (long)M, (long)N);
    CHECK_AT_TOL("net __enzyme_fwddiff", d, got, want[d], 1e-6);
  }
  /* vector mode: the three directions in one run (blocks of NDIR arrays) */
  double h[M], dh[NDIR][M] = {{0}}, z[M], dzz[NDIR][M], dres[NDIR];
  memcpy(z, z0, sizeof z);
  memcpy(dzz, dz, sizeof dzz);
  double v = ct_derivative_n(NDIR, net, dres, W, dW, sizeof dW[0], x, dx, sizeof dx[0], h, dh, sizeof dh[0], z,
                             dzz, sizeof dzz[0], a, da[0], da[1], da[2], (long)M, (long)N);
  double z1[M], h1[M];
  memcpy(z1, z0, sizeof z1);
  CHECK_AT_TOL("net value (vector mode)", 0, v, net(W, x, h1, z1, a, M, N), 1e-14);
  for (int i = 0; i < M; ++i)
    CHECK_AT_TOL("net z (vector mode: the axpy ran once)", i, z[i], z1[i], 1e-14);
  for (int d = 0; d < NDIR; ++d)
    CHECK_AT_TOL("net ct_derivative_n", d, dres[d], want[d], 1e-6);
}

static void check_mat(void) {
  double A[M * K], B[K * N], C[M * N], dA[M * K], dC[M * N] = {0};
  fill(A, M * K, 1.0, 4);
  fill(B, K * N, 1.0, 5);
  fill(dA, M * K, 1.0, 6);
  /* B held constant: its tangent array is NULL for the kernels */
  double got = ct_derivative(mat, A, dA, ct_const(B), C, dC, (long)M, (long)N, (long)K);
  const double eps = 1e-6;
  double Ap[M * K], Am[M * K], Cp[M * N], Cm[M * N];
  for (int i = 0; i < M * K; ++i)
    Ap[i] = A[i] + eps * dA[i], Am[i] = A[i] - eps * dA[i];
  double want = (mat(Ap, B, Cp, M, N, K) - mat(Am, B, Cm, M, N, K)) / (2 * eps);
  CHECK_TOL(got, want, 1e-6);
  for (int i = 0; i < M * N; ++i)
    CHECK_AT_TOL("mat dC", i, dC[i], (Cp[i] - Cm[i]) / (2 * eps), 1e-6);
}

static void check_repeat(void) {
  double x[N], y0[N], y[N], dx[N], dy[N] = {0}, a = -0.3;
  fill(x, N, 1.0, 6);
  fill(y0, N, 1.0, 7);
  fill(dx, N, 1.0, 8);
  memcpy(y, y0, sizeof y);
  /* analytic: y_final = y0 + 3 a x, f = |y_final|^2; direction dx, da = 0.5 */
  double got = ct_derivative(repeat, x, dx, y, dy, a, 0.5, (long)N);
  double want = 0;
  for (int i = 0; i < N; ++i) {
    double yf = y0[i] + 3 * a * x[i], dyf = 3 * 0.5 * x[i] + 3 * a * dx[i];
    want += 2 * yf * dyf;
    CHECK_AT_TOL("repeat dy", i, dy[i], dyf, 1e-12);
    CHECK_AT_TOL("repeat y", i, y[i], yf, 1e-12);
  }
  CHECK_TOL(got, want, 1e-12);
}

static void check_big(void) {
  long n = 2 * PAR_MIN + 123;
  double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w), *s = malloc(n * sizeof *s);
  double *dx = malloc(n * sizeof *dx), *dw = malloc(n * sizeof *dw), *ds = calloc(n, sizeof *ds);
  double *xp = malloc(n * sizeof *xp), *wp = malloc(n * sizeof *wp);
  fill(x, n, 4.0, 8);
  fill(w, n, 1.0, 9);
  fill(dx, n, 1.0, 10);
  fill(dw, n, 1.0, 11);
  double got = ct_derivative(big, x, dx, w, dw, s, ds, n);
  const double eps = 1e-5;
  double f[2];
  for (int k = 0; k < 2; ++k) {
    double e = k ? -eps : eps;
    for (long i = 0; i < n; ++i)
      xp[i] = x[i] + e * dx[i], wp[i] = w[i] + e * dw[i];
    f[k] = big(xp, wp, s, n);
  }
  CHECK_TOL(got, (f[0] - f[1]) / (2 * eps), 1e-5);
  free(x); free(w); free(s); free(dx); free(dw); free(ds); free(xp); free(wp);
}

static void check_float(void) {
  float W[M * N], x[N], dW[M * N], dx[N], h[M], dh[M] = {0}, a = 0.4f;
  double t[M * N + N];
  fill(t, M * N + N, 1.0, 12);
  for (int i = 0; i < M * N; ++i)
    W[i] = (float)t[i], dW[i] = (float)t[(i * 7) % (M * N)];
  for (int i = 0; i < N; ++i)
    x[i] = (float)t[M * N + i], dx[i] = (float)t[M * N + (i * 3) % N];
  float got = (float)ct_derivative(netf, W, dW, x, dx, h, dh, a, 0.25f, (long)M, (long)N);
  /* central differences in double precision of the float function are too
     coarse: a small step in float, a loose tolerance */
  const float eps = 1e-2f;
  float Wp[M * N], Wm[M * N], xp[N], xm[N];
  for (int i = 0; i < M * N; ++i)
    Wp[i] = W[i] + eps * dW[i], Wm[i] = W[i] - eps * dW[i];
  for (int i = 0; i < N; ++i)
    xp[i] = x[i] + eps * dx[i], xm[i] = x[i] - eps * dx[i];
  float want = (netf(Wp, xp, h, a + eps * 0.25f, M, N) - netf(Wm, xm, h, a - eps * 0.25f, M, N)) / (2 * eps);
  CHECK_TOL(got, want, 2e-3);
  /* vector mode: that direction and x's alone (W constant in it), in one run */
  float dW2[2][M * N], dx2[2][N], dh2[2][M] = {{0}};
  double dres[2]; /* the tangents of a float result, as doubles */
  for (int i = 0; i < M * N; ++i)
    dW2[0][i] = dW[i], dW2[1][i] = 0;
  for (int i = 0; i < N; ++i)
    dx2[0][i] = dx[i], dx2[1][i] = dx[i];
  ct_derivative_n(2, netf, dres, W, dW2, sizeof dW2[0], x, dx2, sizeof dx2[0], h, dh2, sizeof dh2[0], a, 0.25f,
                  0.0f, (long)M, (long)N);
  CHECK_TOL(dres[0], got, 1e-5);
  float want1 = (netf(W, xp, h, a, M, N) - netf(W, xm, h, a, M, N)) / (2 * eps);
  CHECK_TOL(dres[1], want1, 2e-3);
}

/* An instruction set the CPU lacks is not tested: exit 77 (ctest: skipped)
 * when the others passed. */
int main(void) {
  ct_kernels_set_parallel_min(PAR_MIN);
  const char *isas[] = {"scalar", "avx2", "avx512"};
  int skipped = 0;
  for (int k = 0; k < 3; ++k) {
    if (!ct_kernels_use_isa(isas[k])) {
      printf("forward_kernels: %s not supported by this CPU, skipped\n", isas[k]);
      ++skipped;
      continue;
    }
    CHECK(!strcmp(ct_kernels_isa(), isas[k]));
    check_net();
    check_mat();
    check_repeat();
    check_big();
    check_float();
  }
  int status = check_summary("forward_kernels");
  return status == 0 && skipped ? 77 : status;
}
