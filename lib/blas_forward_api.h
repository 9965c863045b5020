/* The tangents (forward mode) of CBLAS routines, written once for both
 * element types: blas.c includes this file after blas_api.h (whose helpers
 * it uses), with BT, BX, BH as there and
 *   BFW(n)    the name of the forward derivative (__ct_blas_fwd_cblas_dgemm)
 *   BT2       the { value; tangent; } pair of the type (ct_blas_d2)
 *
 * A forward derivative takes the routine's arguments, each floating-point
 * scalar followed by its tangent (0 when constant) and each array by its
 * shadow (NULL when constant: a zero tangent), as a registered forward
 * derivative does (__enzyme_register_derivative_f, pass/tangent_calls.c).
 * It runs the routine and leaves the tangent of what the routine writes in
 * that array's shadow; a routine with a result returns { result; tangent }.
 * The tangent of an array written in place is computed before the call
 * where it needs the old contents (scal, rot, beta C), after it where it
 * needs the new ones (trsv, trsm). The tangents are BLAS calls too. */

/* ---- level 1 ---- */

BT2 BFW(dot)(int n, const BT *x, const BT *dx, int incx, const BT *y, const BT *dy, int incy) {
  BT2 r = {BX(dot)(n, x, incx, y, incy), 0};
  if (dx)
    r.d += BX(dot)(n, dx, incx, y, incy);
  if (dy)
    r.d += BX(dot)(n, x, incx, dy, incy);
  return r;
}

void BFW(axpy)(int n, BT a, BT da, const BT *x, const BT *dx, int incx, BT *y, BT *dy, int incy) {
  if (dy) {
    if (dx)
      BX(axpy)(n, a, dx, incx, dy, incy);
    if (da != 0)
      BX(axpy)(n, da, x, incx, dy, incy);
  }
  BX(axpy)(n, a, x, incx, y, incy);
}

void BFW(scal)(int n, BT a, BT da, BT *x, BT *dx, int incx) {
  if (dx && incx > 0) { /* BLAS leaves x alone for a stride <= 0 */
    BH(vscale)(dx, n, incx, a);
    if (da != 0)
      BX(axpy)(n, da, x, incx, dx, incx);
  }
  BX(scal)(n, a, x, incx);
}

BT2 BFW(nrm2)(int n, const BT *x, const BT *dx, int incx) {
  BT2 r = {BX(nrm2)(n, x, incx), 0};
  if (dx && r.v > 0 && incx > 0)
    r.d = BX(dot)(n, x, incx, dx, incx) / r.v;
  return r;
}

BT2 BFW(asum)(int n, const BT *x, const BT *dx, int incx) {
  BT2 r = {BX(asum)(n, x, incx), 0};
  if (dx && incx > 0)
    for (long i = 0; i < n; ++i)
      r.d += x[i * incx] > 0 ? dx[i * incx] : x[i * incx] < 0 ? -dx[i * incx] : 0;
  return r;
}

void BFW(copy)(int n, const BT *x, const BT *dx, int incx, BT *y, BT *dy, int incy) {
  if (dy) {
    if (dx)
      BX(copy)(n, dx, incx, dy, incy);
    else
      BH(vzero)(dy, n, incy);
  }
  BX(copy)(n, x, incx, y, incy);
}

void BFW(swap)(int n, BT *x, BT *dx, int incx, BT *y, BT *dy, int incy) {
  if (dx && dy)
    BX(swap)(n, dx, incx, dy, incy);
  else if (dx) /* x's new values come from a constant y */
    BH(vzero)(dx, n, incx);
  else if (dy)
    BH(vzero)(dy, n, incy);
  BX(swap)(n, x, incx, y, incy);
}

/* x' = c x + s y, y' = c y - s x */
void BFW(rot)(int n, BT *x, BT *dx, int incx, BT *y, BT *dy, int incy, BT c, BT dc, BT s, BT ds) {
  for (long i = 0; i < n; ++i) {
    long ix = ct_blas_vec_at(i, n, incx), iy = ct_blas_vec_at(i, n, incy);
    BT tx = dx ? dx[ix] : 0, ty = dy ? dy[iy] : 0;
    if (dx)
      dx[ix] = c * tx + s * ty + dc * x[ix] + ds * y[iy];
    if (dy)
      dy[iy] = c * ty - s * tx + dc * y[iy] - ds * x[ix];
  }
  BX(rot)(n, x, incx, y, incy, c, s);
}

