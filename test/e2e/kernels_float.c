// Runtime kernels in differentiated code (float): the float kernels
// (ct_gemvf, ct_axpyf, ct_softmaxf, ct_logsumexpf, ct_dotf, ct_sumf,
// ct_gemmf) in user functions, differentiated with ct_gradient and
// __enzyme_autodiff. The reference is central finite differences of the
// same functions written as plain loops in double; for every instruction
// set the CPU has, and above CT_KERNELS_PARALLEL_MIN (OpenMP).
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup;
extern float __enzyme_autodiff(void *, ...);

#define M 5
#define N 7
#define K 3
#define TOL 2e-4

static float net(const float *W, const float *x, float *h, float a, long m, long n) {
  ct_gemvf(m, n, W, x, h);
  for (long i = 0; i < m; ++i)
    h[i] = tanhf(h[i]);
  float z[M] = {0.1f, -0.2f, 0.3f, 0.0f, 0.5f}, p[M];
  ct_axpyf(m, a, h, z);
  ct_softmaxf(z, p, m);
  return ct_logsumexpf(p, m) + ct_dotf(p, h, m) + 0.5f * ct_sumf(z, m);
}

static double net_ref(const double *W, const double *x, double a) {
  double h[M], z[M] = {0.1, -0.2, 0.3, 0.0, 0.5}, p[M], mx = -1e300, s = 0, r = 0, zs = 0;
  for (int i = 0; i < M; ++i) {
    h[i] = 0;
    for (int j = 0; j < N; ++j)
      h[i] += W[i * N + j] * x[j];
    h[i] = tanh(h[i]);
    z[i] += a * h[i];
    mx = z[i] > mx ? z[i] : mx;
  }
  for (int i = 0; i < M; ++i)
    s += exp(z[i] - mx);
  for (int i = 0; i < M; ++i) {
    p[i] = exp(z[i] - mx) / s;
    zs += z[i];
  }
  double e = 0;
  for (int i = 0; i < M; ++i) {
    e += exp(p[i]);
    r += p[i] * h[i];
  }
  return log(e) + r + 0.5 * zs;
}

static float mat(const float *A, const float *B, long m, long n, long k) {
  float C[M * N];
  ct_gemmf(m, n, k, A, B, C);
  return ct_dotf(C, C, m * n) * 0.1f + ct_sumf(C, m * n);
}

static double mat_ref(const double *A, const double *B) {
  double s = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double c = 0;
      for (int p = 0; p < K; ++p)
        c += A[i * K + p] * B[p * N + j];
      s += 0.1 * c * c + c;
    }
  return s;
}

static float big(const float *x, const float *w, float *s, long n) {
  ct_softmaxf(x, s, n);
  return ct_dotf(s, w, n) * (float)n + ct_logsumexpf(x, n);
}

static double big_ref(const double *x, const float *w, long n) {
  double mx = -1e300, z = 0, d = 0;
  for (long i = 0; i < n; ++i)
    mx = x[i] > mx ? x[i] : mx;
  for (long i = 0; i < n; ++i)
    z += exp(x[i] - mx);
  for (long i = 0; i < n; ++i)
    d += exp(x[i] - mx) / z * w[i];
  return d * (double)n + mx + log(z);
}

static void fill(float *v, long n, float scale, unsigned seed) {
  srand(seed);
  for (long i = 0; i < n; ++i)
    v[i] = scale * ((float)rand() / (float)RAND_MAX - 0.5f);
}

static void check_net(void) {
  float W[M * N], x[N], a = 0.7f, h[M], dh[M] = {0};
  fill(W, M * N, 1.0f, 1);
  fill(x, N, 2.0f, 2);
  float dW[M * N] = {0}, dx[N] = {0}, da = 0;
  ct_gradient(net, W, dW, x, dx, h, dh, a, &da, (long)M, (long)N);
  double Wd[M * N], xd[N], eps = 1e-6;
  for (int i = 0; i < M * N; ++i) Wd[i] = W[i];
  for (int i = 0; i < N; ++i) xd[i] = x[i];
  for (int i = 0; i < M * N + N + 1; ++i) {
    double *v = i < M * N ? Wd : i < M * N + N ? xd : NULL;
    int j = i < M * N ? i : i - M * N;
    double got = i < M * N ? dW[i] : i < M * N + N ? dx[j] : da, fd;
    if (v) {
      double old = v[j];
      v[j] = old + eps;
      double fp = net_ref(Wd, xd, a);
      v[j] = old - eps;
      fd = (fp - net_ref(Wd, xd, a)) / (2 * eps);
      v[j] = old;
    } else
      fd = (net_ref(Wd, xd, a + eps) - net_ref(Wd, xd, a - eps)) / (2 * eps);
    CHECK_AT_TOL("net", i, got, fd, TOL);
  }
}

static void check_mat(void) {
  float A[M * K], B[K * N], dA[M * K] = {0}, dB[K * N] = {0};
  fill(A, M * K, 1.0f, 4);
  fill(B, K * N, 1.0f, 5);
  __enzyme_autodiff((void *)mat, enzyme_dup, A, dA, enzyme_dup, B, dB, (long)M, (long)N, (long)K);
  double Ad[M * K], Bd[K * N], eps = 1e-6;
  for (int i = 0; i < M * K; ++i) Ad[i] = A[i];
  for (int i = 0; i < K * N; ++i) Bd[i] = B[i];
  for (int i = 0; i < M * K + K * N; ++i) {
    double *v = i < M * K ? Ad : Bd;
    float *d = i < M * K ? dA : dB;
    int j = i < M * K ? i : i - M * K;
    double old = v[j];
    v[j] = old + eps;
    double fp = mat_ref(Ad, Bd);
    v[j] = old - eps;
    double fm = mat_ref(Ad, Bd);
    v[j] = old;
    CHECK_AT_TOL("mat", i, d[j], (fp - fm) / (2 * eps), TOL);
  }
}

static void check_big(void) {
  long n = 2 * CT_KERNELS_PARALLEL_MIN + 77;
  float *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w), *s = malloc(n * sizeof *s);
  float *dx = calloc(n, sizeof *dx), *dw = calloc(n, sizeof *dw), *ds = calloc(n, sizeof *ds);
  double *xd = malloc(n * sizeof *xd);
  fill(x, n, 4.0f, 8);
  fill(w, n, 1.0f, 9);
  ct_gradient(big, x, dx, w, dw, s, ds, n);
  for (long i = 0; i < n; ++i)
    xd[i] = x[i];
  long idx[] = {0, 1, 17, n / 2, n - 1};
  for (int t = 0; t < 5; ++t) {
    long i = idx[t];
    double eps = 1e-4, old = xd[i];
    xd[i] = old + eps;
    double fp = big_ref(xd, w, n);
    xd[i] = old - eps;
    double fm = big_ref(xd, w, n);
    xd[i] = old;
    /* absolute scale: each derivative is O(1/n) of a sum of O(1) terms */
    CHECK_AT_TOL("big dx", (double)i, dx[i] + 1.0, (fp - fm) / (2 * eps) + 1.0, 1e-4);
  }
  free(x); free(w); free(s); free(dx); free(dw); free(ds); free(xd);
}

int main(void) {
  const char *isas[] = {"scalar", "avx2", "avx512"};
  for (int k = 0; k < 3; ++k) {
    if (!ct_kernels_use_isa(isas[k])) {
      printf("kernels_float: %s not supported by this CPU, skipped\n", isas[k]);
      continue;
    }
    CHECK(!strcmp(ct_kernels_isa(), isas[k]));
    check_net();
    check_mat();
    check_big();
  }
  return check_summary("kernels_float");
}
