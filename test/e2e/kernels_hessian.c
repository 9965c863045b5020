// Second order through the runtime kernels: ct_hessian_vector_product
// (reverse over forward) of functions calling ct_gemv, ct_axpy, ct_gemm,
// ct_logsumexp, ct_dot and ct_sum: the gradient of the tangent code runs
// the pullbacks of the kernels and of their tangents (ct_*_jvp_pullback).
// H v is checked against central differences of gradients (ct_gradient)
// along v, for every input (a matrix, vectors, an array the function adds
// to, a scalar), for each instruction set the CPU has, and for the
// analytic Hessian of <x, x> + logsumexp(x).
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

#define M 4
#define N 5

/* h = tanh(W x), z = z0 + a h (locals); C = h h^T (gemm of a column and a row) */
static double net(const double *W, const double *x, const double *z0, double a, long m, long n) {
  double h[M], z[M];
  ct_gemv(m, n, W, x, h);
  for (long i = 0; i < m; ++i)
    h[i] = tanh(h[i]), z[i] = z0[i];
  ct_axpy(m, a, h, z);
  double C[M * M];
  ct_gemm(m, m, 1, h, h, C);
  return ct_logsumexp(z, m) + ct_dot(h, z, m) + 0.3 * ct_sum(C, m * m) + 0.1 * ct_dot(x, x, n);
}

static double quad(const double *x, long n) { return ct_dot(x, x, n) + ct_logsumexp(x, n); }

static void fill(double *v, long n, double scale, unsigned seed) {
  srand(seed);
  for (long i = 0; i < n; ++i)
    v[i] = scale * ((double)rand() / RAND_MAX - 0.5);
}

/* the gradient of net at W + s vW, x + s vx, z0 + s vz, a + s va, into g (W, x, z, a) */
static void grad_at(const double *W, const double *vW, const double *x, const double *vx, const double *z0,
                    const double *vz, double a, double va, double s, double *g) {
  double Wp[M * N], xp[N], zp[M], da = 0;
  for (int i = 0; i < M * N; ++i)
    Wp[i] = W[i] + s * vW[i];
  for (int i = 0; i < N; ++i)
    xp[i] = x[i] + s * vx[i];
  for (int i = 0; i < M; ++i)
    zp[i] = z0[i] + s * vz[i];
  memset(g, 0, (M * N + N + M + 1) * sizeof *g);
  ct_gradient(net, Wp, g, xp, g + M * N, zp, g + M * N + N, a + s * va, &da, (long)M, (long)N);
  g[M * N + N + M] = da;
}

static void check_net(void) {
  double W[M * N], x[N], z0[M], a = 0.6, va = -0.4;
  double vW[M * N], vx[N], vz[M];
  fill(W, M * N, 1.0, 1);
  fill(x, N, 2.0, 2);
  fill(z0, M, 1.0, 3);
  fill(vW, M * N, 1.0, 4);
  fill(vx, N, 1.0, 5);
  fill(vz, M, 1.0, 6);
  double hW[M * N] = {0}, hx[N] = {0}, hz[M] = {0}, ha = 0;
  ct_hessian_vector_product(net, W, vW, hW, x, vx, hx, z0, vz, hz, a, va, &ha, (long)M, (long)N);
  const double eps = 1e-5;
  double gp[M * N + N + M + 1], gm[M * N + N + M + 1];
  grad_at(W, vW, x, vx, z0, vz, a, va, eps, gp);
  grad_at(W, vW, x, vx, z0, vz, a, va, -eps, gm);
  for (int i = 0; i < M * N + N + M + 1; ++i) {
    double got = i < M * N ? hW[i] : i < M * N + N ? hx[i - M * N] : i < M * N + N + M ? hz[i - M * N - N] : ha;
    CHECK_AT_TOL("net H v", i, got, (gp[i] - gm[i]) / (2 * eps), 1e-6);
  }
}

/* H = 2 I + diag(p) - p p^T, p = softmax(x) */
static void check_quad(void) {
  double x[N], v[N], hv[N] = {0}, p[N], s = 0, pv = 0;
  fill(x, N, 2.0, 7);
  fill(v, N, 1.0, 8);
  ct_hessian_vector_product(quad, x, v, hv, (long)N);
  for (int i = 0; i < N; ++i)
    s += p[i] = exp(x[i]);
  for (int i = 0; i < N; ++i)
    pv += (p[i] /= s) * v[i];
  for (int i = 0; i < N; ++i)
    CHECK_AT_TOL("quad H v", i, hv[i], 2 * v[i] + p[i] * v[i] - p[i] * pv, 1e-12);
}

/* An instruction set the CPU lacks is not tested: exit 77 (ctest: skipped)
 * when the others passed. */
int main(void) {
  const char *isas[] = {"scalar", "avx2", "avx512"};
  int skipped = 0;
  for (int k = 0; k < 3; ++k) {
    if (!ct_kernels_use_isa(isas[k])) {
      printf("kernels_hessian: %s not supported by this CPU, skipped\n", isas[k]);
      ++skipped;
      continue;
    }
    check_net();
    check_quad();
  }
  int status = check_summary("kernels_hessian");
  return status == 0 && skipped ? 77 : status;
}