/* ---- level 2 ---- */

/* dy = beta dy + dbeta y (y the old output), before the routine runs */
static void BH(fwd_beta)(int n, BT *y, BT *dy, int incy, BT beta, BT dbeta) {
  BH(vscale)(dy, n, incy, beta);
  if (dbeta != 0)
    BX(axpy)(n, dbeta, y, incy, dy, incy);
}

void BFW(gemv)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE t, int m, int n, BT alpha, BT dalpha, const BT *A, const BT *dA,
               int lda, const BT *x, const BT *dx, int incx, BT beta, BT dbeta, BT *y, BT *dy, int incy) {
  if (dy) {
    int ny = ct_blas_trans(t) ? n : m;
    BH(fwd_beta)(ny, y, dy, incy, beta, dbeta);
    if (dA)
      BX(gemv)(L, t, m, n, alpha, dA, lda, x, incx, 1, dy, incy);
    if (dx)
      BX(gemv)(L, t, m, n, alpha, A, lda, dx, incx, 1, dy, incy);
    if (dalpha != 0)
      BX(gemv)(L, t, m, n, dalpha, A, lda, x, incx, 1, dy, incy);
  }
  BX(gemv)(L, t, m, n, alpha, A, lda, x, incx, beta, y, incy);
}

void BFW(symv)(CBLAS_LAYOUT L, CBLAS_UPLO u, int n, BT alpha, BT dalpha, const BT *A, const BT *dA, int lda,
               const BT *x, const BT *dx, int incx, BT beta, BT dbeta, BT *y, BT *dy, int incy) {
  if (dy) {
    BH(fwd_beta)(n, y, dy, incy, beta, dbeta);
    if (dA)
      BX(symv)(L, u, n, alpha, dA, lda, x, incx, 1, dy, incy);
    if (dx)
      BX(symv)(L, u, n, alpha, A, lda, dx, incx, 1, dy, incy);
    if (dalpha != 0)
      BX(symv)(L, u, n, dalpha, A, lda, x, incx, 1, dy, incy);
  }
  BX(symv)(L, u, n, alpha, A, lda, x, incx, beta, y, incy);
}

/* dx += op(tri(dA)) x, the diagonal of dA left out when the triangle's is
 * a unit one (x unchanged) */
static void BH(fwd_trmv_add)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *dA,
                              int lda, const BT *x, int incx, BT *dx) {
  BT *w = ct_blas_alloc(sizeof(BT), n);
  BX(copy)(n, x, incx, w, 1);
  BX(trmv)(L, u, t, d, n, dA, lda, w, 1);
  if (d == CblasUnit)
    BX(axpy)(n, -1, x, incx, w, 1);
  BX(axpy)(n, 1, w, 1, dx, incx);
  free(w);
}

void BFW(trmv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, const BT *dA,
               int lda, BT *x, BT *dx, int incx) {
  if (dx) { /* dx' = op(A) dx + op(dA) x */
    BX(trmv)(L, u, t, d, n, A, lda, dx, incx);
    if (dA)
      BH(fwd_trmv_add)(L, u, t, d, n, dA, lda, x, incx, dx);
  }
  BX(trmv)(L, u, t, d, n, A, lda, x, incx);
}

void BFW(trsv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, const BT *dA,
               int lda, BT *x, BT *dx, int incx) {
  BX(trsv)(L, u, t, d, n, A, lda, x, incx);
  if (dx) { /* dx' = op(A)^-1 (dx - op(dA) x') */
    if (dA) {
      BX(scal)(n, -1, dx, incx < 0 ? -incx : incx);
      BH(fwd_trmv_add)(L, u, t, d, n, dA, lda, x, incx, dx);
      BX(scal)(n, -1, dx, incx < 0 ? -incx : incx);
    }
    BX(trsv)(L, u, t, d, n, A, lda, dx, incx);
  }
}

void BFW(ger)(CBLAS_LAYOUT L, int m, int n, BT alpha, BT dalpha, const BT *x, const BT *dx, int incx, const BT *y,
              const BT *dy, int incy, BT *A, BT *dA, int lda) {
  if (dA) {
    if (dx)
      BX(ger)(L, m, n, alpha, dx, incx, y, incy, dA, lda);
    if (dy)
      BX(ger)(L, m, n, alpha, x, incx, dy, incy, dA, lda);
    if (dalpha != 0)
      BX(ger)(L, m, n, dalpha, x, incx, y, incy, dA, lda);
  }
  BX(ger)(L, m, n, alpha, x, incx, y, incy, A, lda);
}

