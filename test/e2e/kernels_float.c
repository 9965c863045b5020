// Runtime kernels in differentiated code (float): the float kernels
// (ct_gemvf, ct_axpyf, ct_softmaxf, ct_logsumexpf, ct_dotf, ct_sumf,
// ct_gemmf) in user functions, differentiated with ct_gradient and
// __enzyme_autodiff. The reference is central finite differences of the
// same functions written as plain loops in double (above the parallel
// threshold: the derivatives written out); for every instruction
// set the CPU has, and above the parallel threshold (OpenMP; lowered to PAR_MIN).
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup;
extern float __enzyme_autodiff(void *, ...);

#define PAR_MIN 65536L /* the OpenMP threshold, lowered in main */
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

/* above the parallel threshold: f = n (softmax(x) . w + logsumexp(x)),
 * scaled by n so that every derivative is O(1) */
static float big(const float *x, const float *w, float *s, long n) {
  ct_softmaxf(x, s, n);
  return (ct_dotf(s, w, n) + ct_logsumexpf(x, n)) * (float)n;
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

/* The worst of n components: |got - want| / scale, checked against tol. */
static void check_worst(const char *what, const float *got, const double *want, const double *scale, long n,
                        double tol) {
  long worst = 0;
  double e = -1;
  for (long i = 0; i < n; ++i) {
    double ei = fabs(got[i] - want[i]) / scale[i];
    if (!(ei <= e)) { /* a NaN is the worst */
      e = ei;
      worst = i;
      if (isnan(ei))
        break;
    }
  }
  char expr[96];
  snprintf(expr, sizeof expr, "%s[%ld] (the worst of %ld)", what, worst, n);
  check_scaled(__FILE__, __LINE__, expr, got[worst], want[worst], scale[worst], tol);
}

/* With p = softmax(x), D = p . w, a seed u on s (ds on entry), U = p . u:
 *   df/dx_j = n p_j (1 + w_j - D) + p_j (u_j - U),  df/dw_j = n p_j,
 * and the seed of s is consumed (ds = 0 after). The reference is in double
 * from the float inputs; every component is checked, to 1e-5 of the size of
 * its terms (float sums over 2^17 elements). */
static void check_big(void) {
  long n = 2 * PAR_MIN + 77;
  float *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w), *s = malloc(n * sizeof *s);
  float *dx = calloc(n, sizeof *dx), *dw = calloc(n, sizeof *dw), *ds = malloc(n * sizeof *ds);
  double *p = malloc(n * sizeof *p), *want = malloc(n * sizeof *want), *scale = malloc(n * sizeof *scale);
  fill(x, n, 4.0f, 8);
  fill(w, n, 1.0f, 9);
  fill(ds, n, (float)n, 10);
  double mx = -1e300, z = 0, D = 0, U = 0;
  for (long i = 0; i < n; ++i)
    mx = x[i] > mx ? x[i] : mx;
  for (long i = 0; i < n; ++i)
    z += exp(x[i] - mx);
  for (long i = 0; i < n; ++i) {
    p[i] = exp(x[i] - mx) / z;
    D += p[i] * w[i];
    U += p[i] * ds[i];
  }
  for (long i = 0; i < n; ++i) {
    want[i] = n * p[i] * (1.0 + w[i] - D) + p[i] * (ds[i] - U);
    scale[i] = n * p[i] * (1.0 + fabs(w[i]) + fabs(D)) + p[i] * (fabs(ds[i]) + fabs(U));
  }
  ct_gradient(big, x, dx, w, dw, s, ds, n);
  check_worst("big dx", dx, want, scale, n, 1e-5);
  for (long i = 0; i < n; ++i) {
    want[i] = n * p[i];
    scale[i] = want[i];
  }
  check_worst("big dw", dw, want, scale, n, 1e-5);
  for (long i = 0; i < n; ++i) {
    want[i] = p[i];
    scale[i] = p[i];
  }
  check_worst("big softmax value", s, want, scale, n, 1e-5);
  for (long i = 0; i < n; ++i)
    want[i] = 0.0, scale[i] = 1e-300;
  check_worst("big ds (consumed)", ds, want, scale, n, 0.0);
  free(x); free(w); free(s); free(dx); free(dw); free(ds); free(p); free(want); free(scale);
}

/* An instruction set the CPU lacks is not tested: exit 77 (ctest: skipped)
 * when the others passed. */
int main(void) {
  ct_kernels_set_parallel_min(PAR_MIN);
  const char *isas[] = {"scalar", "avx2", "avx512"};
  int skipped = 0;
  for (int k = 0; k < 3; ++k) {
    if (!ct_kernels_use_isa(isas[k])) {
      printf("kernels_float: %s not supported by this CPU, skipped\n", isas[k]);
      ++skipped;
      continue;
    }
    CHECK(!strcmp(ct_kernels_isa(), isas[k]));
    check_net();
    check_mat();
    check_big();
  }
  int status = check_summary("kernels_float");
  return status == 0 && skipped ? 77 : status;
}
