/*
 * Unit tests for the runtime kernels (lib/kernels*.c): each kernel against
 * a naive loop, each pullback against central finite differences (double)
 * or the double pullback (float), for every instruction set the CPU has
 * (the others are skipped with a message), at sizes that exercise the
 * vector remainders, and above the parallel threshold (OpenMP; lowered to
 * PAR_MIN here so that the sizes stay small). Also the CT_KERNELS_ISA and
 * CT_KERNELS_PARALLEL_MIN environment variables.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cotangent.h>

#define PAR_MIN 65536L /* ct_kernels_set_parallel_min in main */
static const long SIZES[] = {0, 1, 3, 8, 17, 64, 1001};
#define NSIZES (sizeof SIZES / sizeof SIZES[0])
static const char *ISAS[] = {"scalar", "avx2", "avx512"};

static uint64_t rng = 88172645463325252ULL;
static double urand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0 - 0.5;
}
static double *vec(long n, double scale) {
  double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
  for (long i = 0; i < n; ++i)
    v[i] = scale * urand();
  return v;
}
static float *to_float(const double *v, long n) {
  float *f = malloc((size_t)(n > 0 ? n : 1) * sizeof *f);
  for (long i = 0; i < n; ++i)
    f[i] = (float)v[i];
  return f;
}

static void close_to(double got, double want, double tol, const char *what, long i) {
  double err = fabs(got - want) / (fabs(want) > 1 ? fabs(want) : 1);
  if (!(err <= tol))
    fail_msg("%s [%ld] (%s): got %.17g, want %.17g (err %.3g)", what, i, ct_kernels_isa(), got, want, err);
}

/* ---- naive references (sums in long double: a plain running sum of
 * millions of terms is itself off by more than the tolerances) ---- */
