/* LAPACKE_dsyev and dsyevd: the gradient of a loss of the eigenvalues and
 * (jobz 'V') of the eigenvectors, through sign-invariant terms (v_k . u)^2,
 * with respect to every element of A's buffer (the unreferenced triangle
 * and the padding get 0), against central differences, for both layouts,
 * both triangles and both jobz. A's eigenvalues are distinct. And an
 * eigenvector loss at a repeated eigenvalue stops the program (SIGABRT,
 * with a message) instead of returning NaN or a wrong gradient. */
#define _POSIX_C_SOURCE 200809L
#include "fd.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cotangent.h>
#include <lapacke.h>
#include <string.h>

enum { N = 4, LDA = 6 };

static double eig_loss(const double *A0, int L, char jobz, char uplo, int divide) {
  double *A = malloc(N * LDA * sizeof *A), w[N], s = 0;
  memcpy(A, A0, N * LDA * sizeof *A);
  if (divide)
    LAPACKE_dsyevd(L, jobz, uplo, N, A, LDA, w);
  else
    LAPACKE_dsyev(L, jobz, uplo, N, A, LDA, w);
  for (int i = 0; i < N; ++i)
    s += (1 + 0.3 * i) * w[i] + 0.1 * w[i] * w[i];
  if (jobz == 'V')
    for (int k = 0; k < N; ++k) { /* column k of V: (i, k) */
      double d = 0;
      for (int i = 0; i < N; ++i)
        d += A[L == LAPACK_ROW_MAJOR ? i * LDA + k : i + k * LDA] * (1 + 0.5 * i);
      s += (0.5 + k) * d * d;
    }
  free(A);
  return s;
}

typedef struct {
  double *A;
  int L, divide;
  char jobz, uplo;
} cfg;
static double eval(void *p) {
  cfg *c = p;
  return eig_loss(c->A, c->L, c->jobz, c->uplo, c->divide);
}

/* depends on an eigenvector of the repeated eigenvalue 1 of diag(1, 1, 2) */
static double repeated_loss(const double *A0) {
  double A[9], w[3];
  memcpy(A, A0, sizeof A);
  LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'L', 3, A, 3, w);
  return A[1] + w[0];
}

static void test_repeated(void) {
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    double A[9] = {1, 0, 0, 0, 1, 0, 0, 0, 2}, dA[9] = {0};
    close(2); /* the expected message */
    ct_gradient(repeated_loss, A, dA);
    _exit(0);
  }
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void) {
  test_repeated();
  static const int layouts[2] = {LAPACK_ROW_MAJOR, LAPACK_COL_MAJOR};
  for (int l = 0; l < 2; ++l)
    for (int u = 0; u < 2; ++u)
      for (int j = 0; j < 2; ++j)
        for (int d = 0; d < 2; ++d) {
          double A[N * LDA], dA[N * LDA] = {0};
          fd_fill(A, N * LDA, 101);
          for (int i = 0; i < N; ++i) {
            for (int k = 0; k < i; ++k)
              A[i * LDA + k] = A[k * LDA + i];
            A[i * LDA + i] += 1.5 * i; /* spread the eigenvalues */
          }
          cfg c = {A, layouts[l], d, j ? 'V' : 'N', u ? 'L' : 'U'};
          ct_gradient(eig_loss, A, dA, c.L, c.jobz, c.uplo, d);
          fd_inputs in = {.narr = 1, .arr = {A}, .grad = {dA}, .size = {N * LDA}};
          char what[64];
          snprintf(what, sizeof what, "%s layout %d uplo %c jobz %c", d ? "dsyevd" : "dsyev", c.L, c.uplo, c.jobz);
          fd_check(what, eval, &c, &in, 1e-6);
        }
  return check_summary("eigen");
}
