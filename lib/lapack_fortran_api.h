/* The Fortran LAPACK symbols C code calls directly (dpotrf_, dgesv_, ...:
 * column-major, every argument by address, no hidden string lengths), for
 * both element types: lapack.c includes this file after lapack_api.h and
 * lapack_forward_api.h, with their macros and
 *   FX(n)     the Fortran routine (LAPACK_dpotrf, lapack.h's macro for dpotrf_)
 *
 * Each routine gets a pullback (the LAPACKE one's, on the column-major
 * layout; the shadow of every argument follows, as for ?gemm_), an extent
 * function (the bytes of each argument: a character, an integer, or the
 * array) and a forward derivative (the routine itself, then the tangents
 * of lapack_forward_api.h). A workspace query (lwork = -1) computes
 * nothing and gets no derivative; the adjoint of ?syev_ recomputes the
 * eigenvectors with the call's own workspace sizes (their signs). */

#define CT_COL LAPACK_COL_MAJOR

void BPB(potrf_f)(const char *uplo, const int *n, BT *A, const int *lda, int *info, BT *d0, BT *d1, BT *dA, BT *d3,
                  BT *d4) {
  (void)info, (void)d0, (void)d1, (void)d3, (void)d4;
  BPB(potrf)(CT_COL, *uplo, *n, A, *lda, dA);
}
long BEX(potrf_f)(const char *uplo, const int *n, BT *A, const int *lda, int *info, int k) {
  (void)uplo, (void)A, (void)info;
  return k == 0 ? 1 : k == 2 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda) : (long)sizeof(int);
}
void LFW(potrf_f)(const char *uplo, const char *d0, const int *n, const int *d1, BT *A, BT *dA, const int *lda,
                  const int *d3, int *info, int *d4) {
  (void)d0, (void)d1, (void)d3, (void)d4;
  FX(potrf)(uplo, n, A, lda, info);
  if (dA && *info == 0)
    BH(potrf_tangent)(CT_COL, *uplo, *n, A, *lda, dA);
}

void BPB(potrs_f)(const char *uplo, const int *n, const int *nrhs, const BT *A, const int *lda, BT *B,
                  const int *ldb, int *info, BT *d0, BT *d1, BT *d2, BT *dA, BT *d4, BT *dB, BT *d6, BT *d7) {
  (void)info, (void)d0, (void)d1, (void)d2, (void)d4, (void)d6, (void)d7;
  BPB(potrs)(CT_COL, *uplo, *n, *nrhs, A, *lda, B, *ldb, dA, dB);
}
long BEX(potrs_f)(const char *uplo, const int *n, const int *nrhs, const BT *A, const int *lda, BT *B,
                  const int *ldb, int *info, int k) {
  (void)uplo, (void)A, (void)B, (void)info;
  return k == 0   ? 1
         : k == 3 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 5 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *nrhs, *ldb)
                  : (long)sizeof(int);
}
void LFW(potrs_f)(const char *uplo, const char *d0, const int *n, const int *d1, const int *nrhs, const int *d2,
                  const BT *A, const BT *dA, const int *lda, const int *d4, BT *B, BT *dB, const int *ldb,
                  const int *d6, int *info, int *d7) {
  (void)d0, (void)d1, (void)d2, (void)d4, (void)d6, (void)d7;
  FX(potrs)(uplo, n, nrhs, A, lda, B, ldb, info);
  if (dB && *info == 0)
    BH(potrs_tangent)(CT_COL, *uplo, *n, *nrhs, A, *lda, dA, B, *ldb, dB);
}