static double n_dot(const double *x, const double *y, long n) {
  long double s = 0;
  for (long i = 0; i < n; ++i)
    s += (long double)x[i] * y[i];
  return (double)s;
}
static double n_lse(const double *x, long n) {
  double m = -INFINITY;
  long double s = 0;
  for (long i = 0; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  for (long i = 0; i < n; ++i)
    s += exp(x[i] - m);
  return m + log((double)s);
}
static void n_softmax(const double *x, double *o, long n) {
  double l = n_lse(x, n);
  for (long i = 0; i < n; ++i)
    o[i] = exp(x[i] - l);
}
static void n_gemm(long m, long n, long k, const double *A, const double *B, double *C) {
  for (long i = 0; i < m; ++i)
    for (long j = 0; j < n; ++j) {
      double s = 0;
      for (long p = 0; p < k; ++p)
        s += A[i * k + p] * B[p * n + j];
      C[i * n + j] = s;
    }
}

/* An instruction set the CPU lacks: main exits 77 (ctest: skipped). */
static int isa_skipped;

/* Runs body once per instruction set the CPU has. */
#define FOR_EACH_ISA(...)                                                                         \
  for (int isa_ = 0; isa_ < 3; ++isa_) {                                                          \
    if (!ct_kernels_use_isa(ISAS[isa_])) {                                                        \
      print_message("  %s: not supported by this CPU, skipped\n", ISAS[isa_]);                    \
      isa_skipped = 1;                                                                            \
      continue;                                                                                   \
    }                                                                                             \
    __VA_ARGS__                                                                                   \
  }

/* ---- values ---- */

static void check_values(long n) {
  double *x = vec(n, 4), *y = vec(n, 2), *o = vec(n, 1), *r = vec(n, 1), *y2 = malloc((size_t)(n + 1) * 8);
  float *xf = to_float(x, n), *yf = to_float(y, n), *of = to_float(o, n);
  close_to(ct_dot(x, y, n), n_dot(x, y, n), 1e-12, "dot", n);
  close_to(ct_dotf(xf, yf, n), n_dot(x, y, n), 1e-5 * sqrt((double)n + 1), "dotf", n);
  long double sl = 0;
  for (long i = 0; i < n; ++i)
    sl += x[i];
  double s = (double)sl;
  close_to(ct_sum(x, n), s, 1e-12, "sum", n);
  close_to(ct_sumf(xf, n), s, 1e-5 * sqrt((double)n + 1), "sumf", n);
  if (n > 0) {
    close_to(ct_logsumexp(x, n), n_lse(x, n), 1e-12, "logsumexp", n);
    close_to(ct_logsumexpf(xf, n), n_lse(x, n), 1e-5, "logsumexpf", n);
  } else
    assert_true(ct_logsumexp(x, 0) == -INFINITY);
  memcpy(y2, y, (size_t)n * 8);
  ct_axpy(n, 0.3, x, y2);
  for (long i = 0; i < n; ++i)
    close_to(y2[i], y[i] + 0.3 * x[i], 1e-15, "axpy", i);
  ct_axpyf(n, 0.3f, xf, yf);
  for (long i = 0; i < n; ++i)
    close_to(yf[i], y[i] + 0.3 * x[i], 1e-6, "axpyf", i);
  ct_softmax(x, o, n);
  ct_softmaxf(xf, of, n);
  n_softmax(x, r, n);
  for (long i = 0; i < n; ++i) {
    close_to(o[i], r[i], 1e-12, "softmax", i);
    close_to(of[i], r[i], 1e-5, "softmaxf", i);
  }
  memcpy(o, x, (size_t)n * 8); /* in place */
  ct_softmax(o, o, n);
  for (long i = 0; i < n; ++i)
    close_to(o[i], r[i], 1e-12, "softmax in place", i);
  free(x); free(y); free(o); free(r); free(y2); free(xf); free(yf); free(of);
}

static void check_matrices(long m, long n, long k) {
  double *A = vec(m * k, 1), *B = vec(k * n, 1), *C = vec(m * n, 1), *R = vec(m * n, 1), *x = vec(k, 1);
  float *Af = to_float(A, m * k), *Bf = to_float(B, k * n), *Cf = to_float(C, m * n), *xf = to_float(x, k);
  ct_gemm(m, n, k, A, B, C);
  ct_gemmf(m, n, k, Af, Bf, Cf);
  n_gemm(m, n, k, A, B, R);
  for (long i = 0; i < m * n; ++i) {
    close_to(C[i], R[i], 1e-12, "gemm", i);
    close_to(Cf[i], R[i], 1e-5 * sqrt((double)k), "gemmf", i);
  }
  ct_gemv(m, k, A, x, C);
  ct_gemvf(m, k, Af, xf, Cf);
  n_gemm(m, 1, k, A, x, R);
  for (long i = 0; i < m; ++i) {
    close_to(C[i], R[i], 1e-12, "gemv", i);
    close_to(Cf[i], R[i], 1e-5 * sqrt((double)k), "gemvf", i);
  }
  free(A); free(B); free(C); free(R); free(x); free(Af); free(Bf); free(Cf); free(xf);
}

static void test_values(void **state) {
  (void)state;
  FOR_EACH_ISA({
    for (size_t s = 0; s < NSIZES; ++s)
      check_values(SIZES[s]);
    check_matrices(1, 1, 1);
    check_matrices(7, 9, 5);
    check_matrices(33, 17, 65);
  })
}

static void test_values_parallel(void **state) {
  (void)state;
  FOR_EACH_ISA({
    check_values(3 * PAR_MIN + 5);
    check_matrices(301, 3, 299);  /* gemv: 301 x 299 */
    check_matrices(70, 65, 33);   /* gemm: 150150 multiply-adds */
  })
}

/* ---- pullbacks: L(inputs) = seed * f, or <r, out> for array outputs ---- */

/* central difference of a scalar function of one coordinate */
#define FD(expr, var, h)                                                                          \
  ({                                                                                              \
    double old_ = (var), fp_, fm_;                                                                \
    (var) = old_ + (h);                                                                           \
    fp_ = (expr);                                                                                 \
    (var) = old_ - (h);                                                                           \
    fm_ = (expr);                                                                                 \
    (var) = old_;                                                                                 \
    (fp_ - fm_) / (2 * (h));                                                                      \
  })

static double L_gemm(long m, long n, long k, const double *A, const double *B, const double *r, double *C) {
  ct_gemm(m, n, k, A, B, C);
  return n_dot(C, r, m * n);
}
static double L_gemv(long m, long n, const double *A, const double *x, const double *r, double *y) {
  ct_gemv(m, n, A, x, y);
  return n_dot(y, r, m);
}
static double L_softmax(const double *x, const double *r, double *o, long n) {
  ct_softmax(x, o, n);
  return n_dot(o, r, n);
}
static double L_axpy(long n, double a, const double *x, const double *y, const double *r, double *t) {
  memcpy(t, y, (size_t)n * 8);
  ct_axpy(n, a, x, t);
  return n_dot(t, r, n);
}

static void check_pullbacks(long n, long m) {
  const double h = 1e-6, tol = 1e-6, seed = 0.7;
  long k = 3;
  double *x = vec(n, 2), *y = vec(n, 2), *r = vec(n * k > m * n ? n * k : m * n, 1);
  double *dx = calloc((size_t)n + 1, 8), *dy = calloc((size_t)n + 1, 8), *t = vec(m * n + n, 1);
  double *A = vec(m * n, 1), *B = vec(k * n, 1), *dA = calloc((size_t)(m * n + 1), 8),
         *dB = calloc((size_t)(k * n + 1), 8), *dt = calloc((size_t)(m * n + n + 1), 8);
  long probe[] = {0, n / 3, n - 1};
  /* dot */
  ct_dot_pullback(x, y, n, seed, dx, dy);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dx[i], FD(seed * ct_dot(x, y, n), x[i], h), tol, "dot dx", i);
    close_to(dy[i], FD(seed * ct_dot(x, y, n), y[i], h), tol, "dot dy", i);
  }
  /* dot of an array with itself (one shadow: both terms must be added),
   * and with itself shifted by one (overlapping shadows): analytic */
  memset(dx, 0, (size_t)n * 8);
  ct_dot_pullback(x, x, n, seed, dx, dx);
  for (long i = 0; i < n; ++i)
    close_to(dx[i], 2 * seed * x[i], 1e-15, "dot(x, x) dx", i);
  if (n >= 2) {
    memset(dx, 0, (size_t)n * 8);
    ct_dot_pullback(x, x + 1, n - 1, seed, dx, dx + 1);
    for (long i = 0; i < n; ++i)
      close_to(dx[i], seed * ((i + 1 < n ? x[i + 1] : 0) + (i > 0 ? x[i - 1] : 0)), 1e-15, "dot(x, x + 1) dx", i);
  }
  /* sum, logsumexp (adding into what is there) */
  memset(dx, 0, (size_t)n * 8);
  ct_sum_pullback(x, n, seed, dx);
  ct_logsumexp_pullback(x, n, seed, dx);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dx[i], FD(seed * (ct_sum(x, n) + ct_logsumexp(x, n)), x[i], h), tol, "sum+lse dx", i);
  }
  /* axpy: y += a x, L = <y, r>; dy (the seed) stays */
  double a = -0.4, da = 0;
  memset(dx, 0, (size_t)n * 8);
  memcpy(dy, r, (size_t)n * 8);
  ct_axpy_pullback(n, a, x, t, &da, dx, dy);
  close_to(da, FD(L_axpy(n, a, x, y, r, t), a, h), tol, "axpy da", 0);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dx[i], FD(L_axpy(n, a, x, y, r, t), x[i], h), tol, "axpy dx", i);
    close_to(dy[i], FD(L_axpy(n, a, x, y, r, t), y[i], h), tol, "axpy dy", i);
  }
  /* softmax: the result's shadow is consumed (zeroed) */
  memset(dx, 0, (size_t)n * 8);
  memcpy(dt, r, (size_t)n * 8);
  ct_softmax(x, t, n);
  ct_softmax_pullback(x, t, n, dx, dt);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dx[i], FD(L_softmax(x, r, t, n), x[i], h), tol, "softmax dx", i);
  }
  for (long i = 0; i < n; ++i)
    assert_true(dt[i] == 0);
  /* gemv: y = A x (A m x n) */
  memset(dx, 0, (size_t)n * 8);
  memcpy(dt, r, (size_t)m * 8);
  ct_gemv_pullback(m, n, A, x, t, dA, dx, dt);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dx[i], FD(L_gemv(m, n, A, x, r, t), x[i], h), tol, "gemv dx", i);
    close_to(dA[i * m / (n > 0 ? n : 1) * n + i], FD(L_gemv(m, n, A, x, r, t), A[i * m / (n > 0 ? n : 1) * n + i], h),
             tol, "gemv dA", i);
  }
  for (long i = 0; i < m; ++i)
    assert_true(dt[i] == 0);
  /* gemv with x inside A (overlapping shadows) */
  if (n > 0) {
    double *Ax = vec(m * n + n, 1), *dAx = calloc((size_t)(m * n + n), 8), *xa = Ax + (m * n - n / 2);
    memcpy(dt, r, (size_t)m * 8);
    ct_gemv_pullback(m, n, Ax, xa, t, dAx, dAx + (xa - Ax), dt);
    long probe2[] = {0, m * n - n / 2, m * n - 1, m * n + n / 2};
    for (int q = 0; q < 4; ++q) {
      long i = probe2[q];
      if (i < m * n + n)
        close_to(dAx[i], FD(L_gemv(m, n, Ax, xa, r, t), Ax[i], h), tol, "gemv (x in A) d", i);
    }
    free(Ax);
    free(dAx);
  }
  /* gemm: C = A B (A m x k with k = n here... use A as m x n, B as n x k) */
  memset(dA, 0, (size_t)(m * n) * 8);
  memcpy(dt, r, (size_t)(m * k) * 8);
  ct_gemm_pullback(m, k, n, A, B, t, dA, dB, dt);
  for (int q = 0; q < 3 && n > 0; ++q) {
    long i = probe[q];
    close_to(dA[i], FD(L_gemm(m, k, n, A, B, r, t), A[i], h), tol, "gemm dA", i);
    close_to(dB[i * k], FD(L_gemm(m, k, n, A, B, r, t), B[i * k], h), tol, "gemm dB", i);
  }
  for (long i = 0; i < m * k; ++i)
    assert_true(dt[i] == 0);
  free(x); free(y); free(r); free(dx); free(dy); free(t); free(A); free(B); free(dA); free(dB); free(dt);
}