/* ---- level 3 ---- */

/* dC = beta dC + dbeta C over the m x n block (C the old output) */
static void BH(fwd_mbeta)(CBLAS_LAYOUT L, int m, int n, const BT *C, BT *dC, int ldc, BT beta, BT dbeta) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      long at = ct_blas_mat_at(L, i, j, ldc);
      dC[at] = (beta == 0 ? 0 : beta * dC[at]) + dbeta * C[at];
    }
}

void BFW(gemm)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, BT alpha, BT dalpha,
               const BT *A, const BT *dA, int lda, const BT *B, const BT *dB, int ldb, BT beta, BT dbeta, BT *C,
               BT *dC, int ldc) {
  if (dC) {
    BH(fwd_mbeta)(L, m, n, C, dC, ldc, beta, dbeta);
    if (dA)
      BX(gemm)(L, ta, tb, m, n, k, alpha, dA, lda, B, ldb, 1, dC, ldc);
    if (dB)
      BX(gemm)(L, ta, tb, m, n, k, alpha, A, lda, dB, ldb, 1, dC, ldc);
    if (dalpha != 0)
      BX(gemm)(L, ta, tb, m, n, k, dalpha, A, lda, B, ldb, 1, dC, ldc);
  }
  BX(gemm)(L, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void BFW(symm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, int m, int n, BT alpha, BT dalpha, const BT *A,
               const BT *dA, int lda, const BT *B, const BT *dB, int ldb, BT beta, BT dbeta, BT *C, BT *dC, int ldc) {
  if (dC) {
    BH(fwd_mbeta)(L, m, n, C, dC, ldc, beta, dbeta);
    if (dA)
      BX(symm)(L, s, u, m, n, alpha, dA, lda, B, ldb, 1, dC, ldc);
    if (dB)
      BX(symm)(L, s, u, m, n, alpha, A, lda, dB, ldb, 1, dC, ldc);
    if (dalpha != 0)
      BX(symm)(L, s, u, m, n, dalpha, A, lda, B, ldb, 1, dC, ldc);
  }
  BX(symm)(L, s, u, m, n, alpha, A, lda, B, ldb, beta, C, ldc);
}

void BFW(syrk)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, int n, int k, BT alpha, BT dalpha, const BT *A,
               const BT *dA, int lda, BT beta, BT dbeta, BT *C, BT *dC, int ldc) {
  if (dC) { /* the triangle of u only, as syrk writes */
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (u == CblasLower ? j <= i : j >= i) {
          long at = ct_blas_mat_at(L, i, j, ldc);
          dC[at] = (beta == 0 ? 0 : beta * dC[at]) + dbeta * C[at];
        }
    if (dA) /* alpha (op(dA) op(A)^T + op(A) op(dA)^T) */
      BX(syr2k)(L, u, t, n, k, alpha, dA, lda, A, lda, 1, dC, ldc);
    if (dalpha != 0)
      BX(syrk)(L, u, t, n, k, dalpha, A, lda, 1, dC, ldc);
  }
  BX(syrk)(L, u, t, n, k, alpha, A, lda, beta, C, ldc);
}

/* A dense copy (layout L, leading dimension of its own) of the m x n B */
static BT *BH(fwd_mcopy)(CBLAS_LAYOUT L, int m, int n, const BT *B, int ldb, int *ldw) {
  *ldw = L == CblasRowMajor ? (n > 0 ? n : 1) : (m > 0 ? m : 1);
  BT *W = ct_blas_alloc(sizeof(BT), (long)m * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      W[ct_blas_mat_at(L, i, j, *ldw)] = B[ct_blas_mat_at(L, i, j, ldb)];
  return W;
}

/* dB += s op(tri(dA)) B (left) or s B op(tri(dA)) (right), the diagonal of
 * dA left out for a unit triangle */
static void BH(fwd_trmm_add)(CBLAS_LAYOUT L, CBLAS_SIDE sd, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m,
                              int n, BT s, const BT *dA, int lda, const BT *B, int ldb, BT *dB) {
  int ldw;
  BT *W = BH(fwd_mcopy)(L, m, n, B, ldb, &ldw);
  BX(trmm)(L, sd, u, t, d, m, n, s, dA, lda, W, ldw);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      long at = ct_blas_mat_at(L, i, j, ldb);
      dB[at] += W[ct_blas_mat_at(L, i, j, ldw)] - (d == CblasUnit ? s * B[at] : 0);
    }
  free(W);
}

void BFW(trmm)(CBLAS_LAYOUT L, CBLAS_SIDE sd, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               BT dalpha, const BT *A, const BT *dA, int lda, BT *B, BT *dB, int ldb) {
  if (dB) { /* dB' = alpha op(A) dB + alpha op(dA) B + dalpha op(A) B */
    BT *old = NULL;
    int ldo = 0;
    if (dA || dalpha != 0)
      old = BH(fwd_mcopy)(L, m, n, B, ldb, &ldo);
    BX(trmm)(L, sd, u, t, d, m, n, alpha, A, lda, dB, ldb);
    if (dA)
      BH(fwd_trmm_add)(L, sd, u, t, d, m, n, alpha, dA, lda, old, ldo, dB);
    if (dalpha != 0) {
      BX(trmm)(L, sd, u, t, d, m, n, dalpha, A, lda, old, ldo);
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j)
          dB[ct_blas_mat_at(L, i, j, ldb)] += old[ct_blas_mat_at(L, i, j, ldo)];
    }
    free(old);
  }
  BX(trmm)(L, sd, u, t, d, m, n, alpha, A, lda, B, ldb);
}

