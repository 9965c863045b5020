/* The Fortran LAPACK symbols as C code calls them: its own prototypes
 * (every argument by address, no hidden string lengths), column-major,
 * integers in local variables, info checked. dpotrf_ + dpotrs_, dposv_,
 * dgetrf_ + dgetrs_ (both transposes, rows pivoted), dgesv_, dtrtrs_,
 * dsyev_ (with a workspace query first) and dsyevd_, spotrf_ + spotrs_:
 * the gradient (reverse mode) of a loss of everything written with respect
 * to every element of A and B (padded leading dimensions, the unreferenced
 * triangle included), against central differences; and the directional
 * derivative (forward mode) of the same loss, against differences. */
#include "fd.h"

#include <cotangent.h>
#include <string.h>

#ifdef LAPACK_TEST_LENGTHS /* lapack_fortran_lengths.c: lapack.h's macros */
#include <lapack.h>
#define F(name) LAPACK_##name
#else
#define F(name) name##_
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info);
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
            int *info);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda, const int *ipiv,
             double *b, const int *ldb, int *info);
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b, const int *ldb,
            int *info);
void dtrtrs_(const char *uplo, const char *trans, const char *diag, const int *n, const int *nrhs, const double *a,
             const int *lda, double *b, const int *ldb, int *info);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
            const int *lwork, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda, float *b,
             const int *ldb, int *info);
#endif

enum { N = 4, NRHS = 2, LDA = N + 2, LDB = N + 1, SA = LDA * N, SB = LDB * NRHS, NCASE = 9 };

/* which: 0 potrf + potrs, 1 posv, 2 getrf + getrs N then T, 3 gesv, 4
 * trtrs, 5 syev, 6 syevd, 7 spotrf + spotrs, 8 potrf upper (+ potrs) */
static double fortran_loss(const double *A0, const double *B0, int which) {
  double *A = malloc(SA * sizeof *A), *B = malloc(SB * sizeof *B), w[N] = {0}, s = 0;
  memcpy(A, A0, SA * sizeof *A);
  memcpy(B, B0, SB * sizeof *B);
  int n = N, nrhs = NRHS, lda = LDA, ldb = LDB, info = 0, ipiv[N];
  switch (which) {
  case 0:
  case 8: {
    const char *uplo = which ? "U" : "L";
    F(dpotrf)(uplo, &n, A, &lda, &info);
    if (info == 0)
      F(dpotrs)(uplo, &n, &nrhs, A, &lda, B, &ldb, &info);
    break;
  }
  case 1:
    F(dposv)("U", &n, &nrhs, A, &lda, B, &ldb, &info);
    break;
  case 2:
    F(dgetrf)(&n, &n, A, &lda, ipiv, &info);
    F(dgetrs)("N", &n, &nrhs, A, &lda, ipiv, B, &ldb, &info);
    F(dgetrs)("T", &n, &nrhs, A, &lda, ipiv, B, &ldb, &info);
    break;
  case 3:
    F(dgesv)(&n, &nrhs, A, &lda, ipiv, B, &ldb, &info);
    break;
  case 4:
    F(dtrtrs)("U", "T", "N", &n, &nrhs, A, &lda, B, &ldb, &info);
    break;
  case 5: { /* the usual two calls: the workspace size, then the work */
    double q;
    int lwork = -1;
    F(dsyev)("V", "L", &n, A, &lda, w, &q, &lwork, &info);
    lwork = (int)q;
    double *work = malloc((size_t)lwork * sizeof *work);
    F(dsyev)("V", "L", &n, A, &lda, w, work, &lwork, &info);
    free(work);
    break;
  }
  case 6: {
    double work[2 * N * N + 6 * N + 1];
    int iwork[5 * N + 3], lwork = 2 * N * N + 6 * N + 1, liwork = 5 * N + 3;
    F(dsyevd)("V", "U", &n, A, &lda, w, work, &lwork, iwork, &liwork, &info);
    break;
  }
  default: {
    float fa[SA], fb[SB];
    for (int i = 0; i < SA; ++i)
      fa[i] = (float)A[i];
    for (int i = 0; i < SB; ++i)
      fb[i] = (float)B[i];
    F(spotrf)("L", &n, fa, &lda, &info);
    F(spotrs)("L", &n, &nrhs, fa, &lda, fb, &ldb, &info);
    for (int i = 0; i < SA; ++i)
      A[i] = fa[i];
    for (int i = 0; i < SB; ++i)
      B[i] = fb[i];
  }
  }
  if (which == 5 || which == 6) /* eigenvectors: through terms their signs do not change */
    for (int i = 0; i < SA; ++i)
      A[i] *= A[i];
  if (info != 0)
    s = 1e10; /* a failure must show */
  s += fd_out_loss(A, SA) * 0.5 + fd_out_loss(B, SB) + fd_out_loss(w, N);
  free(A);
  free(B);
  return s;
}