void BPB(posv_f)(const char *uplo, const int *n, const int *nrhs, BT *A, const int *lda, BT *B, const int *ldb,
                 int *info, BT *d0, BT *d1, BT *d2, BT *dA, BT *d4, BT *dB, BT *d6, BT *d7) {
  (void)info, (void)d0, (void)d1, (void)d2, (void)d4, (void)d6, (void)d7;
  BPB(posv)(CT_COL, *uplo, *n, *nrhs, A, *lda, B, *ldb, dA, dB);
}
long BEX(posv_f)(const char *uplo, const int *n, const int *nrhs, BT *A, const int *lda, BT *B, const int *ldb,
                 int *info, int k) {
  return BEX(potrs_f)(uplo, n, nrhs, A, lda, B, ldb, info, k);
}
void LFW(posv_f)(const char *uplo, const char *d0, const int *n, const int *d1, const int *nrhs, const int *d2, BT *A,
                 BT *dA, const int *lda, const int *d4, BT *B, BT *dB, const int *ldb, const int *d6, int *info,
                 int *d7) {
  (void)d0, (void)d1, (void)d2, (void)d4, (void)d6, (void)d7;
  FX(posv)(uplo, n, nrhs, A, lda, B, ldb, info);
  if (*info != 0)
    return;
  if (dA)
    BH(potrf_tangent)(CT_COL, *uplo, *n, A, *lda, dA);
  if (dB)
    BH(potrs_tangent)(CT_COL, *uplo, *n, *nrhs, A, *lda, dA, B, *ldb, dB);
}

void BPB(getrf_f)(const int *m, const int *n, BT *A, const int *lda, int *ipiv, int *info, BT *d0, BT *d1, BT *dA,
                  BT *d3, BT *d4, BT *d5) {
  (void)info, (void)d0, (void)d1, (void)d3, (void)d4, (void)d5;
  BPB(getrf)(CT_COL, *m, *n, A, *lda, ipiv, dA, NULL);
}
long BEX(getrf_f)(const int *m, const int *n, BT *A, const int *lda, int *ipiv, int *info, int k) {
  (void)A, (void)ipiv, (void)info;
  return k == 2   ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *m, *n, *lda)
         : k == 4 ? (long)sizeof(int) * (*m < *n ? *m : *n)
                  : (long)sizeof(int);
}
void LFW(getrf_f)(const int *m, const int *d0, const int *n, const int *d1, BT *A, BT *dA, const int *lda,
                  const int *d3, int *ipiv, int *d4, int *info, int *d5) {
  (void)d0, (void)d1, (void)d3, (void)d4, (void)d5;
  FX(getrf)(m, n, A, lda, ipiv, info);
  if (dA && *m != *n)
    ct_blas_fail("?getrf_", "the tangent of a non-square factorization");
  if (dA && *info == 0)
    BH(getrf_tangent)(CT_COL, *n, A, *lda, ipiv, dA);
}

void BPB(getrs_f)(const char *trans, const int *n, const int *nrhs, const BT *A, const int *lda, const int *ipiv,
                  BT *B, const int *ldb, int *info, BT *d0, BT *d1, BT *d2, BT *dA, BT *d4, BT *d5, BT *dB, BT *d7,
                  BT *d8) {
  (void)info, (void)d0, (void)d1, (void)d2, (void)d4, (void)d5, (void)d7, (void)d8;
  BPB(getrs)(CT_COL, *trans, *n, *nrhs, A, *lda, ipiv, B, *ldb, dA, NULL, dB);
}
long BEX(getrs_f)(const char *trans, const int *n, const int *nrhs, const BT *A, const int *lda, const int *ipiv,
                  BT *B, const int *ldb, int *info, int k) {
  (void)trans, (void)A, (void)ipiv, (void)B, (void)info;
  return k == 0   ? 1
         : k == 3 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 5 ? (long)sizeof(int) * *n
         : k == 6 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *nrhs, *ldb)
                  : (long)sizeof(int);
}
void LFW(getrs_f)(const char *trans, const char *d0, const int *n, const int *d1, const int *nrhs, const int *d2,
                  const BT *A, const BT *dA, const int *lda, const int *d4, const int *ipiv, const int *d5, BT *B,
                  BT *dB, const int *ldb, const int *d7, int *info, int *d8) {
  (void)d0, (void)d1, (void)d2, (void)d4, (void)d5, (void)d7, (void)d8;
  FX(getrs)(trans, n, nrhs, A, lda, ipiv, B, ldb, info);
  if (dB && *info == 0)
    BH(getrs_tangent)(CT_COL, *trans, *n, *nrhs, A, *lda, ipiv, dA, B, *ldb, dB);
}