static void test_pullbacks(void **state) {
  (void)state;
  FOR_EACH_ISA({
    for (size_t s = 0; s < NSIZES; ++s)
      check_pullbacks(SIZES[s], SIZES[s] / 2 + 1);
  })
}

static void test_pullbacks_parallel(void **state) {
  (void)state;
  /* m n and m n k above the threshold too */
  FOR_EACH_ISA({ check_pullbacks(PAR_MIN + 3, 2); })
}

/* float pullbacks against the double ones on the same inputs */
static void test_pullbacks_float(void **state) {
  (void)state;
  FOR_EACH_ISA({
    long n = 37, m = 11, k = 5;
    double *x = vec(n, 2), *y = vec(n, 2), *r = vec(m * n, 1), *A = vec(m * n, 1), *B = vec(n * k, 1);
    float *xf = to_float(x, n), *yf = to_float(y, n), *rf = to_float(r, m * n), *Af = to_float(A, m * n),
          *Bf = to_float(B, n * k);
    double *d1 = calloc((size_t)(m * n), 8), *d2 = calloc((size_t)(n * k), 8), *d3 = vec(m * n, 0);
    float *f1 = calloc((size_t)(m * n), 4), *f2 = calloc((size_t)(n * k), 4), *f3 = to_float(d3, m * n);
    double *o = vec(m * n, 1);
    float *of = to_float(o, m * n);
#define RESET()                                                                                   \
  do {                                                                                            \
    memset(d1, 0, (size_t)(m * n) * 8); memset(d2, 0, (size_t)(n * k) * 8);                      \
    memset(f1, 0, (size_t)(m * n) * 4); memset(f2, 0, (size_t)(n * k) * 4);                      \
    memcpy(d3, r, (size_t)(m * n) * 8); memcpy(f3, rf, (size_t)(m * n) * 4);                      \
  } while (0)
#define SAME(cnt, what)                                                                           \
  for (long i = 0; i < (cnt); ++i) {                                                              \
    close_to(f1[i], d1[i], 1e-4, what " 1", i);                                                   \
    close_to(f2[i], d2[i], 1e-4, what " 2", i);                                                   \
    close_to(f3[i], d3[i], 1e-4, what " 3", i);                                                   \
  }
    RESET();
    ct_dot_pullback(x, y, n, 0.5, d1, d2);
    ct_dotf_pullback(xf, yf, n, 0.5f, f1, f2);
    SAME(n, "dot");
    RESET();
    ct_sum_pullback(x, n, 0.5, d1);
    ct_logsumexp_pullback(x, n, 0.5, d2);
    ct_sumf_pullback(xf, n, 0.5f, f1);
    ct_logsumexpf_pullback(xf, n, 0.5f, f2);
    SAME(n, "sum/lse");
    RESET();
    double da = 0;
    float daf = 0;
    ct_axpy_pullback(n, 0.3, x, o, &da, d1, d3);
    ct_axpyf_pullback(n, 0.3f, xf, of, &daf, f1, f3);
    close_to(daf, da, 1e-4, "axpyf da", 0);
    SAME(n, "axpy");
    RESET();
    ct_softmax(x, o, n);
    ct_softmaxf(xf, of, n);
    ct_softmax_pullback(x, o, n, d1, d3);
    ct_softmaxf_pullback(xf, of, n, f1, f3);
    SAME(n, "softmax");
    RESET();
    ct_gemv_pullback(m, n, A, x, o, d1, d2, d3);
    ct_gemvf_pullback(m, n, Af, xf, of, f1, f2, f3);
    SAME(m, "gemv");
    RESET();
    ct_gemm_pullback(m, k, n, A, B, o, d1, d2, d3);
    ct_gemmf_pullback(m, k, n, Af, Bf, of, f1, f2, f3);
    SAME(m * k, "gemm");
    free(x); free(y); free(r); free(A); free(B); free(xf); free(yf); free(rf); free(Af); free(Bf);
    free(d1); free(d2); free(d3); free(f1); free(f2); free(f3); free(o); free(of);
  })
}

