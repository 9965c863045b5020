/* The tangents (forward mode) of LAPACKE's factorizations, solves and
 * symmetric eigenproblems, written once for both element types: lapack.c
 * includes this file after lapack_api.h (whose helpers it uses), with BT,
 * BX, LX, BH as there and
 *   LFW(n)    the name of the forward derivative (__ct_blas_fwd_LAPACKE_dpotrf)
 *   LI2       the { value; tangent; } pair of lapack_int (ct_lapack_i2)
 *
 * A forward derivative takes the routine's arguments, each array followed
 * by its shadow (NULL when constant: a zero tangent), as the BLAS ones do
 * (blas_forward_api.h). It runs the routine, then replaces the tangent of
 * each input the routine overwrote with that of the output, computed with
 * BLAS/LAPACK calls on the factors the routine left:
 *   potrf  A = L L^T:   dL = L Phi(L^-1 dA L^-T) (Phi: the lower triangle,
 *                       diagonal halved; dA symmetric from the stored triangle)
 *   getrf  A = P L U:   M = L^-1 P^T dA U^-1, dL = L strict_lower(M),
 *                       dU = upper(M) U
 *   solves X = op(A)^-1 B:  dX = op(A)^-1 (dB - op(dA) X), dA from the
 *                       factors' tangents (dL L^T + L dL^T; P (dL U + L dU))
 *   syev   A = V diag(w) V^T:  M = V^T dA V, dw_i = M_ii,
 *                       dV = V (F o M), F_ij = 1 / (w_j - w_i) (i != j)
 * Where the routine fails (info != 0) the tangents are left as they were.
 * The result's tangent (of info, an integer) is 0. */

/* A dense column-major r x c copy of the r x c matrix X (layout L). */
static BT *BH(to_col)(int L, int r, int c, const BT *X, int ld) {
  BT *W = ct_blas_alloc(sizeof(BT), (long)r * c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i)
      W[i + (long)j * r] = X[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ld)];
  return W;
}

/* X = the dense column-major r x c W, in layout L. */
static void BH(from_col)(int L, int r, int c, const BT *W, BT *X, int ld) {
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i)
      X[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ld)] = W[i + (long)j * r];
}

/* The symmetric n x n matrix whose `uplo` triangle S stores, dense
 * column-major. */
static BT *BH(sym_of)(int L, char uplo, int n, const BT *S, int ld) {
  int lower = uplo == 'L' || uplo == 'l';
  BT *W = ct_blas_alloc(sizeof(BT), (long)n * n);
  for (int j = 0; j < n; ++j)
    for (int i = j; i < n; ++i) {
      BT v = lower ? S[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, ld)] : S[ct_blas_mat_at((CBLAS_LAYOUT)L, j, i, ld)];
      W[i + (long)j * n] = W[j + (long)i * n] = v;
    }
  return W;
}

/* dF: the tangent of A's stored triangle on entry, of the Cholesky factor
 * F (the routine's output) on return. */
static void BH(potrf_tangent)(int L, char uplo, int n, const BT *F, int lda, BT *dF) {
  BT *Lc = BH(lower_of)(L, uplo, n, F, lda), *S = BH(lower_of)(L, uplo, n, dF, lda);
  /* the lower triangle of L^-1 S L^-T, S symmetric with the lower triangle
     given (?sygst: n^3 flops, half of two triangular solves) */
  if (LX(sygst)(LAPACK_COL_MAJOR, 1, 'L', n, S, n, Lc, n) != 0)
    ct_blas_fail("LAPACKE_?potrf", "the tangent (?sygst failed)");
  for (int j = 0; j < n; ++j) /* Phi */
    for (int i = 0; i <= j; ++i)
      S[i + (long)j * n] = i == j ? S[i + (long)j * n] / 2 : 0;
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, n, n, 1, Lc, n, S, n);
  int lower = uplo == 'L' || uplo == 'l';
  for (int j = 0; j < n; ++j)
    for (int i = j; i < n; ++i)
      dF[lower ? ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda) : ct_blas_mat_at((CBLAS_LAYOUT)L, j, i, lda)] =
          S[i + (long)j * n];
  free(Lc), free(S);
}

/* dB: the tangent of B on entry, of X = A^-1 B (in B) on return, with
 * A = L L^T from the factor F and its tangent dF (NULL: constant). */
