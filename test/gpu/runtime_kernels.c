/* The GPU primitives through the launcher (include/cotangent_cuda.h).
 *   runtime_kernels            with the system's CUDA driver: without one,
 *                              or without a device, ct_gpu_open must fail
 *                              with "no CUDA device: ..." (exit status 77,
 *                              skipped); with a GPU, the checks below run on
 *                              it.
 *   runtime_kernels checks     the checks, required to run (the tests point
 *                              COTANGENT_LIBCUDA at fake_cuda.so, which runs
 *                              the kernels on the host under the SIMT
 *                              emulator).
 * Checks: each primitive against a CPU reference, each adjoint, every
 * component, against central finite differences of the reference. */
#include <cotangent_cuda.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

static void near(const char *what, int i, double got, double want, double tol) {
  ++checks;
  if (!(fabs(got - want) <= tol * (fabs(want) > 1 ? fabs(want) : 1))) {
    ++failures;
    fprintf(stderr, "%s[%d]: got %.15g, want %.15g\n", what, i, got, want);
  }
}

enum { N = 300, M = 5, K = 4, C = 6, ROWS = 3, COLS = 100 }; /* ROWS * COLS <= N */

/* CPU references; the loss is <w, f(x)> with w fixed */
static double w[N];
static double ref_loss(const char *f, double *in[4]) {
  double l = 0;
  if (!strcmp(f, "sum"))
    for (int i = 0; i < N; ++i)
      l += w[0] * in[0][i];
  else if (!strcmp(f, "dot"))
    for (int i = 0; i < N; ++i)
      l += w[0] * in[0][i] * in[1][i];
  else if (!strcmp(f, "axpy")) /* y + a x, a = in[2][0] */
    for (int i = 0; i < N; ++i)
      l += w[i] * (in[1][i] + in[2][0] * in[0][i]);
  else if (!strcmp(f, "gemv"))
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j)
        l += w[i] * in[0][i * N + j] * in[1][j];
  else if (!strcmp(f, "gemm")) /* A M x K, B K x C */
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < C; ++j)
        for (int p = 0; p < K; ++p)
          l += w[i * C + j] * in[0][i * K + p] * in[1][p * C + j];
  else /* softmax, logsumexp per row */
    for (int r = 0; r < ROWS; ++r) {
      double m = -INFINITY, s = 0;
      for (int j = 0; j < COLS; ++j)
        m = fmax(m, in[0][r * COLS + j]);
      for (int j = 0; j < COLS; ++j)
        s += exp(in[0][r * COLS + j] - m);
      if (!strcmp(f, "logsumexp"))
        l += w[r] * (m + log(s));
      else
        for (int j = 0; j < COLS; ++j)
          l += w[r * COLS + j] * exp(in[0][r * COLS + j] - m) / s;
    }
  return l;
}

/* grad[i] against d loss / d in[arg][i], every i: five-point central
 * differences (exact up to rounding for the (bi)linear losses, O(h^4) for
 * softmax and logsumexp), to 1e-9 relative or the rounding noise */
static void fd(const char *f, double *in[4], int arg, int n, const double *grad) {
  for (int i = 0; i < n; ++i) {
    double x0 = in[arg][i], h = 1e-3, l[4], lmax = 0;
    const double off[4] = {-2, -1, 1, 2};
    for (int k = 0; k < 4; ++k) {
      in[arg][i] = x0 + off[k] * h;
      l[k] = ref_loss(f, in);
      lmax = fmax(lmax, fabs(l[k]));
    }
    in[arg][i] = x0;
    double want = (l[0] - 8 * l[1] + 8 * l[2] - l[3]) / (12 * h), noise = 64 * 2.3e-16 * lmax / h;
    ++checks;
    if (!(fabs(grad[i] - want) <= 1e-9 * fabs(want) + noise)) {
      ++failures;
      fprintf(stderr, "d%s/darg%d[%d]: got %.17g, want %.17g (noise %.2g)\n", f, arg, i, grad[i], want, noise);
    }
  }
}