/* The kernels' own vectorized exp, through ct_softmax: each term within a
 * few ulp of libm's exp (relative, also for subnormal results, with a
 * subnormal step of slack), 0 below the underflow threshold, NaN kept. */
static void check_exp_terms(long n, const double *x) {
  double *o = malloc((size_t)n * sizeof *o);
  float *xf = to_float(x, n), *of = malloc((size_t)n * sizeof *of);
  ct_softmax(x, o, n);
  ct_softmaxf(xf, of, n);
  double m = -INFINITY, mf = -INFINITY;
  long double s = 0, sf = 0;
  for (long i = 0; i < n; ++i) {
    m = x[i] > m ? x[i] : m;
    mf = xf[i] > mf ? xf[i] : mf;
  }
  for (long i = 0; i < n; ++i) {
    s += exp(x[i] - m);
    sf += exp((double)(xf[i] - (float)mf));
  }
  for (long i = 0; i < n; ++i) {
    double want = exp(x[i] - m) / (double)s;
    if (!(fabs(o[i] - want) <= 8 * DBL_EPSILON * fabs(want) + 2 * DBL_TRUE_MIN))
      fail_msg("softmax term %ld (%s): x - max = %.17g: got %.17g, want %.17g", i, ct_kernels_isa(), x[i] - m,
               o[i], want);
    double wantf = exp((double)(xf[i] - (float)mf)) / (double)sf;
    if (!(fabs(of[i] - wantf) <= 8 * FLT_EPSILON * fabs(wantf) + 2 * FLT_TRUE_MIN))
      fail_msg("softmaxf term %ld (%s): x - max = %.9g: got %.9g, want %.9g", i, ct_kernels_isa(),
               (double)(xf[i] - (float)mf), (double)of[i], wantf);
  }
  free(o);
  free(xf);
  free(of);
}

