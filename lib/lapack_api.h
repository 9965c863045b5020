/* The adjoints of LAPACKE's linear solves and factorizations, written once
 * for both element types (lapack.c includes this file twice). Before
 * including, define BT, BX(n) (cblas_dn), LX(n) (LAPACKE_dn), BH(n) (a
 * helper's name), BPB(n) (the pullback of LAPACKE_dn) and BEX(n) (its
 * extent function), TRSM_PB (the pullback of cblas_?trsm) and FX(n) (the
 * Fortran routine, lapack.h's LAPACK_dn).
 *
 * Formulas (A = L L^T for potrf; A = P L U for getrf; X the solution):
 *   solve X = A^-1 B:   B_bar = A^-T X_bar,  A_bar = -B_bar X^T
 *   potrf:  A_bar = L^-T Phi(L^T L_bar) L^-1 (Phi: the lower triangle,
 *           diagonal halved), a stored a_ij (i != j) gets A_bar_ij + A_bar_ji;
 *           computed blockwise as the reverse of the blocked factorization
 *           (potrf_adjoint_lower)
 *   potrs:  L_bar = -(B_bar X^T + X B_bar^T) L (lower triangle, computed as
 *           -(B_bar (L^T X)^T + X (L^T B_bar)^T))
 *   getrf:  A_bar = P L^-T (strict_lower(L^T L_bar) + upper(U_bar U^T)) U^-T
 *   getrs:  L_bar = strict_lower(P^T A_bar U^T), U_bar = upper(L^T P^T A_bar)
 * The factor-level adjoints work on dense column-major n x n copies. */

/* A dense column-major n x n copy of the stored factor of `uplo` as a lower
 * triangle (the transpose of an upper one), zero elsewhere. */
static BT *BH(lower_of)(int L, char uplo, int n, const BT *F, int ld) {
  BT *W = ct_blas_alloc(sizeof(BT), (long)n * n);
  for (int j = 0; j < n; ++j)
    for (int i = j; i < n; ++i)
      W[i + (long)j * n] = uplo == 'L' || uplo == 'l' ? F[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ld)]
                                                      : F[ct_blas_mat_at((CBLAS_LAYOUT)L, j, i, ld)];
  return W;
}

/* The reverse of an unblocked Cholesky on the nb x nb lower triangle D
 * (leading dimension ld) in place on its adjoint W: row by row from the
 * last, the reverse of d = sqrt(a_jj - r.r), c = (a_c - B r) / d, where r
 * is row j left of the diagonal, B the rows below it and c column j below
 * the diagonal. W ends as the adjoint of the lower triangle read. */
static void BH(potrf_adjoint_block)(int nb, const BT *D, BT *W, long ld) {
  for (int j = nb - 1; j >= 0; --j) {
    BT d = D[j + j * ld], *wd = &W[j + j * ld];
    for (int i = j + 1; i < nb; ++i)
      *wd -= D[i + j * ld] * W[i + j * ld] / d;
    *wd /= d;
    for (int i = j + 1; i < nb; ++i)
      W[i + j * ld] /= d;
    for (int k = 0; k < j; ++k) {
      BT t = *wd * D[j + k * ld];
      for (int i = j + 1; i < nb; ++i)
        t += D[i + k * ld] * W[i + j * ld];
      W[j + k * ld] -= t;
    }
    for (int k = 0; k < j; ++k)
      for (int i = j + 1; i < nb; ++i)
        W[i + k * ld] -= W[i + j * ld] * D[j + k * ld];
    *wd /= 2;
  }
}

/* The adjoint of A = L L^T from that of L, both lower, dense column-major
 * n x n, in place on W: block rows from the last, the reverse of
 * D = chol(A_DD - R R^T), C = (A_C - B R^T) D^-T, with R, D, B, C the
 * factor's blocks left of, on, below-left of and below the diagonal block:
 *   C_bar <- C_bar D^-1, B_bar -= C_bar R, D_bar -= tril(C_bar^T C),
 *   D_bar <- the unblocked reverse, R_bar -= C_bar^T B + (D_bar + D_bar^T) R.
 * About 2/3 n^3 flops in level-3 BLAS, twice the factorization (three
 * triangular products and solves with n x n right sides were 3 n^3). */