static void BH(potrs_tangent)(int L, char uplo, int n, int nrhs, const BT *F, int lda, const BT *dF, const BT *X,
                              int ldb, BT *dB) {
  if (dF) { /* dB -= (dL L^T + L dL^T) X */
    BT *Lc = BH(lower_of)(L, uplo, n, F, lda), *dLc = BH(lower_of)(L, uplo, n, dF, lda);
    BT *P = BH(to_col)(L, n, nrhs, X, ldb), *Q = BH(to_col)(L, n, nrhs, X, ldb), *R = BH(to_col)(L, n, nrhs, dB, ldb);
    BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, nrhs, 1, Lc, n, P, n);
    BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, n, nrhs, 1, dLc, n, P, n);
    BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, nrhs, 1, dLc, n, Q, n);
    BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, n, nrhs, 1, Lc, n, Q, n);
    for (long e = 0; e < (long)n * nrhs; ++e)
      R[e] -= P[e] + Q[e];
    BH(from_col)(L, n, nrhs, R, dB, ldb);
    free(Lc), free(dLc), free(P), free(Q), free(R);
  }
  LX(potrs)(L, uplo, n, nrhs, F, lda, dB, ldb);
}

/* dF: the tangent of A on entry, of the packed L\U factors F on return. */
static void BH(getrf_tangent)(int L, int n, const BT *F, int lda, const int *ipiv, BT *dF) {
  BT *Lc, *Uc, *M = BH(to_col)(L, n, n, dF, lda), *Lo = ct_blas_alloc(sizeof(BT), (long)n * n);
  BH(lu_split)(L, n, F, lda, &Lc, &Uc);
  BH(pivot_rows)(n, ipiv, M, 0); /* P^T dA */
  BX(trsm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, n, n, 1, Lc, n, M, n);
  BX(trsm)(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, Uc, n, M, n);
  for (int j = 0; j < n; ++j)
    for (int i = j + 1; i < n; ++i)
      Lo[i + (long)j * n] = M[i + (long)j * n], M[i + (long)j * n] = 0;
  BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, n, n, 1, Lc, n, Lo, n);   /* dL */
  BX(trmm)(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, Uc, n, M, n); /* dU */
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      dF[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)] = i > j ? Lo[i + (long)j * n] : M[i + (long)j * n];
  free(Lc), free(Uc), free(M), free(Lo);
}

/* dB: the tangent of B on entry, of X = op(A)^-1 B (in B) on return, with
 * A = P L U from the packed factors F, ipiv and their tangent dF (NULL:
 * constant). */
static void BH(getrs_tangent)(int L, char trans, int n, int nrhs, const BT *F, int lda, const int *ipiv,
                              const BT *dF, const BT *X, int ldb, BT *dB) {
  if (dF) { /* dB -= op(P (dL U + L dU)) X */
    BT *Lc, *Uc, *dLc, *dUc;
    BH(lu_split)(L, n, F, lda, &Lc, &Uc);
    BH(lu_split)(L, n, dF, lda, &dLc, &dUc);
    for (int i = 0; i < n; ++i)
      dLc[i + (long)i * n] = 0;
    BX(trmm)(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, Uc, n, dLc, n);
    BX(trmm)(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, n, n, 1, Lc, n, dUc, n);
    for (long e = 0; e < (long)n * n; ++e)
      dLc[e] += dUc[e];
    BH(pivot_rows)(n, ipiv, dLc, 1);
    BT *Xc = BH(to_col)(L, n, nrhs, X, ldb), *R = BH(to_col)(L, n, nrhs, dB, ldb);
    BX(gemm)(CblasColMajor, trans == 'N' || trans == 'n' ? CblasNoTrans : CblasTrans, CblasNoTrans, n, nrhs, n, -1,
             dLc, n, Xc, n, 1, R, n);
    BH(from_col)(L, n, nrhs, R, dB, ldb);
    free(Lc), free(Uc), free(dLc), free(dUc), free(Xc), free(R);
  }
  LX(getrs)(L, trans, n, nrhs, F, lda, ipiv, dB, ldb);
}

/* dB: the tangent of B on entry, of X = op(A)^-1 B (in B) on return, A
 * triangular with tangent dA (its triangle; NULL: constant). */