static void test_exp_accuracy(void **state) {
  (void)state;
  FOR_EACH_ISA({
    /* the normal range: x - max in [-40, 0] */
    long n = 1001;
    double *x = vec(n, 80);
    x[0] = 40;
    check_exp_terms(n, x);
    /* down through the subnormal range to 0, float and double: every
     * element below -30, next to one at 0 */
    for (long i = 1; i < n; ++i)
      x[i] = -30 - 720.0 * (double)i / (double)n;
    x[0] = 0;
    check_exp_terms(n, x);
    x[7] = -INFINITY;
    check_exp_terms(n, x);
    x[7] = NAN; /* NaN in, NaN out */
    double lse = ct_logsumexp(x, n);
    assert_true(lse != lse);
    free(x);
  })
}

/* CT_KERNELS_ISA and CT_KERNELS_PARALLEL_MIN are read at the first kernel
 * call: in a child process, before this process has called any. The child
 * writes the ISA's name, or the threshold, into out. */
static int in_child(const char *var, const char *env, char *out, size_t n) {
  int fd[2];
  if (pipe(fd))
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    setenv(var, env, 1);
    char num[32];
    const char *text = num;
    if (!strcmp(var, "CT_KERNELS_ISA"))
      text = ct_kernels_isa();
    else
      snprintf(num, sizeof num, "%ld", ct_kernels_parallel_min());
    ssize_t w = write(fd[1], text, strlen(text));
    _exit(w < 0);
  }
  close(fd[1]);
  ssize_t got = read(fd[0], out, n - 1);
  out[got > 0 ? got : 0] = 0;
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