static void BH(potrf_adjoint_lower)(int n, const BT *Lc, BT *W) {
  enum { NB = 64 };
  BT *T = ct_blas_alloc(sizeof(BT), (long)NB * NB);
  for (int k = (n - 1) / NB * NB; k >= 0; k -= NB) {
    int j = k + NB < n ? k + NB : n, nb = j - k, m = n - j;
    const BT *R = Lc + k, *D = Lc + k + (long)k * n, *B = Lc + j, *C = Lc + j + (long)k * n;
    BT *Rb = W + k, *Db = W + k + (long)k * n, *Bb = W + j, *Cb = W + j + (long)k * n;
    if (m) {
      BX(trsm)(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, m, nb, 1, D, n, Cb, n);
      if (k)
        BX(gemm)(CblasColMajor, CblasNoTrans, CblasNoTrans, m, k, nb, -1, Cb, n, R, n, 1, Bb, n);
      BX(gemm)(CblasColMajor, CblasTrans, CblasNoTrans, nb, nb, m, 1, Cb, n, C, n, 0, T, nb);
      for (int c = 0; c < nb; ++c)
        for (int r = c; r < nb; ++r)
          Db[r + (long)c * n] -= T[r + (long)c * nb];
    }
    BH(potrf_adjoint_block)(nb, D, Db, n);
    if (!k)
      continue;
    if (m)
      BX(gemm)(CblasColMajor, CblasTrans, CblasNoTrans, nb, k, m, -1, Cb, n, B, n, 1, Rb, n);
    for (int c = 0; c < nb; ++c) /* T = D_bar + D_bar^T */
      for (int r = 0; r < nb; ++r)
        T[r + (long)c * nb] = (r >= c ? Db[r + (long)c * n] : 0) + (c >= r ? Db[c + (long)r * n] : 0);
    BX(gemm)(CblasColMajor, CblasNoTrans, CblasNoTrans, nb, k, nb, -1, T, nb, R, n, 1, Rb, n);
  }
  free(T);
}

/* Replaces the stored triangle of dF (the adjoint of the Cholesky factor)
 * with the adjoint of the matrix factored (of the entries potrf reads: the
 * stored triangle). */
static void BH(potrf_adjoint)(int L, char uplo, int n, const BT *F, int lda, BT *dF) {
  BT *Lc = BH(lower_of)(L, uplo, n, F, lda), *W = BH(lower_of)(L, uplo, n, dF, lda);
  BH(potrf_adjoint_lower)(n, Lc, W);
  int lower = uplo == 'L' || uplo == 'l';
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (lower ? j <= i : j >= i)
        dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)] = lower ? W[i + (long)j * n] : W[j + (long)i * n];
  free(Lc);
  free(W);
}