static void BH(trtrs_tangent)(int L, char uplo, char trans, char diag, int n, int nrhs, const BT *A, const BT *dA,
                              int lda, const BT *X, int ldb, BT *dB) {
  if (dA) { /* dB -= op(tri(dA)) X */
    int lower = uplo == 'L' || uplo == 'l', unit = diag == 'U' || diag == 'u';
    BT *T = ct_blas_alloc(sizeof(BT), (long)n * n), *Xc = BH(to_col)(L, n, nrhs, X, ldb);
    BT *R = BH(to_col)(L, n, nrhs, dB, ldb);
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        if ((lower ? i > j : i < j) || (i == j && !unit))
          T[i + (long)j * n] = dA[ct_blas_mat_at((CBLAS_LAYOUT)L, i, j, lda)];
    BX(gemm)(CblasColMajor, trans == 'N' || trans == 'n' ? CblasNoTrans : CblasTrans, CblasNoTrans, n, nrhs, n, -1,
             T, n, Xc, n, 1, R, n);
    BH(from_col)(L, n, nrhs, R, dB, ldb);
    free(T), free(Xc), free(R);
  }
  LX(trtrs)(L, uplo, trans, diag, n, nrhs, A, lda, dB, ldb);
}

/* The tangents of w and (dV non-NULL) V = the eigenvectors, from the dense
 * column-major eigenvectors Vc and eigenvalues w of A and the symmetric
 * tangent S of A (dense column-major, overwritten). dV is in layout L. */
static void BH(syev_tangent)(int L, int n, const BT *Vc, const BT *w, BT *S, BT *dw, BT *dV, int lda) {
  BT *T = ct_blas_alloc(sizeof(BT), (long)n * n);
  BX(gemm)(CblasColMajor, CblasTrans, CblasNoTrans, n, n, n, 1, Vc, n, S, n, 0, T, n);
  BX(gemm)(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, T, n, Vc, n, 0, S, n); /* M = V^T dA V */
  if (dw)
    for (int i = 0; i < n; ++i)
      dw[i] = S[i + (long)i * n];
  if (dV) {
    BT scale = 0;
    for (int i = 0; i < n; ++i)
      scale = fabs(w[i]) > scale ? fabs(w[i]) : scale;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        BT *m = &S[i + (long)j * n], gap = w[j] - w[i];
        if (i == j || *m == 0) {
          *m = 0;
          continue;
        }
        if (fabs(gap) <= 64 * (BT)n * scale * (sizeof(BT) == 4 ? 1.2e-7 : 2.3e-16))
          ct_blas_fail("LAPACKE_?syev", "the tangent of eigenvectors of repeated eigenvalues");
        *m /= gap;
      }
    BX(gemm)(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, Vc, n, S, n, 0, T, n);
    BH(from_col)(L, n, n, T, dV, lda);
  }
  free(T);
}

/* ---- LAPACKE ---- */

LI2 LFW(potrf)(int L, char uplo, int n, BT *A, BT *dA, int lda) {
  LI2 r = {LX(potrf)(L, uplo, n, A, lda), 0};
  if (dA && r.v == 0)
    BH(potrf_tangent)(L, uplo, n, A, lda, dA);
  return r;
}

LI2 LFW(potrs)(int L, char uplo, int n, int nrhs, const BT *A, const BT *dA, int lda, BT *B, BT *dB, int ldb) {
  LI2 r = {LX(potrs)(L, uplo, n, nrhs, A, lda, B, ldb), 0};
  if (dB && r.v == 0)
    BH(potrs_tangent)(L, uplo, n, nrhs, A, lda, dA, B, ldb, dB);
  return r;
}

LI2 LFW(posv)(int L, char uplo, int n, int nrhs, BT *A, BT *dA, int lda, BT *B, BT *dB, int ldb) {
  LI2 r = {LX(posv)(L, uplo, n, nrhs, A, lda, B, ldb), 0};
  if (r.v != 0)
    return r;
  if (dA)
    BH(potrf_tangent)(L, uplo, n, A, lda, dA);
  if (dB)
    BH(potrs_tangent)(L, uplo, n, nrhs, A, lda, dA, B, ldb, dB);
  return r;
}

LI2 LFW(getrf)(int L, int m, int n, BT *A, BT *dA, int lda, int *ipiv, int *dipiv) {
  (void)dipiv;
  LI2 r = {LX(getrf)(L, m, n, A, lda, ipiv), 0};
  if (dA && m != n)
    ct_blas_fail("LAPACKE_?getrf", "the tangent of a non-square factorization");
  if (dA && r.v == 0)
    BH(getrf_tangent)(L, n, A, lda, ipiv, dA);
  return r;
}