void BPB(gesv_f)(const int *n, const int *nrhs, BT *A, const int *lda, int *ipiv, BT *B, const int *ldb, int *info,
                 BT *d0, BT *d1, BT *dA, BT *d3, BT *d4, BT *dB, BT *d6, BT *d7) {
  (void)info, (void)d0, (void)d1, (void)d3, (void)d4, (void)d6, (void)d7;
  BPB(gesv)(CT_COL, *n, *nrhs, A, *lda, ipiv, B, *ldb, dA, NULL, dB);
}
long BEX(gesv_f)(const int *n, const int *nrhs, BT *A, const int *lda, int *ipiv, BT *B, const int *ldb, int *info,
                 int k) {
  (void)A, (void)ipiv, (void)B, (void)info;
  return k == 2   ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 4 ? (long)sizeof(int) * *n
         : k == 5 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *nrhs, *ldb)
                  : (long)sizeof(int);
}
void LFW(gesv_f)(const int *n, const int *d0, const int *nrhs, const int *d1, BT *A, BT *dA, const int *lda,
                 const int *d3, int *ipiv, int *d4, BT *B, BT *dB, const int *ldb, const int *d6, int *info,
      int *d7) {
  (void)d0, (void)d1, (void)d3, (void)d4, (void)d6, (void)d7;
  FX(gesv)(n, nrhs, A, lda, ipiv, B, ldb, info);
  if (*info != 0)
    return;
  if (dA)
    BH(getrf_tangent)(CT_COL, *n, A, *lda, ipiv, dA);
  if (dB)
    BH(getrs_tangent)(CT_COL, 'N', *n, *nrhs, A, *lda, ipiv, dA, B, *ldb, dB);
}

void BPB(trtrs_f)(const char *uplo, const char *trans, const char *diag, const int *n, const int *nrhs, const BT *A,
                  const int *lda, BT *B, const int *ldb, int *info, BT *d0, BT *d1, BT *d2, BT *d3, BT *d4, BT *dA,
                  BT *d6, BT *dB, BT *d8, BT *d9) {
  (void)info, (void)d0, (void)d1, (void)d2, (void)d3, (void)d4, (void)d6, (void)d8, (void)d9;
  BPB(trtrs)(CT_COL, *uplo, *trans, *diag, *n, *nrhs, A, *lda, B, *ldb, dA, dB);
}
long BEX(trtrs_f)(const char *uplo, const char *trans, const char *diag, const int *n, const int *nrhs, const BT *A,
                  const int *lda, BT *B, const int *ldb, int *info, int k) {
  (void)uplo, (void)trans, (void)diag, (void)A, (void)B, (void)info;
  return k <= 2   ? 1
         : k == 5 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 7 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *nrhs, *ldb)
                  : (long)sizeof(int);
}
void LFW(trtrs_f)(const char *uplo, const char *d0, const char *trans, const char *d1, const char *diag,
                  const char *d2, const int *n, const int *d3, const int *nrhs, const int *d4, const BT *A,
                  const BT *dA, const int *lda, const int *d6, BT *B, BT *dB, const int *ldb, const int *d8,
      int *info,
                  int *d9) {
  (void)d0, (void)d1, (void)d2, (void)d3, (void)d4, (void)d6, (void)d8, (void)d9;
  FX(trtrs)(uplo, trans, diag, n, nrhs, A, lda, B, ldb, info);
  if (dB && *info == 0)
    BH(trtrs_tangent)(CT_COL, *uplo, *trans, *diag, *n, *nrhs, A, dA, *lda, B, *ldb, dB);
}

/* syev_ and syevd_: the workspace arrays are written (their shadows
 * cleared by the pullback); the eigenproblem is the LAPACKE one's */