/* B_bar = A^-1 X_bar in dB (in place); adds the factor's adjoint to dF. */
static void BH(potrs_adjoint)(int L, char uplo, int n, int nrhs, const BT *F, int lda, const BT *X, int ldb, BT *dF,
                              BT *dB) {
  LX(potrs)(L, uplo, n, nrhs, F, lda, dB, ldb);
  if (!dF)
    return;
  /* S L = B_bar (L^T X)^T + X (L^T B_bar)^T: two products with the
     triangle on n x nrhs (column-major copies) and a rank-2 nrhs update,
     O(n^2 nrhs) rather than a triangle times a full n x n matrix */
  BT *S = ct_blas_alloc(sizeof(BT), (long)n * n), *Lc = BH(lower_of)(L, uplo, n, F, lda);
  BT *Bc = ct_blas_alloc(sizeof(BT), (long)n * nrhs), *Xc = ct_blas_alloc(sizeof(BT), (long)n * nrhs);
  BT *P = ct_blas_alloc(sizeof(BT), (long)n * nrhs), *Q = ct_blas_alloc(sizeof(BT), (long)n * nrhs);
  for (int j = 0; j < nrhs; ++j)
    for (int i = 0; i < n; ++i) {
      Bc[i + (long)j * n] = P[i + (long)j * n] = dB[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ldb)];
      Xc[i + (long)j * n] = Q[i + (long)j * n] = X[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ldb)];
    }
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, nrhs, 1, Lc, n, Q, n); /* L^T X */
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, nrhs, 1, Lc, n, P, n); /* L^T B_bar */
  BX(gemm)(CblasColMajor, CblasNoTrans, CblasTrans, n, n, nrhs, -1, Bc, n, Q, n, 0, S, n);
  BX(gemm)(CblasColMajor, CblasNoTrans, CblasTrans, n, n, nrhs, -1, Xc, n, P, n, 1, S, n);
  free(Bc), free(Xc), free(P), free(Q);
  int lower = uplo == 'L' || uplo == 'l';
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (lower ? j <= i : j >= i)
        dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)] += lower ? S[i + (long)j * n] : S[j + (long)i * n];
  free(S);
  free(Lc);
}

void BPB(potrf)(int L, char uplo, int n, BT *A, int lda, BT *dA) {
  if (dA)
    BH(potrf_adjoint)(L, uplo, n, A, lda, dA);
}
long BEX(potrf)(int L, char uplo, int n, BT *A, int lda, int k) {
  (void)uplo, (void)A, (void)k;
  return (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda);
}

void BPB(potrs)(int L, char uplo, int n, int nrhs, const BT *A, int lda, BT *B, int ldb, BT *dA, BT *dB) {
  if (dB)
    BH(potrs_adjoint)(L, uplo, n, nrhs, A, lda, B, ldb, dA, dB);
}
long BEX(potrs)(int L, char uplo, int n, int nrhs, const BT *A, int lda, BT *B, int ldb, int k) {
  (void)uplo, (void)A, (void)B;
  return (long)sizeof(BT) * (k == 4 ? ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda)
                                    : ct_blas_mat_len((CBLAS_LAYOUT)L, n, nrhs, ldb));
}

void BPB(posv)(int L, char uplo, int n, int nrhs, BT *A, int lda, BT *B, int ldb, BT *dA, BT *dB) {
  if (dB)
    BH(potrs_adjoint)(L, uplo, n, nrhs, A, lda, B, ldb, dA, dB);
  if (dA)
    BH(potrf_adjoint)(L, uplo, n, A, lda, dA);
}
long BEX(posv)(int L, char uplo, int n, int nrhs, BT *A, int lda, BT *B, int ldb, int k) {
  return BEX(potrs)(L, uplo, n, nrhs, A, lda, B, ldb, k);
}

/* The unit lower and the upper factor of a packed LU, dense column-major. */
static void BH(lu_split)(int L, int n, const BT *F, int lda, BT **Lc, BT **Uc) {
  *Lc = ct_blas_alloc(sizeof(BT), (long)n * n);
  *Uc = ct_blas_alloc(sizeof(BT), (long)n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      BT v = F[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)];
      if (i > j)
        (*Lc)[i + (long)j * n] = v;
      else
        (*Uc)[i + (long)j * n] = v;
      if (i == j)
        (*Lc)[i + (long)j * n] = 1;
    }
}

/* Row interchanges of ipiv (1-based) on a column-major n x n W: forward
 * (P^T W) or backward (P W). */
static void BH(pivot_rows)(int n, const int *ipiv, BT *W, int backward) {
  for (int s = 0; s < n; ++s) {
    int i = backward ? n - 1 - s : s, p = ipiv[i] - 1;
    if (p != i)
      BX(swap)(n, W + i, n, W + p, n);
  }
}