void BFW(trsm)(CBLAS_LAYOUT L, CBLAS_SIDE sd, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               BT dalpha, const BT *A, const BT *dA, int lda, BT *B, BT *dB, int ldb) {
  /* X = alpha op(A)^-1 B: dX = op(A)^-1 (alpha dB + dalpha B - op(dA) X) (left; right alike) */
  if (dB && dalpha != 0)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        long at = ct_blas_mat_at(L, i, j, ldb);
        dB[at] = alpha * dB[at] + dalpha * B[at];
      }
  else if (dB)
    BH(mscale)(L, m, n, dB, ldb, alpha);
  BX(trsm)(L, sd, u, t, d, m, n, alpha, A, lda, B, ldb);
  if (!dB)
    return;
  if (dA)
    BH(fwd_trmm_add)(L, sd, u, t, d, m, n, -1, dA, lda, B, ldb, dB);
  BX(trsm)(L, sd, u, t, d, m, n, 1, A, lda, dB, ldb);
}

/* Fortran ?gemm_: every argument by address, each followed by its shadow */
void BFW(gemm_f)(const char *ta, const char *dta, const char *tb, const char *dtb, const int *m, const int *dm,
                 const int *n, const int *dn, const int *k, const int *dk, const BT *alpha, const BT *dalpha,
                 const BT *A, const BT *dA, const int *lda, const int *dlda, const BT *B, const BT *dB,
                 const int *ldb, const int *dldb, const BT *beta, const BT *dbeta, BT *C, BT *dC, const int *ldc,
                 const int *dldc) {
  (void)dta, (void)dtb, (void)dm, (void)dn, (void)dk, (void)dlda, (void)dldb, (void)dldc;
  BFW(gemm)(CblasColMajor, ct_blas_trans_char(*ta), ct_blas_trans_char(*tb), *m, *n, *k, *alpha,
            dalpha ? *dalpha : 0, A, dA, *lda, B, dB, *ldb, *beta, dbeta ? *dbeta : 0, C, dC, *ldc);
}
/* the same with gfortran's hidden string lengths (not shadowed) */
void BFW(gemm_fl)(const char *ta, const char *dta, const char *tb, const char *dtb, const int *m, const int *dm,
                  const int *n, const int *dn, const int *k, const int *dk, const BT *alpha, const BT *dalpha,
                  const BT *A, const BT *dA, const int *lda, const int *dlda, const BT *B, const BT *dB,
                  const int *ldb, const int *dldb, const BT *beta, const BT *dbeta, BT *C, BT *dC, const int *ldc,
                  const int *dldc, size_t l0, size_t l1) {
  (void)l0, (void)l1;
  BFW(gemm_f)(ta, dta, tb, dtb, m, dm, n, dn, k, dk, alpha, dalpha, A, dA, lda, dlda, B, dB, ldb, dldb, beta, dbeta, C,
              dC, ldc, dldc);
}