static void BH(clear)(BT *d, long n) {
  for (long i = 0; d && i < n; ++i)
    d[i] = 0;
}
void BPB(syev_f)(const char *jobz, const char *uplo, const int *n, BT *A, const int *lda, BT *w, BT *work,
                 const int *lwork, int *info, BT *d0, BT *d1, BT *d2, BT *dA, BT *d4, BT *dw, BT *dwork, BT *d7,
                 BT *d8) {
  (void)info, (void)w, (void)d0, (void)d1, (void)d2, (void)d4, (void)work, (void)d7, (void)d8;
  if (*lwork == -1)
    return;
  BH(clear)(dwork, *lwork);
  if (dA)
    BH(syev_adjoint)(CT_COL, *jobz, *uplo, *n, A, *lda, dw, dA, 0, lwork);
  BH(clear)(dw, *n);
}
long BEX(syev_f)(const char *jobz, const char *uplo, const int *n, BT *A, const int *lda, BT *w, BT *work,
                 const int *lwork, int *info, int k) {
  (void)jobz, (void)uplo, (void)A, (void)w, (void)work, (void)info;
  return k <= 1   ? 1
         : k == 3 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 5 ? (long)sizeof(BT) * *n
         : k == 6 ? (long)sizeof(BT) * (*lwork > 1 ? *lwork : 1)
                  : (long)sizeof(int);
}
void LFW(syev_f)(const char *jobz, const char *d0, const char *uplo, const char *d1, const int *n, const int *d2,
                 BT *A, BT *dA, const int *lda, const int *d4, BT *w, BT *dw, BT *work, BT *dwork, const int *lwork,
                 const int *d7, int *info, int *d8) {
  (void)d0, (void)d1, (void)d2, (void)d4, (void)d7, (void)d8;
  BT *wc = NULL, *Vc = *lwork == -1 ? NULL : BH(syev_before)(CT_COL, *jobz, *uplo, *n, A, dA, *lda, dw, 0, &wc);
  FX(syev)(jobz, uplo, n, A, lda, w, work, lwork, info);
  if (*lwork == -1)
    return;
  BH(syev_after)(CT_COL, *jobz, *uplo, *n, A, dA, *lda, w, dw, Vc, wc, *info);
  BH(clear)(dwork, *lwork);
}

void BPB(syevd_f)(const char *jobz, const char *uplo, const int *n, BT *A, const int *lda, BT *w, BT *work,
                  const int *lwork, int *iwork, const int *liwork, int *info, BT *d0, BT *d1, BT *d2, BT *dA, BT *d4,
                  BT *dw, BT *dwork, BT *d7, BT *d8, BT *d9, BT *d10) {
  (void)info, (void)w, (void)d0, (void)d1, (void)d2, (void)d4, (void)work, (void)iwork, (void)d7, (void)d8,
      (void)d9, (void)d10;
  if (*lwork == -1 || *liwork == -1)
    return;
  BH(clear)(dwork, *lwork);
  const int lw[2] = {*lwork, *liwork};
  if (dA)
    BH(syev_adjoint)(CT_COL, *jobz, *uplo, *n, A, *lda, dw, dA, 1, lw);
  BH(clear)(dw, *n);
}
long BEX(syevd_f)(const char *jobz, const char *uplo, const int *n, BT *A, const int *lda, BT *w, BT *work,
                  const int *lwork, int *iwork, const int *liwork, int *info, int k) {
  (void)jobz, (void)uplo, (void)A, (void)w, (void)work, (void)iwork, (void)info;
  return k <= 1   ? 1
         : k == 3 ? (long)sizeof(BT) * ct_blas_mat_len(CblasColMajor, *n, *n, *lda)
         : k == 5 ? (long)sizeof(BT) * *n
         : k == 6 ? (long)sizeof(BT) * (*lwork > 1 ? *lwork : 1)
         : k == 8 ? (long)sizeof(int) * (*liwork > 1 ? *liwork : 1)
                  : (long)sizeof(int);
}
void LFW(syevd_f)(const char *jobz, const char *d0, const char *uplo, const char *d1, const int *n, const int *d2,
                  BT *A, BT *dA, const int *lda, const int *d4, BT *w, BT *dw, BT *work, BT *dwork, const int *lwork,
                  const int *d7, int *iwork, int *d8, const int *liwork, const int *d9, int *info, int *d10) {
  (void)d0, (void)d1, (void)d2, (void)d4, (void)d7, (void)d8, (void)d9, (void)d10;
  int query = *lwork == -1 || *liwork == -1;
  BT *wc = NULL, *Vc = query ? NULL : BH(syev_before)(CT_COL, *jobz, *uplo, *n, A, dA, *lda, dw, 1, &wc);
  FX(syevd)(jobz, uplo, n, A, lda, w, work, lwork, iwork, liwork, info);
  if (query)
    return;
  BH(syev_after)(CT_COL, *jobz, *uplo, *n, A, dA, *lda, w, dw, Vc, wc, *info);
  BH(clear)(dwork, *lwork);
}

/* ---- with the hidden string lengths (lapack.h's LAPACK_dpotrf macros) ----
 * The same functions, the lengths (never read: each is one character)
 * after the arguments; every argument is a pointer, of any type here. */