/* Replaces dF (the adjoint of the packed L\U) with the adjoint of A. */
static void BH(getrf_adjoint)(int L, int n, const BT *F, int lda, const int *ipiv, BT *dF) {
  BT *Lc, *Uc, *W1 = ct_blas_alloc(sizeof(BT), (long)n * n), *W2 = ct_blas_alloc(sizeof(BT), (long)n * n);
  BH(lu_split)(L, n, F, lda, &Lc, &Uc);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      (i > j ? W1 : W2)[i + (long)j * n] = dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)];
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasUnit, n, n, 1, Lc, n, W1, n);
  BX(trmm)(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, n, n, 1, Uc, n, W2, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      W1[i + (long)j * n] = i > j ? W1[i + (long)j * n] : W2[i + (long)j * n];
  BX(trsm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasUnit, n, n, 1, Lc, n, W1, n);
  BX(trsm)(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, n, n, 1, Uc, n, W1, n);
  BH(pivot_rows)(n, ipiv, W1, 1);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)] = W1[i + (long)j * n];
  free(Lc), free(Uc), free(W1), free(W2);
}

/* B_bar = op(A)^-T X_bar in dB (in place); adds the factors' adjoints. */
static void BH(getrs_adjoint)(int L, char trans, int n, int nrhs, const BT *F, int lda, const int *ipiv,
                              const BT *X, int ldb, BT *dF, BT *dB) {
  int tr = trans != 'N' && trans != 'n';
  LX(getrs)(L, tr ? 'N' : 'T', n, nrhs, F, lda, ipiv, dB, ldb);
  if (!dF)
    return;
  /* A_bar = -B_bar X^T (N) or -X B_bar^T (T), made column-major */
  BT *Q = ct_blas_alloc(sizeof(BT), (long)n * n), *W = ct_blas_alloc(sizeof(BT), (long)n * n), *Lc, *Uc;
  BT *Bc = ct_blas_alloc(sizeof(BT), (long)n * nrhs), *Xc = ct_blas_alloc(sizeof(BT), (long)n * nrhs);
  for (int j = 0; j < nrhs; ++j)
    for (int i = 0; i < n; ++i) {
      Bc[i + (long)j * n] = dB[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ldb)];
      Xc[i + (long)j * n] = X[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ldb)];
    }
  if (tr)
    BX(gemm)(CblasColMajor, CblasNoTrans, CblasTrans, n, n, nrhs, -1, Xc, n, Bc, n, 0, Q, n);
  else
    BX(gemm)(CblasColMajor, CblasNoTrans, CblasTrans, n, n, nrhs, -1, Bc, n, Xc, n, 0, Q, n);
  BH(pivot_rows)(n, ipiv, Q, 0);
  BH(lu_split)(L, n, F, lda, &Lc, &Uc);
  for (long e = 0; e < (long)n * n; ++e)
    W[e] = Q[e];
  BX(trmm)(CblasColMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, n, n, 1, Uc, n, W, n); /* Q U^T */
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasUnit, n, n, 1, Lc, n, Q, n);     /* L^T Q */
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)] += i > j ? W[i + (long)j * n] : Q[i + (long)j * n];
  free(Q), free(W), free(Lc), free(Uc), free(Bc), free(Xc);
}

void BPB(getrf)(int L, int m, int n, BT *A, int lda, int *ipiv, BT *dA, BT *dipiv) {
  (void)dipiv;
  if (!dA)
    return;
  if (m != n)
    ct_blas_fail("LAPACKE_?getrf", "the derivative of a non-square factorization");
  BH(getrf_adjoint)(L, n, A, lda, ipiv, dA);
}
long BEX(getrf)(int L, int m, int n, BT *A, int lda, int *ipiv, int k) {
  (void)A, (void)ipiv;
  return k == 3 ? (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, m, n, lda)
                : (long)sizeof(int) * (m < n ? m : n);
}