typedef struct {
  double *A, *B;
  int which;
} cfg;
static double eval(void *p) {
  cfg *c = p;
  return fortran_loss(c->A, c->B, c->which);
}

static void setup(cfg *c, int which) {
  c->which = which;
  fd_fill(c->A, SA, 71), fd_fill(c->B, SB, 72);
  if (which <= 1 || which >= 5) /* symmetric (positive definite) */
    for (int j = 0; j < N; ++j)
      for (int i = 0; i < j; ++i)
        c->A[i + j * LDA] = c->A[j + i * LDA];
  for (int i = 0; i < N; ++i)
    if (which == 2 || which == 3) /* dominant on the anti-diagonal: rows get pivoted */
      c->A[i + (N - 1 - i) * LDA] += N + 2;
    else if (which == 5 || which == 6) /* distinct eigenvalues */
      c->A[i + i * LDA] += 2.5 * i;
    else
      c->A[i + i * LDA] += N + 2;
}

static const char *const names[NCASE] = {"dpotrf_+dpotrs_", "dposv_", "dgetrf_+dgetrs_", "dgesv_", "dtrtrs_",
                                         "dsyev_",          "dsyevd_", "spotrf_+spotrs_", "dpotrf_ U"};

static void test_reverse(int which) {
  double A[SA], B[SB], dA[SA] = {0}, dB[SB] = {0};
  cfg c = {A, B, 0};
  setup(&c, which);
  fd_inputs in = {.narr = 2, .arr = {A, B}, .grad = {dA, dB}, .size = {SA, SB}};
  ct_gradient(fortran_loss, A, dA, B, dB, which);
  if (which != 7) {
    fd_check(names[which], eval, &c, &in, 1e-6);
    return;
  }
  /* float: against the double program's gradient (case 0, checked above) */
  double gA[SA] = {0}, gB[SB] = {0};
  ct_gradient(fortran_loss, A, gA, B, gB, 0);
  for (int i = 0; i < SA; ++i)
    CHECK_SCALED(dA[i], gA[i], 1 + fabs(gA[i]), 1e-3);
  for (int i = 0; i < SB; ++i)
    CHECK_SCALED(dB[i], gB[i], 1 + fabs(gB[i]), 1e-3);
}

static void test_forward(int which) {
  double A[SA], B[SB], dA[SA], dB[SB], wa[SA], wb[SB], f[4], h = which == 7 ? 1e-2 : 1e-4;
  cfg c = {A, B, 0};
  setup(&c, which);
  fd_fill(dA, SA, 81 + (unsigned)which), fd_fill(dB, SB, 91 + (unsigned)which);
  double got = ct_derivative(fortran_loss, A, dA, B, dB, which);
  for (int s = 0; s < 4; ++s) {
    double t = (s < 2 ? s - 2 : s - 1) * h;
    for (int i = 0; i < SA; ++i)
      wa[i] = A[i] + t * dA[i];
    for (int i = 0; i < SB; ++i)
      wb[i] = B[i] + t * dB[i];
    f[s] = fortran_loss(wa, wb, which);
  }
  double want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h);
  ++check_count;
  if (!(fabs(got - want) <= (which == 7 ? 2e-3 : 1e-7) * fmax(1.0, fabs(want)))) {
    ++check_failures;
    fprintf(stderr, "FAILED forward %s: got %.12g, want %.12g\n", names[which], got, want);
  }
}

int main(void) {
  for (int which = 0; which < NCASE; ++which) {
    test_reverse(which);
    test_forward(which);
  }
  #ifdef LAPACK_TEST_LENGTHS
  return check_summary("lapack fortran, hidden string lengths");
#else
  return check_summary("lapack fortran");
#endif
}