void BPB(potrf_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, size_t l0, void *s0, void *s1, void *s2,
    void *s3, void *s4) {
  (void)l0;
  BPB(potrf_f)(a0, a1, a2, a3, a4, s0, s1, s2, s3, s4);
}
long BEX(potrf_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, size_t l0, int k) {
  (void)l0;
  return BEX(potrf_f)(a0, a1, a2, a3, a4, k);
}
void LFW(potrf_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    size_t l0) {
  (void)l0;
  LFW(potrf_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4);
}
void BPB(potrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, size_t l0,
    void *s0, void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7) {
  (void)l0;
  BPB(potrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, s0, s1, s2, s3, s4, s5, s6, s7);
}
long BEX(potrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, size_t l0, int k) {
  (void)l0;
  return BEX(potrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, k);
}
void LFW(potrs_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, size_t l0) {
  (void)l0;
  LFW(potrs_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7);
}
void BPB(posv_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, size_t l0, void *s0,
    void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7) {
  (void)l0;
  BPB(posv_f)(a0, a1, a2, a3, a4, a5, a6, a7, s0, s1, s2, s3, s4, s5, s6, s7);
}
long BEX(posv_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, size_t l0, int k) {
  (void)l0;
  return BEX(posv_f)(a0, a1, a2, a3, a4, a5, a6, a7, k);
}
void LFW(posv_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, size_t l0) {
  (void)l0;
  LFW(posv_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7);
}
void BPB(getrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8,
    size_t l0, void *s0, void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7, void *s8) {
  (void)l0;
  BPB(getrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, s0, s1, s2, s3, s4, s5, s6, s7, s8);
}
long BEX(getrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8,
    size_t l0, int k) {
  (void)l0;
  return BEX(getrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, k);
}
void LFW(getrs_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, void *a8, void *s8, size_t l0) {
  (void)l0;
  LFW(getrs_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7, a8, s8);
}
void BPB(trtrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, void *a9,
    size_t l0, size_t l1, size_t l2, void *s0, void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7,
    void *s8, void *s9) {
  (void)l0, (void)l1, (void)l2;
  BPB(trtrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9);
}
long BEX(trtrs_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, void *a9,
    size_t l0, size_t l1, size_t l2, int k) {
  (void)l0, (void)l1, (void)l2;
  return BEX(trtrs_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, k);
}
void LFW(trtrs_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, void *a8, void *s8, void *a9, void *s9, size_t l0,
    size_t l1, size_t l2) {
  (void)l0, (void)l1, (void)l2;
  LFW(trtrs_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7, a8, s8, a9, s9);
}
void BPB(syev_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, size_t l0,
    size_t l1, void *s0, void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7, void *s8) {
  (void)l0, (void)l1;
  BPB(syev_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, s0, s1, s2, s3, s4, s5, s6, s7, s8);
}
long BEX(syev_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, size_t l0,
    size_t l1, int k) {
  (void)l0, (void)l1;
  return BEX(syev_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, k);
}
void LFW(syev_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, void *a8, void *s8, size_t l0, size_t l1) {
  (void)l0, (void)l1;
  LFW(syev_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7, a8, s8);
}
void BPB(syevd_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, void *a9,
    void *a10, size_t l0, size_t l1, void *s0, void *s1, void *s2, void *s3, void *s4, void *s5, void *s6, void *s7,
    void *s8, void *s9, void *s10) {
  (void)l0, (void)l1;
  BPB(syevd_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10);
}
long BEX(syevd_fl)(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, void *a9,
    void *a10, size_t l0, size_t l1, int k) {
  (void)l0, (void)l1;
  return BEX(syevd_f)(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, k);
}
void LFW(syevd_fl)(void *a0, void *s0, void *a1, void *s1, void *a2, void *s2, void *a3, void *s3, void *a4, void *s4,
    void *a5, void *s5, void *a6, void *s6, void *a7, void *s7, void *a8, void *s8, void *a9, void *s9, void *a10,
    void *s10, size_t l0, size_t l1) {
  (void)l0, (void)l1;
  LFW(syevd_f)(a0, s0, a1, s1, a2, s2, a3, s3, a4, s4, a5, s5, a6, s6, a7, s7, a8, s8, a9, s9, a10, s10);
}

#undef CT_COL