void BPB(getrs)(int L, char trans, int n, int nrhs, const BT *A, int lda, const int *ipiv, BT *B, int ldb, BT *dA,
                BT *dipiv, BT *dB) {
  (void)dipiv;
  if (dB)
    BH(getrs_adjoint)(L, trans, n, nrhs, A, lda, ipiv, B, ldb, dA, dB);
}
long BEX(getrs)(int L, char trans, int n, int nrhs, const BT *A, int lda, const int *ipiv, BT *B, int ldb, int k) {
  (void)trans, (void)A, (void)ipiv, (void)B;
  return k == 4 ? (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda)
         : k == 6 ? (long)sizeof(int) * n
                  : (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, nrhs, ldb);
}

void BPB(gesv)(int L, int n, int nrhs, BT *A, int lda, int *ipiv, BT *B, int ldb, BT *dA, BT *dipiv, BT *dB) {
  (void)dipiv;
  if (dB)
    BH(getrs_adjoint)(L, 'N', n, nrhs, A, lda, ipiv, B, ldb, dA, dB);
  if (dA)
    BH(getrf_adjoint)(L, n, A, lda, ipiv, dA);
}
long BEX(gesv)(int L, int n, int nrhs, BT *A, int lda, int *ipiv, BT *B, int ldb, int k) {
  (void)A, (void)ipiv, (void)B;
  return k == 3 ? (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda)
         : k == 5 ? (long)sizeof(int) * n
                  : (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, nrhs, ldb);
}

/* X = op(A)^-1 B, A triangular: trsm's adjoint from the left with alpha 1 */
void BPB(trtrs)(int L, char uplo, char trans, char diag, int n, int nrhs, const BT *A, int lda, BT *B, int ldb,
                BT *dA, BT *dB) {
  TRSM_PB((CBLAS_LAYOUT)L, CblasLeft, uplo == 'L' || uplo == 'l' ? CblasLower : CblasUpper,
          trans == 'N' || trans == 'n' ? CblasNoTrans : CblasTrans, diag == 'U' || diag == 'u' ? CblasUnit : CblasNonUnit,
          n, nrhs, 1, A, lda, B, ldb, NULL, dA, dB);
}
long BEX(trtrs)(int L, char uplo, char trans, char diag, int n, int nrhs, const BT *A, int lda, BT *B, int ldb,
                int k) {
  (void)uplo, (void)trans, (void)diag, (void)A, (void)B;
  return (long)sizeof(BT) * (k == 6 ? ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda)
                                    : ct_blas_mat_len((CBLAS_LAYOUT)L, n, nrhs, ldb));
}

/* Eigenvalues w and (jobz 'V') eigenvectors V of a symmetric A, A = V
 * diag(w) V^T: A is the old contents (copied before the call). The
 * decomposition is recomputed from it (column-major, syev_again), then
 *   A_bar = V (diag(w_bar) + F o (V^T V_bar)) V^T,  F_ij = 1 / (w_j - w_i)
 * (i != j), which needs distinct eigenvalues where V_bar is used. The
 * eigenvectors are recomputed by the same routine on the same triangle
 * with the same workspace sizes, so their signs are the ones the program
 * saw. */
/* The eigenvectors (in V, dense column-major, from A's stored triangle)
 * and eigenvalues w as the program's call computed them: by the LAPACKE
 * routine, or (lw: its lwork, liwork) the Fortran one with the same
 * workspace sizes, which choose the algorithm's blocking. Returns info. */
static int BH(syev_again)(char uplo, int n, BT *V, BT *w, int divide, const int *lw) {
  if (!lw)
    return divide ? LX(syevd)(LAPACK_COL_MAJOR, 'V', uplo, n, V, n, w) : LX(syev)(LAPACK_COL_MAJOR, 'V', uplo, n, V, n, w);
  int info = 0;
  BT *work = ct_blas_alloc(sizeof(BT), lw[0]);
  if (divide) {
    int *iwork = ct_blas_alloc(sizeof(int), lw[1]);
    FX(syevd)("V", &uplo, &n, V, &n, w, work, &lw[0], iwork, &lw[1], &info);
    free(iwork);
  } else {
    FX(syev)("V", &uplo, &n, V, &n, w, work, &lw[0], &info);
  }
  free(work);
  return info;
}