static int isa_in_child(const char *env, char *out, size_t n) { return in_child("CT_KERNELS_ISA", env, out, n); }

static void test_isa_environment(void **state) {
  (void)state;
  char name[4][32];
  for (int k = 0; k < 3; ++k)
    assert_int_equal(isa_in_child(ISAS[k], name[k], sizeof name[k]), 0);
  /* an unknown name: a message, and the automatic choice */
  assert_int_equal(isa_in_child("sse9", name[3], sizeof name[3]), 0);
  assert_true(!strcmp(name[3], "scalar") || !strcmp(name[3], "avx2") || !strcmp(name[3], "avx512"));
  for (int k = 0; k < 3; ++k) {
    if (ct_kernels_use_isa(ISAS[k])) /* (now this process chooses too) */
      assert_string_equal(name[k], ISAS[k]);
    else
      print_message("  CT_KERNELS_ISA=%s: not supported by this CPU, fell back to %s\n", ISAS[k], name[k]);
  }
  assert_int_equal(ct_kernels_use_isa("sse9"), 0);
}

static void test_parallel_min_environment(void **state) {
  (void)state;
  char got[32], want[32];
  assert_int_equal(in_child("CT_KERNELS_PARALLEL_MIN", "1000", got, sizeof got), 0);
  assert_string_equal(got, "1000");
  /* not a positive integer: a message, and the default */
  snprintf(want, sizeof want, "%ld", CT_KERNELS_PARALLEL_MIN);
  assert_int_equal(in_child("CT_KERNELS_PARALLEL_MIN", "12x", got, sizeof got), 0);
  assert_string_equal(got, want);
  assert_int_equal(in_child("CT_KERNELS_PARALLEL_MIN", "0", got, sizeof got), 0);
  assert_string_equal(got, want);
  ct_kernels_set_parallel_min(0); /* from 1 */
  assert_int_equal(ct_kernels_parallel_min(), 1);
  ct_kernels_set_parallel_min(PAR_MIN);
  assert_int_equal(ct_kernels_parallel_min(), PAR_MIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_isa_environment), /* first: before any kernel call */
      cmocka_unit_test(test_parallel_min_environment), /* sets PAR_MIN */
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_values_parallel),
      cmocka_unit_test(test_pullbacks),
      cmocka_unit_test(test_pullbacks_parallel),
      cmocka_unit_test(test_pullbacks_float),
      cmocka_unit_test(test_exp_accuracy),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  return failed == 0 && isa_skipped ? 77 : failed;
}
