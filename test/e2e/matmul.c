/* Matrix product C = A B (n = 16) and loss = sum(C .* W):
 *   dA = W B^T,  dB = A^T W,  dW = C.
 * Variants: ijk with a scalar accumulator and a loss returned; ikj with
 * read-modify-write accumulation into a caller-provided C (duplicated, its
 * shadow holds the seed W, consumed by the call) through 2-D array
 * parameters; the same product with A and B aliasing (C = A A). */
#include "check.h"

/* analytic references: 1e-10 relative leaves room for a different summation order */
#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern void __enzyme_autodiff_void(void *, ...);
extern double __enzyme_autodiff_sq(void *, ...);

#define N 16

static double matmul_loss(const double *A, const double *B, const double *W, int n) {
  double loss = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double c = 0.0;
      for (int k = 0; k < n; ++k)
        c += A[i * n + k] * B[k * n + j];
      loss += c * W[i * n + j];
    }
  return loss;
}

static void matmul_ikj(const double (*A)[N], const double (*B)[N], double (*C)[N], int n) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      C[i][j] = 0.0;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      double a = A[i][k];
      for (int j = 0; j < n; ++j)
        C[i][j] += a * B[k][j];
    }
}

static double square_loss(const double *A, const double *W, int n) { return matmul_loss(A, A, W, n); }

static double A[N * N], B[N * N], W[N * N], C[N][N];
static double dA[N * N], dB[N * N], dW[N * N], dC[N][N];

static void zero(double *a, int n) {
  for (int i = 0; i < n; ++i)
    a[i] = 0.0;
}

/* reference: dA = S B^T, dB = A^T S for a seed S */
static double ref_dA(const double *S, const double *Bm, int i, int k) {
  double s = 0.0;
  for (int j = 0; j < N; ++j)
    s += S[i * N + j] * Bm[k * N + j];
  return s;
}
static double ref_dB(const double *Am, const double *S, int k, int j) {
  double s = 0.0;
  for (int i = 0; i < N; ++i)
    s += Am[i * N + k] * S[i * N + j];
  return s;
}

int main(void) {
  for (int i = 0; i < N * N; ++i) {
    A[i] = sin(0.3 * i + 0.1);
    B[i] = cos(0.17 * i) - 0.2;
    W[i] = 0.01 * (i % 37) - 0.15;
  }

  zero(dA, N * N);
  zero(dB, N * N);
  __enzyme_autodiff((void *)matmul_loss, A, dA, B, dB, enzyme_const, W, N);
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < N; ++k) {
      CHECK_AT("dA", i * N + k, dA[i * N + k], ref_dA(W, B, i, k));
      CHECK_AT("dB", i * N + k, dB[i * N + k], ref_dB(A, W, i, k));
    }

  /* W active as well: dW = C */
  zero(dA, N * N);
  zero(dB, N * N);
  zero(dW, N * N);
  __enzyme_autodiff((void *)matmul_loss, A, dA, enzyme_const, B, W, dW, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double c = 0.0;
      for (int k = 0; k < N; ++k)
        c += A[i * N + k] * B[k * N + j];
      CHECK_AT("dW", i * N + j, dW[i * N + j], c);
      CHECK_AT("dA (B const)", i * N + j, dA[i * N + j], ref_dA(W, B, i, j));
    }

  /* output with the seed in its shadow */
  zero(dA, N * N);
  zero(dB, N * N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      dC[i][j] = W[i * N + j];
      C[i][j] = 123.0; /* overwritten by the function */
    }
  __enzyme_autodiff_void((void *)matmul_ikj, A, dA, B, dB, C, dC, N);
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < N; ++k) {
      CHECK_AT("ikj dA", i * N + k, dA[i * N + k], ref_dA(W, B, i, k));
      CHECK_AT("ikj dB", i * N + k, dB[i * N + k], ref_dB(A, W, i, k));
      CHECK(dC[i][k] == 0.0);
    }
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double c = 0.0;
      for (int k = 0; k < N; ++k)
        c += A[i * N + k] * B[k * N + j];
      CHECK_AT("ikj C", i * N + j, C[i][j], c);
    }

  /* aliasing: loss(A A), dA = W A^T + A^T W */
  zero(dA, N * N);
  __enzyme_autodiff_sq((void *)square_loss, A, dA, enzyme_const, W, N);
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < N; ++k)
      CHECK_TOL(dA[i * N + k], ref_dA(W, A, i, k) + ref_dB(A, W, i, k), 1e-11);

  /* a smaller n in the same storage layout (n = 5 uses the first 25 entries) */
  zero(dA, N * N);
  zero(dB, N * N);
  __enzyme_autodiff((void *)matmul_loss, A, dA, B, dB, enzyme_const, W, 5);
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 5; ++k) {
      double sa = 0.0, sb = 0.0;
      for (int j = 0; j < 5; ++j) {
        sa += W[i * 5 + j] * B[k * 5 + j];
        sb += A[j * 5 + i] * W[j * 5 + k];
      }
      CHECK_AT("n=5 dA", i * 5 + k, dA[i * 5 + k], sa);
      CHECK_AT("n=5 dB", i * 5 + k, dB[i * 5 + k], sb);
    }
  for (int i = 25; i < N * N; ++i)
    if (!CHECK(dA[i] == 0.0 && dB[i] == 0.0))
      break;
  return check_summary("matmul");
}