static void BH(syev_adjoint)(int L, char jobz, char uplo, int n, const BT *A, int lda, const BT *dw, BT *dA,
                             int divide, const int *lw) {
  int vectors = jobz == 'V' || jobz == 'v', lower = uplo == 'L' || uplo == 'l';
  BT *V = ct_blas_alloc(sizeof(BT), (long)n * n), *w = ct_blas_alloc(sizeof(BT), n);
  BT *M = ct_blas_alloc(sizeof(BT), (long)n * n), *T = ct_blas_alloc(sizeof(BT), (long)n * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      int stored = lower ? j <= i : j >= i;
      V[i + (long)j * n] = stored ? A[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)]
                                  : A[ct_blas_mat_at((CBLAS_LAYOUT)L, j, i, lda)];
    }
  /* the call's own routine and triangle: the eigenvectors' signs are those
     the program got */
  if (BH(syev_again)(uplo, n, V, w, divide, vectors ? lw : NULL) != 0)
    ct_blas_fail("LAPACKE_?syev", "the derivative: the eigendecomposition did not converge");
  if (vectors) { /* M = F o (V^T V_bar), V_bar the shadow of the eigenvectors */
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        T[i + (long)j * n] = dA[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)];
    BX(gemm)(CblasColMajor, CblasTrans, CblasNoTrans, n, n, n, 1, V, n, T, n, 0, M, n);
    BT scale = 0;
    for (int i = 0; i < n; ++i)
      scale = fabs(w[i]) > scale ? fabs(w[i]) : scale;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        if (i == j || M[i + (long)j * n] == 0) {
          M[i + (long)j * n] = 0;
          continue;
        }
        BT gap = w[j] - w[i];
        if (fabs(gap) <= 64 * (BT)n * scale * (sizeof(BT) == 4 ? 1.2e-7 : 2.3e-16))
          ct_blas_fail("LAPACKE_?syev", "the derivative of eigenvectors of repeated eigenvalues");
        M[i + (long)j * n] /= gap;
      }
  }
  for (int i = 0; i < n; ++i)
    M[i + (long)i * n] = dw ? dw[i] : 0;
  BX(gemm)(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, V, n, M, n, 0, T, n);
  BX(gemm)(CblasColMajor, CblasNoTrans, CblasTrans, n, n, n, 1, T, n, V, n, 0, M, n); /* A_bar */
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      BT *d = &dA[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)];
      if (lower ? j <= i : j >= i)
        *d = M[i + (long)j * n] + (i != j ? M[j + (long)i * n] : 0);
      else if (vectors) /* overwritten by V, not read */
        *d = 0;
    }
  free(V), free(w), free(M), free(T);
}

void BPB(syev)(int L, char jobz, char uplo, int n, BT *A, int lda, BT *w, BT *dA, BT *dw) {
  (void)w;
  if (dA)
    BH(syev_adjoint)(L, jobz, uplo, n, A, lda, dw, dA, 0, NULL);
  if (dw)
    for (int i = 0; i < n; ++i)
      dw[i] = 0;
}
long BEX(syev)(int L, char jobz, char uplo, int n, BT *A, int lda, BT *w, int k) {
  (void)jobz, (void)uplo, (void)A, (void)w;
  return k == 4 ? (long)sizeof(BT) * ct_blas_mat_len((CBLAS_LAYOUT)L, n, n, lda) : (long)sizeof(BT) * n;
}

void BPB(syevd)(int L, char jobz, char uplo, int n, BT *A, int lda, BT *w, BT *dA, BT *dw) {
  (void)w;
  if (dA)
    BH(syev_adjoint)(L, jobz, uplo, n, A, lda, dw, dA, 1, NULL);
  if (dw)
    for (int i = 0; i < n; ++i)
      dw[i] = 0;
}
long BEX(syevd)(int L, char jobz, char uplo, int n, BT *A, int lda, BT *w, int k) {
  return BEX(syev)(L, jobz, uplo, n, A, lda, w, k);
}