LI2 LFW(getrs)(int L, char trans, int n, int nrhs, const BT *A, const BT *dA, int lda, const int *ipiv,
               const int *dipiv, BT *B, BT *dB, int ldb) {
  (void)dipiv;
  LI2 r = {LX(getrs)(L, trans, n, nrhs, A, lda, ipiv, B, ldb), 0};
  if (dB && r.v == 0)
    BH(getrs_tangent)(L, trans, n, nrhs, A, lda, ipiv, dA, B, ldb, dB);
  return r;
}

LI2 LFW(gesv)(int L, int n, int nrhs, BT *A, BT *dA, int lda, int *ipiv, int *dipiv, BT *B, BT *dB, int ldb) {
  (void)dipiv;
  LI2 r = {LX(gesv)(L, n, nrhs, A, lda, ipiv, B, ldb), 0};
  if (r.v != 0)
    return r;
  if (dA)
    BH(getrf_tangent)(L, n, A, lda, ipiv, dA);
  if (dB)
    BH(getrs_tangent)(L, 'N', n, nrhs, A, lda, ipiv, dA, B, ldb, dB);
  return r;
}

LI2 LFW(trtrs)(int L, char uplo, char trans, char diag, int n, int nrhs, const BT *A, const BT *dA, int lda, BT *B,
               BT *dB, int ldb) {
  LI2 r = {LX(trtrs)(L, uplo, trans, diag, n, nrhs, A, lda, B, ldb), 0};
  if (dB && r.v == 0)
    BH(trtrs_tangent)(L, uplo, trans, diag, n, nrhs, A, dA, lda, B, ldb, dB);
  return r;
}

/* syev and syevd: jobz 'N' destroys A, so the eigenvectors the tangent of
 * w needs are computed from a copy before the call (returned, with their
 * eigenvalues in *wc); with 'V' they are the output. */
static BT *BH(syev_before)(int L, char jobz, char uplo, int n, const BT *A, const BT *dA, int lda, const BT *dw,
                           int divide, BT **wc) {
  *wc = NULL;
  if (!dA || !dw || jobz == 'V' || jobz == 'v')
    return NULL;
  BT *Vc = BH(sym_of)(L, uplo, n, A, lda);
  *wc = ct_blas_alloc(sizeof(BT), n);
  if ((divide ? LX(syevd)(LAPACK_COL_MAJOR, 'V', uplo, n, Vc, n, *wc)
              : LX(syev)(LAPACK_COL_MAJOR, 'V', uplo, n, Vc, n, *wc)) != 0)
    free(Vc), free(*wc), Vc = NULL, *wc = NULL;
  return Vc;
}

/* After the call (info its result): the tangents of w and V from Vc, wc
 * (syev_before's, freed here) or the output. */
static void BH(syev_after)(int L, char jobz, char uplo, int n, const BT *A, const BT *dA, int lda, const BT *w,
                           BT *dw, BT *Vc, BT *wc, int info) {
  int vectors = jobz == 'V' || jobz == 'v';
  if (info == 0 && dA && (dw || vectors)) {
    if (vectors)
      Vc = BH(to_col)(L, n, n, A, lda);
    if (Vc) {
      BT *S = BH(sym_of)(L, uplo, n, dA, lda);
      BH(syev_tangent)(L, n, Vc, vectors ? w : wc, S, dw, vectors ? (BT *)dA : NULL, lda);
      free(S);
    }
  } else if (info == 0 && dw) { /* a constant A */
    for (int i = 0; i < n; ++i)
      dw[i] = 0;
  }
  free(Vc), free(wc);
}

static int BH(syev_forward)(int L, char jobz, char uplo, int n, BT *A, BT *dA, int lda, BT *w, BT *dw, int divide) {
  BT *wc, *Vc = BH(syev_before)(L, jobz, uplo, n, A, dA, lda, dw, divide, &wc);
  int info = divide ? LX(syevd)(L, jobz, uplo, n, A, lda, w) : LX(syev)(L, jobz, uplo, n, A, lda, w);
  BH(syev_after)(L, jobz, uplo, n, A, dA, lda, w, dw, Vc, wc, info);
  return info;
}

LI2 LFW(syev)(int L, char jobz, char uplo, int n, BT *A, BT *dA, int lda, BT *w, BT *dw) {
  LI2 r = {BH(syev_forward)(L, jobz, uplo, n, A, dA, lda, w, dw, 0), 0};
  return r;
}

LI2 LFW(syevd)(int L, char jobz, char uplo, int n, BT *A, BT *dA, int lda, BT *w, BT *dw) {
  LI2 r = {BH(syev_forward)(L, jobz, uplo, n, A, dA, lda, w, dw, 1), 0};
  return r;
}