#define OK(call)                                                                                  \
  do {                                                                                            \
    if (call) {                                                                                   \
      fprintf(stderr, "%s: %s\n", #call, ct_gpu_error());                                         \
      exit(1);                                                                                    \
    }                                                                                             \
  } while (0)

static void run_checks(ct_gpu *g) {
  static double x[N], y[N], A[M * N], B[K * C], dx[N], dy[N], dA[M * N], dB[K * C], out[N], dout[N];
  for (int i = 0; i < N; ++i) {
    x[i] = sin(0.37 * i) + 0.1;
    y[i] = cos(0.21 * i) - 0.2;
    w[i] = 0.5 + 0.25 * sin(1.3 * i);
  }
  for (int i = 0; i < M * N; ++i)
    A[i] = sin(0.11 * i);
  for (int i = 0; i < K * C; ++i)
    B[i] = cos(0.7 * i);
  double v, a = 0.7, da;

  double *in_sum[4] = {x};
  OK(ct_gpu_sum(g, N, x, &v));
  near("sum", 0, v, ref_loss("sum", in_sum) / w[0], 1e-12);
  memset(dx, 0, sizeof dx);
  OK(ct_gpu_sum_adjoint(g, N, w[0], dx));
  fd("sum", in_sum, 0, N, dx);

  double *in_dot[4] = {x, y};
  OK(ct_gpu_dot(g, N, x, y, &v));
  near("dot", 0, v, ref_loss("dot", in_dot) / w[0], 1e-12);
  memset(dx, 0, sizeof dx);
  memset(dy, 0, sizeof dy);
  OK(ct_gpu_dot_adjoint(g, N, x, y, w[0], dx, dy));
  fd("dot", in_dot, 0, N, dx);
  fd("dot", in_dot, 1, N, dy);

  double yy[N], *in_axpy[4] = {x, y, &a};
  memcpy(yy, y, sizeof yy);
  OK(ct_gpu_axpy(g, N, a, x, yy));
  for (int i = 0; i < N; ++i)
    near("axpy", i, yy[i], y[i] + a * x[i], 1e-14);
  memset(dx, 0, sizeof dx);
  da = 0;
  OK(ct_gpu_axpy_adjoint(g, N, a, x, w, dx, &da));
  fd("axpy", in_axpy, 0, N, dx);
  fd("axpy", in_axpy, 2, 1, &da);

  double *in_gemv[4] = {A, x};
  OK(ct_gpu_gemv(g, M, N, A, x, out));
  for (int i = 0; i < M; ++i) {
    double want = 0;
    for (int j = 0; j < N; ++j)
      want += A[i * N + j] * x[j];
    near("gemv", i, out[i], want, 1e-12);
  }
  memset(dA, 0, sizeof dA);
  memset(dx, 0, sizeof dx);
  OK(ct_gpu_gemv_adjoint(g, M, N, A, x, w, dA, dx));
  fd("gemv", in_gemv, 0, M * N, dA);
  fd("gemv", in_gemv, 1, N, dx);

  double *in_gemm[4] = {A, B};
  OK(ct_gpu_gemm(g, M, C, K, A, B, out));
  for (int i = 0; i < M * C; ++i) {
    double want = 0;
    for (int p = 0; p < K; ++p)
      want += A[(i / C) * K + p] * B[p * C + i % C];
    near("gemm", i, out[i], want, 1e-12);
  }
  memset(dA, 0, sizeof dA);
  memset(dB, 0, sizeof dB);
  OK(ct_gpu_gemm_adjoint(g, M, C, K, A, B, w, dA, dB));
  fd("gemm", in_gemm, 0, M * K, dA);
  fd("gemm", in_gemm, 1, K * C, dB);

  double *xs = malloc(sizeof(double) * ROWS * COLS), *ys = malloc(sizeof(double) * ROWS * COLS);
  for (int i = 0; i < ROWS * COLS; ++i)
    xs[i] = 3 * sin(0.05 * i) + (i % COLS == 7 ? 40.0 : 0.0); /* a large entry: the max shift matters */
  double *in_rows[4] = {xs};
  OK(ct_gpu_softmax(g, ROWS, COLS, xs, ys));
  for (int r = 0; r < ROWS; ++r) {
    double m = -INFINITY, s = 0;
    for (int j = 0; j < COLS; ++j)
      m = fmax(m, xs[r * COLS + j]);
    for (int j = 0; j < COLS; ++j)
      s += exp(xs[r * COLS + j] - m);
    for (int j = 0; j < COLS; ++j)
      near("softmax", r * COLS + j, ys[r * COLS + j], exp(xs[r * COLS + j] - m) / s, 1e-13);
  }
  memset(dout, 0, sizeof dout);
  OK(ct_gpu_softmax_adjoint(g, ROWS, COLS, ys, w, dout));
  fd("softmax", in_rows, 0, ROWS * COLS, dout);

  double lse[ROWS];
  OK(ct_gpu_logsumexp(g, ROWS, COLS, xs, lse));
  for (int r = 0; r < ROWS; ++r) {
    double m = -INFINITY, s = 0;
    for (int j = 0; j < COLS; ++j)
      m = fmax(m, xs[r * COLS + j]);
    for (int j = 0; j < COLS; ++j)
      s += exp(xs[r * COLS + j] - m);
    near("logsumexp", r, lse[r], m + log(s), 1e-14);
  }
  memset(dout, 0, sizeof dout);
  OK(ct_gpu_logsumexp_adjoint(g, ROWS, COLS, xs, lse, w, dout));
  fd("logsumexp", in_rows, 0, ROWS * COLS, dout);
  free(xs);
  free(ys);
}

int main(int argc, char **argv) {
  int required = argc > 1 && !strcmp(argv[1], "checks");
  ct_gpu *g = ct_gpu_open();
  if (!g) {
    printf("%s\n", ct_gpu_error());
    if (required || strncmp(ct_gpu_error(), "no CUDA device", 14) != 0)
      return 1;
    return 77; /* the message a program without a GPU prints; ctest: skipped */
  }
  run_checks(g);
  ct_gpu_close(g);
  if (failures) {
    fprintf(stderr, "runtime_kernels: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("runtime_kernels: %d checks passed\n", checks);
  return 0;
}
