/* The adjoints of CBLAS routines, written once for both element types
 * (blas.c includes this file twice). Before including, define
 *   BT        the element type (double or float)
 *   BX(n)     the CBLAS routine of that type (BX(gemm) is cblas_dgemm)
 *   BPB(n)    the name of its pullback (__ct_blas_cblas_dgemm)
 *   BEX(n)    the name of its extent function (__ct_blas_cblas_dgemm_extent)
 *   BH(n)     a helper's name for the type (ct_blas_d_vzero)
 *
 * A pullback takes the routine's arguments, the seed of its result (dot,
 * nrm2, asum), then the shadow of each array and a pointer to the adjoint of
 * each floating-point scalar (NULL when that argument is constant: its
 * adjoint work is skipped). For an array the routine writes, the shadow holds
 * the adjoint of the new contents on entry and the adjoint of the old ones
 * on return. The adjoints are BLAS calls on the user's own layout, leading
 * dimensions and strides wherever one BLAS call expresses them; a triangle
 * or symmetric part is added element by element (O(n^2), next to O(n^3)).
 *
 * An extent function takes the routine's arguments and a parameter index
 * and returns the bytes of that array argument the routine touches (the
 * pass copies them to the tape when the array is overwritten later). */

/* x[i] = 0 for n elements of stride inc */
static void BH(vzero)(BT *x, int n, int inc) {
  long step = inc < 0 ? -(long)inc : inc;
  for (long i = 0; i < n; ++i)
    x[i * step] = 0;
}

/* x *= beta (0 clears, whatever x held) */
static void BH(vscale)(BT *x, int n, int inc, BT beta) {
  if (beta == 0)
    BH(vzero)(x, n, inc);
  else if (beta != 1)
    BX(scal)(n, beta, x, inc < 0 ? -inc : inc);
}

/* the m x n block of C *= beta (0 clears) */
static void BH(mscale)(CBLAS_LAYOUT L, int m, int n, BT *C, int ldc, BT beta) {
  if (beta == 1)
    return;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      C[ct_blas_mat_at(L, i, j, ldc)] = beta == 0 ? 0 : beta * C[ct_blas_mat_at(L, i, j, ldc)];
}

/* ---- level 1 ---- */

void BPB(dot)(int n, const BT *x, int incx, const BT *y, int incy, BT seed, BT *dx, BT *dy) {
  if (dx)
    BX(axpy)(n, seed, y, incy, dx, incx);
  if (dy)
    BX(axpy)(n, seed, x, incx, dy, incy);
}
long BEX(dot)(int n, const BT *x, int incx, const BT *y, int incy, int k) {
  (void)x, (void)y;
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 1 ? incx : incy);
}

void BPB(axpy)(int n, BT a, const BT *x, int incx, BT *y, int incy, BT *da, BT *dx, BT *dy) {
  (void)y;
  if (!dy)
    return;
  if (da)
    *da += BX(dot)(n, x, incx, dy, incy);
  if (dx)
    BX(axpy)(n, a, dy, incy, dx, incx);
}
long BEX(axpy)(int n, BT a, const BT *x, int incx, BT *y, int incy, int k) {
  (void)a, (void)x, (void)y;
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 2 ? incx : incy);
}

/* x = a x: x is the old contents (a copy made before the call) */
void BPB(scal)(int n, BT a, BT *x, int incx, BT *da, BT *dx) {
  if (!dx || incx <= 0) /* BLAS leaves x alone for a stride <= 0 */
    return;
  if (da)
    *da += BX(dot)(n, x, incx, dx, incx);
  if (a == 0)
    BH(vzero)(dx, n, incx);
  else
    BX(scal)(n, a, dx, incx);
}
long BEX(scal)(int n, BT a, BT *x, int incx, int k) {
  (void)a, (void)x, (void)k;
  return (long)sizeof(BT) * ct_blas_vec_len(n, incx);
}

void BPB(nrm2)(int n, const BT *x, int incx, BT seed, BT *dx) {
  if (incx <= 0) /* BLAS returns 0 for a stride <= 0 */
    return;
  BT r = BX(nrm2)(n, x, incx);
  if (dx && r > 0)
    BX(axpy)(n, seed / r, x, incx, dx, incx);
}
long BEX(nrm2)(int n, const BT *x, int incx, int k) {
  (void)x, (void)k;
  return (long)sizeof(BT) * ct_blas_vec_len(n, incx);
}

void BPB(asum)(int n, const BT *x, int incx, BT seed, BT *dx) {
  if (!dx || n <= 0 || incx <= 0) /* BLAS returns 0 for a stride <= 0 */
    return;
  for (long i = 0; i < n; ++i) {
    BT v = x[i * incx];
    dx[i * incx] += v > 0 ? seed : v < 0 ? -seed : 0;
  }
}
long BEX(asum)(int n, const BT *x, int incx, int k) {
  (void)x, (void)k;
  return (long)sizeof(BT) * ct_blas_vec_len(n, incx);
}

void BPB(copy)(int n, const BT *x, int incx, BT *y, int incy, BT *dx, BT *dy) {
  (void)x, (void)y;
  if (!dy)
    return;
  if (dx)
    BX(axpy)(n, 1, dy, incy, dx, incx);
  BH(vzero)(dy, n, incy);
}
long BEX(copy)(int n, const BT *x, int incx, BT *y, int incy, int k) {
  (void)x, (void)y;
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 1 ? incx : incy);
}

void BPB(swap)(int n, BT *x, int incx, BT *y, int incy, BT *dx, BT *dy) {
  (void)x, (void)y;
  if (dx && dy)
    BX(swap)(n, dx, incx, dy, incy);
  else if (dx) /* x's new values came from a constant y */
    BH(vzero)(dx, n, incx);
  else if (dy)
    BH(vzero)(dy, n, incy);
}
long BEX(swap)(int n, BT *x, int incx, BT *y, int incy, int k) {
  (void)x, (void)y;
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 1 ? incx : incy);
}

/* (x, y) = (c x + s y, c y - s x); x and y are the old contents */
void BPB(rot)(int n, BT *x, int incx, BT *y, int incy, BT c, BT s, BT *dx, BT *dy, BT *dc, BT *ds) {
  if (dc) {
    if (dx)
      *dc += BX(dot)(n, x, incx, dx, incx);
    if (dy)
      *dc += BX(dot)(n, y, incy, dy, incy);
  }
  if (ds) {
    if (dx)
      *ds += BX(dot)(n, y, incy, dx, incx);
    if (dy)
      *ds -= BX(dot)(n, x, incx, dy, incy);
  }
  if (dx && dy)
    BX(rot)(n, dx, incx, dy, incy, c, -s);
  else if (dx)
    BX(scal)(n, c, dx, incx);
  else if (dy)
    BX(scal)(n, c, dy, incy);
}
long BEX(rot)(int n, BT *x, int incx, BT *y, int incy, BT c, BT s, int k) {
  (void)x, (void)y, (void)c, (void)s;
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 1 ? incx : incy);
}

/* ---- level 2 ---- */

/* y = alpha op(A) x + beta y */
void BPB(gemv)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE t, int m, int n, BT alpha, const BT *A, int lda, const BT *x,
               int incx, BT beta, BT *y, int incy, BT *dalpha, BT *dA, BT *dx, BT *dbeta, BT *dy) {
  (void)y, (void)dbeta; /* an active beta is refused at compile time */
  if (!dy)
    return;
  int tr = ct_blas_trans(t), ylen = tr ? n : m, xlen = tr ? m : n;
  if (dalpha) {
    BT *p = ct_blas_alloc(sizeof(BT), ylen);
    BX(gemv)(L, t, m, n, 1, A, lda, x, incx, 0, p, 1);
    *dalpha += BX(dot)(ylen, p, 1, dy, incy);
    free(p);
  }
  if (dx)
    BX(gemv)(L, tr ? CblasNoTrans : CblasTrans, m, n, alpha, A, lda, dy, incy, 1, dx, incx);
  if (dA) {
    if (tr)
      BX(ger)(L, m, n, alpha, x, incx, dy, incy, dA, lda);
    else
      BX(ger)(L, m, n, alpha, dy, incy, x, incx, dA, lda);
  }
  (void)xlen;
  BH(vscale)(dy, ylen, incy, beta);
}
long BEX(gemv)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE t, int m, int n, BT alpha, const BT *A, int lda, const BT *x,
               int incx, BT beta, BT *y, int incy, int k) {
  (void)alpha, (void)A, (void)x, (void)beta, (void)y;
  int tr = ct_blas_trans(t);
  if (k == 5)
    return (long)sizeof(BT) * ct_blas_mat_len(L, m, n, lda);
  return (long)sizeof(BT) * (k == 7 ? ct_blas_vec_len(tr ? m : n, incx) : ct_blas_vec_len(tr ? n : m, incy));
}

/* y = alpha A x + beta y, A symmetric, stored in its `uplo` triangle */
void BPB(symv)(CBLAS_LAYOUT L, CBLAS_UPLO u, int n, BT alpha, const BT *A, int lda, const BT *x, int incx,
               BT beta, BT *y, int incy, BT *dalpha, BT *dA, BT *dx, BT *dbeta, BT *dy) {
  (void)y, (void)dbeta;
  if (!dy)
    return;
  if (dalpha) {
    BT *p = ct_blas_alloc(sizeof(BT), n);
    BX(symv)(L, u, n, 1, A, lda, x, incx, 0, p, 1);
    *dalpha += BX(dot)(n, p, 1, dy, incy);
    free(p);
  }
  if (dx)
    BX(symv)(L, u, n, alpha, A, lda, dy, incy, 1, dx, incx);
  if (dA) {
    /* a stored a_ij (i != j) stands for A_ij and A_ji: dy_i x_j + dy_j x_i;
       syr2 adds that, and twice dy_i x_i on the diagonal */
    BX(syr2)(L, u, n, alpha, dy, incy, x, incx, dA, lda);
    for (int i = 0; i < n; ++i)
      dA[(long)i * lda + i] -= alpha * dy[ct_blas_vec_at(i, n, incy)] * x[ct_blas_vec_at(i, n, incx)];
  }
  BH(vscale)(dy, n, incy, beta);
}
long BEX(symv)(CBLAS_LAYOUT L, CBLAS_UPLO u, int n, BT alpha, const BT *A, int lda, const BT *x, int incx,
               BT beta, BT *y, int incy, int k) {
  (void)u, (void)alpha, (void)A, (void)x, (void)beta, (void)y;
  if (k == 4)
    return (long)sizeof(BT) * ct_blas_mat_len(L, n, n, lda);
  return (long)sizeof(BT) * ct_blas_vec_len(n, k == 6 ? incx : incy);
}

/* Adds s * G (or s * G^T when `tr`) to the stored triangle of dA (n x n,
 * G dense with leading dimension ldg in layout L), the diagonal left out
 * for a unit triangle. */
static void BH(tri_add)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_DIAG d, int n, BT s, const BT *G, int ldg, int tr,
                        BT *dA, int lda) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if ((u == CblasLower ? j > i : j < i) || (i == j && d == CblasUnit))
        continue;
      BT g = tr ? G[ct_blas_mat_at(L, j, i, ldg)] : G[ct_blas_mat_at(L, i, j, ldg)];
      dA[ct_blas_mat_at(L, i, j, lda)] += s * g;
    }
}

/* Adds G's derivative through symmetry to the stored triangle of dA:
 * a_ij (i != j) stands for A_ij and A_ji. */
static void BH(sym_add)(CBLAS_LAYOUT L, CBLAS_UPLO u, int n, const BT *G, int ldg, BT *dA, int lda) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if (u == CblasLower ? j > i : j < i)
        continue;
      BT g = G[ct_blas_mat_at(L, i, j, ldg)] + (i != j ? G[ct_blas_mat_at(L, j, i, ldg)] : 0);
      dA[ct_blas_mat_at(L, i, j, lda)] += g;
    }
}

/* x = op(A) x: x is the old contents (copied before the call) */
void BPB(trmv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, int lda,
               BT *x, int incx, BT *dA, BT *dx) {
  if (!dx)
    return;
  int tr = ct_blas_trans(t);
  if (dA) /* N: dA_ij += dx_i x_j; T: dA_ij += x_i dx_j */
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if ((u == CblasLower ? j > i : j < i) || (i == j && d == CblasUnit))
          continue;
        BT v = tr ? x[ct_blas_vec_at(i, n, incx)] * dx[ct_blas_vec_at(j, n, incx)]
                  : dx[ct_blas_vec_at(i, n, incx)] * x[ct_blas_vec_at(j, n, incx)];
        dA[ct_blas_mat_at(L, i, j, lda)] += v;
      }
  BX(trmv)(L, u, tr ? CblasNoTrans : CblasTrans, d, n, A, lda, dx, incx);
}
long BEX(trmv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, int lda,
               BT *x, int incx, int k) {
  (void)u, (void)t, (void)d, (void)A, (void)x;
  return (long)sizeof(BT) * (k == 5 ? ct_blas_mat_len(L, n, n, lda) : ct_blas_vec_len(n, incx));
}

/* x = op(A)^-1 x: x is the solution (the new contents) */
void BPB(trsv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, int lda,
               BT *x, int incx, BT *dA, BT *dx) {
  if (!dx)
    return;
  int tr = ct_blas_trans(t);
  /* b's adjoint: op(A)^-T dx; then dA = -b_bar x^T (N) or -x b_bar^T (T) */
  BX(trsv)(L, u, tr ? CblasNoTrans : CblasTrans, d, n, A, lda, dx, incx);
  if (dA)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if ((u == CblasLower ? j > i : j < i) || (i == j && d == CblasUnit))
          continue;
        BT v = tr ? x[ct_blas_vec_at(i, n, incx)] * dx[ct_blas_vec_at(j, n, incx)]
                  : dx[ct_blas_vec_at(i, n, incx)] * x[ct_blas_vec_at(j, n, incx)];
        dA[ct_blas_mat_at(L, i, j, lda)] -= v;
      }
}
long BEX(trsv)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int n, const BT *A, int lda,
               BT *x, int incx, int k) {
  (void)u, (void)t, (void)d, (void)A, (void)x;
  return (long)sizeof(BT) * (k == 5 ? ct_blas_mat_len(L, n, n, lda) : ct_blas_vec_len(n, incx));
}

/* A += alpha x y^T */
void BPB(ger)(CBLAS_LAYOUT L, int m, int n, BT alpha, const BT *x, int incx, const BT *y, int incy, BT *A,
              int lda, BT *dalpha, BT *dx, BT *dy, BT *dA) {
  (void)A;
  if (!dA)
    return;
  if (dalpha) {
    BT *p = ct_blas_alloc(sizeof(BT), m);
    BX(gemv)(L, CblasNoTrans, m, n, 1, dA, lda, y, incy, 0, p, 1);
    *dalpha += BX(dot)(m, x, incx, p, 1);
    free(p);
  }
  if (dx)
    BX(gemv)(L, CblasNoTrans, m, n, alpha, dA, lda, y, incy, 1, dx, incx);
  if (dy)
    BX(gemv)(L, CblasTrans, m, n, alpha, dA, lda, x, incx, 1, dy, incy);
}
long BEX(ger)(CBLAS_LAYOUT L, int m, int n, BT alpha, const BT *x, int incx, const BT *y, int incy, BT *A,
              int lda, int k) {
  (void)alpha, (void)x, (void)y, (void)A;
  if (k == 8)
    return (long)sizeof(BT) * ct_blas_mat_len(L, m, n, lda);
  return (long)sizeof(BT) * (k == 4 ? ct_blas_vec_len(m, incx) : ct_blas_vec_len(n, incy));
}

/* ---- level 3 ---- */

/* sum_ij P_ij Q_ij over an m x n block of two matrices of one layout */
static BT BH(mat_dot)(CBLAS_LAYOUT L, int m, int n, const BT *P, int ldp, const BT *Q, int ldq) {
  BT s = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      s += P[ct_blas_mat_at(L, i, j, ldp)] * Q[ct_blas_mat_at(L, i, j, ldq)];
  return s;
}

/* C = alpha op(A) op(B) + beta C; op(A) m x k, op(B) k x n */
void BPB(gemm)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, BT alpha, const BT *A,
               int lda, const BT *B, int ldb, BT beta, BT *C, int ldc, BT *dalpha, BT *dA, BT *dB, BT *dbeta,
               BT *dC) {
  (void)C, (void)dbeta;
  if (!dC)
    return;
  int trA = ct_blas_trans(ta), trB = ct_blas_trans(tb);
  if (dalpha) {
    int ldp = L == CblasRowMajor ? n : m;
    BT *p = ct_blas_alloc(sizeof(BT), (long)m * n);
    BX(gemm)(L, ta, tb, m, n, k, 1, A, lda, B, ldb, 0, p, ldp);
    *dalpha += BH(mat_dot)(L, m, n, p, ldp, dC, ldc);
    free(p);
  }
  if (dA) { /* d op(A) = alpha dC op(B)^T */
    if (!trA) /* dA (m x k) += alpha dC op(B)^T */
      BX(gemm)(L, CblasNoTrans, trB ? CblasNoTrans : CblasTrans, m, k, n, alpha, dC, ldc, B, ldb, 1, dA, lda);
    else /* dA (k x m) += alpha op(B) dC^T */
      BX(gemm)(L, tb, CblasTrans, k, m, n, alpha, B, ldb, dC, ldc, 1, dA, lda);
  }
  if (dB) { /* d op(B) = alpha op(A)^T dC */
    if (!trB) /* dB (k x n) += alpha op(A)^T dC */
      BX(gemm)(L, trA ? CblasNoTrans : CblasTrans, CblasNoTrans, k, n, m, alpha, A, lda, dC, ldc, 1, dB, ldb);
    else /* dB (n x k) += alpha dC^T op(A) */
      BX(gemm)(L, CblasTrans, ta, n, k, m, alpha, dC, ldc, A, lda, 1, dB, ldb);
  }
  BH(mscale)(L, m, n, dC, ldc, beta);
}
long BEX(gemm)(CBLAS_LAYOUT L, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, BT alpha,
               const BT *A, int lda, const BT *B, int ldb, BT beta, BT *C, int ldc, int arg) {
  (void)alpha, (void)A, (void)B, (void)beta, (void)C;
  int trA = ct_blas_trans(ta), trB = ct_blas_trans(tb);
  long e = arg == 7   ? (trA ? ct_blas_mat_len(L, k, m, lda) : ct_blas_mat_len(L, m, k, lda))
           : arg == 9 ? (trB ? ct_blas_mat_len(L, n, k, ldb) : ct_blas_mat_len(L, k, n, ldb))
                      : ct_blas_mat_len(L, m, n, ldc);
  return (long)sizeof(BT) * e;
}

/* C = alpha A B + beta C (left) or alpha B A + beta C (right), A symmetric */
void BPB(symm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, int m, int n, BT alpha, const BT *A, int lda,
               const BT *B, int ldb, BT beta, BT *C, int ldc, BT *dalpha, BT *dA, BT *dB, BT *dbeta, BT *dC) {
  (void)C, (void)dbeta;
  if (!dC)
    return;
  int left = s == CblasLeft, na = left ? m : n;
  if (dalpha) {
    int ldp = L == CblasRowMajor ? n : m;
    BT *p = ct_blas_alloc(sizeof(BT), (long)m * n);
    BX(symm)(L, s, u, m, n, 1, A, lda, B, ldb, 0, p, ldp);
    *dalpha += BH(mat_dot)(L, m, n, p, ldp, dC, ldc);
    free(p);
  }
  if (dB) /* left: dB += alpha A dC; right: dB += alpha dC A */
    BX(symm)(L, s, u, m, n, alpha, A, lda, dC, ldc, 1, dB, ldb);
  if (dA) { /* G = alpha dC B^T (left, m x m) or alpha B^T dC (right, n x n) */
    BT *G = ct_blas_alloc(sizeof(BT), (long)na * na);
    if (left)
      BX(gemm)(L, CblasNoTrans, CblasTrans, m, m, n, alpha, dC, ldc, B, ldb, 0, G, na);
    else
      BX(gemm)(L, CblasTrans, CblasNoTrans, n, n, m, alpha, B, ldb, dC, ldc, 0, G, na);
    BH(sym_add)(L, u, na, G, na, dA, lda);
    free(G);
  }
  BH(mscale)(L, m, n, dC, ldc, beta);
}
long BEX(symm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, int m, int n, BT alpha, const BT *A, int lda,
               const BT *B, int ldb, BT beta, BT *C, int ldc, int k) {
  (void)u, (void)alpha, (void)A, (void)B, (void)beta, (void)C;
  int na = s == CblasLeft ? m : n;
  long e = k == 6 ? ct_blas_mat_len(L, na, na, lda) : k == 8 ? ct_blas_mat_len(L, m, n, ldb)
                                                            : ct_blas_mat_len(L, m, n, ldc);
  return (long)sizeof(BT) * e;
}

/* C = alpha op(A) op(A)^T + beta C on C's `uplo` triangle; op(A) n x k */
void BPB(syrk)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, int n, int k, BT alpha, const BT *A, int lda,
               BT beta, BT *C, int ldc, BT *dalpha, BT *dA, BT *dbeta, BT *dC) {
  (void)C, (void)dbeta;
  if (!dC)
    return;
  int tr = ct_blas_trans(t);
  /* S = D + D^T, D the stored triangle of dC */
  BT *S = ct_blas_alloc(sizeof(BT), (long)n * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      int stored = u == CblasLower ? j <= i : j >= i, mirror = u == CblasLower ? i <= j : i >= j;
      S[ct_blas_mat_at(L, i, j, n)] =
          (stored ? dC[ct_blas_mat_at(L, i, j, ldc)] : 0) + (mirror ? dC[ct_blas_mat_at(L, j, i, ldc)] : 0);
    }
  if (dalpha) { /* <D, M M^T> = <S, M M^T> / 2 */
    BT *p = ct_blas_alloc(sizeof(BT), (long)n * n);
    BX(gemm)(L, tr ? CblasTrans : CblasNoTrans, tr ? CblasNoTrans : CblasTrans, n, n, k, 1, A, lda, A, lda, 0, p,
             n);
    *dalpha += BH(mat_dot)(L, n, n, p, n, S, n) / 2;
    free(p);
  }
  if (dA) {
    if (!tr) /* dA (n x k) += alpha S A */
      BX(gemm)(L, CblasNoTrans, CblasNoTrans, n, k, n, alpha, S, n, A, lda, 1, dA, lda);
    else /* dA (k x n) += alpha A S */
      BX(gemm)(L, CblasNoTrans, CblasNoTrans, k, n, n, alpha, A, lda, S, n, 1, dA, lda);
  }
  free(S);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (u == CblasLower ? j <= i : j >= i)
        dC[ct_blas_mat_at(L, i, j, ldc)] = beta == 0 ? 0 : beta * dC[ct_blas_mat_at(L, i, j, ldc)];
}
long BEX(syrk)(CBLAS_LAYOUT L, CBLAS_UPLO u, CBLAS_TRANSPOSE t, int n, int k, BT alpha, const BT *A, int lda,
               BT beta, BT *C, int ldc, int arg) {
  (void)u, (void)alpha, (void)A, (void)beta, (void)C;
  long e = arg == 6 ? (ct_blas_trans(t) ? ct_blas_mat_len(L, k, n, lda) : ct_blas_mat_len(L, n, k, lda))
                    : ct_blas_mat_len(L, n, n, ldc);
  return (long)sizeof(BT) * e;
}

/* B = alpha op(A) B (left) or alpha B op(A) (right), A triangular; B is
 * the old contents (copied before the call) */
void BPB(trmm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               const BT *A, int lda, BT *B, int ldb, BT *dalpha, BT *dA, BT *dB) {
  if (!dB)
    return;
  int left = s == CblasLeft, na = left ? m : n, tr = ct_blas_trans(t);
  if (dalpha) {
    int ldp = L == CblasRowMajor ? n : m;
    BT *p = ct_blas_alloc(sizeof(BT), (long)m * n);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j)
        p[ct_blas_mat_at(L, i, j, ldp)] = B[ct_blas_mat_at(L, i, j, ldb)];
    BX(trmm)(L, s, u, t, d, m, n, 1, A, lda, p, ldp);
    *dalpha += BH(mat_dot)(L, m, n, p, ldp, dB, ldb);
    free(p);
  }
  if (dA) { /* d op(A) = alpha dB B^T (left) or alpha B^T dB (right) */
    BT *G = ct_blas_alloc(sizeof(BT), (long)na * na);
    if (left)
      BX(gemm)(L, CblasNoTrans, CblasTrans, m, m, n, alpha, dB, ldb, B, ldb, 0, G, na);
    else
      BX(gemm)(L, CblasTrans, CblasNoTrans, n, n, m, alpha, B, ldb, dB, ldb, 0, G, na);
    BH(tri_add)(L, u, d, na, 1, G, na, tr, dA, lda);
    free(G);
  }
  /* old B's adjoint: alpha op(A)^T dB (left) or alpha dB op(A)^T (right) */
  BX(trmm)(L, s, u, tr ? CblasNoTrans : CblasTrans, d, m, n, alpha, A, lda, dB, ldb);
}
long BEX(trmm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               const BT *A, int lda, BT *B, int ldb, int k) {
  (void)u, (void)t, (void)d, (void)alpha, (void)A, (void)B;
  int na = s == CblasLeft ? m : n;
  return (long)sizeof(BT) * (k == 8 ? ct_blas_mat_len(L, na, na, lda) : ct_blas_mat_len(L, m, n, ldb));
}

/* B = alpha op(A)^-1 B (left) or alpha B op(A)^-1 (right); B is the
 * solution X (the new contents) */
void BPB(trsm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               const BT *A, int lda, BT *B, int ldb, BT *dalpha, BT *dA, BT *dB) {
  if (!dB)
    return;
  int left = s == CblasLeft, na = left ? m : n, tr = ct_blas_trans(t);
  if (dalpha) { /* X is linear in alpha: dX/dalpha = X / alpha */
    if (alpha == 0)
      ct_blas_fail("cblas_?trsm", "the derivative with respect to alpha at alpha = 0");
    *dalpha += BH(mat_dot)(L, m, n, B, ldb, dB, ldb) / alpha;
  }
  /* Y = op(A)^-T dX (left) or dX op(A)^-T (right), in place */
  BX(trsm)(L, s, u, tr ? CblasNoTrans : CblasTrans, d, m, n, 1, A, lda, dB, ldb);
  if (dA) { /* d op(A) = -Y X^T (left) or -X^T Y (right) */
    BT *G = ct_blas_alloc(sizeof(BT), (long)na * na);
    if (left)
      BX(gemm)(L, CblasNoTrans, CblasTrans, m, m, n, -1, dB, ldb, B, ldb, 0, G, na);
    else
      BX(gemm)(L, CblasTrans, CblasNoTrans, n, n, m, -1, B, ldb, dB, ldb, 0, G, na);
    BH(tri_add)(L, u, d, na, 1, G, na, tr, dA, lda);
    free(G);
  }
  BH(mscale)(L, m, n, dB, ldb, alpha);
}
long BEX(trsm)(CBLAS_LAYOUT L, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n, BT alpha,
               const BT *A, int lda, BT *B, int ldb, int k) {
  (void)u, (void)t, (void)d, (void)alpha, (void)A, (void)B;
  int na = s == CblasLeft ? m : n;
  return (long)sizeof(BT) * (k == 8 ? ct_blas_mat_len(L, na, na, lda) : ct_blas_mat_len(L, m, n, ldb));
}

/* Fortran dgemm_: column-major, every argument by address */
void BPB(gemm_f)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const BT *alpha,
                 const BT *A, const int *lda, const BT *B, const int *ldb, const BT *beta, BT *C, const int *ldc,
                 BT *dta, BT *dtb, BT *dm, BT *dn, BT *dk, BT *dalpha, BT *dA, BT *dlda, BT *dB, BT *dldb,
                 BT *dbeta, BT *dC, BT *dldc) {
  (void)dta, (void)dtb, (void)dm, (void)dn, (void)dk, (void)dlda, (void)dldb, (void)dldc;
  BPB(gemm)(CblasColMajor, ct_blas_trans_char(*ta), ct_blas_trans_char(*tb), *m, *n, *k, *alpha, A, *lda, B, *ldb,
            *beta, C, *ldc, dalpha, dA, dB, dbeta, dC);
}
long BEX(gemm_f)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const BT *alpha,
                 const BT *A, const int *lda, const BT *B, const int *ldb, const BT *beta, BT *C, const int *ldc,
                 int arg) {
  if (arg <= 1)
    return 1;
  if (arg == 5 || arg == 10)
    return sizeof(BT);
  if (arg != 6 && arg != 8 && arg != 11)
    return sizeof(int);
  return BEX(gemm)(CblasColMajor, ct_blas_trans_char(*ta), ct_blas_trans_char(*tb), *m, *n, *k, *alpha, A, *lda,
                   B, *ldb, *beta, C, *ldc, arg == 6 ? 7 : arg == 8 ? 9 : 12);
}
/* the same with gfortran's hidden string lengths after the arguments
 * (blas.h's / lapack.h's declarations; never read: each is one character) */
void BPB(gemm_fl)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const BT *alpha,
                  const BT *A, const int *lda, const BT *B, const int *ldb, const BT *beta, BT *C, const int *ldc,
                  size_t l0, size_t l1, BT *dta, BT *dtb, BT *dm, BT *dn, BT *dk, BT *dalpha, BT *dA, BT *dlda,
                  BT *dB, BT *dldb, BT *dbeta, BT *dC, BT *dldc) {
  (void)l0, (void)l1;
  BPB(gemm_f)(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, dta, dtb, dm, dn, dk, dalpha, dA, dlda, dB, dldb,
              dbeta, dC, dldc);
}
long BEX(gemm_fl)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const BT *alpha,
                  const BT *A, const int *lda, const BT *B, const int *ldb, const BT *beta, BT *C, const int *ldc,
                  size_t l0, size_t l1, int arg) {
  (void)l0, (void)l1;
  return BEX(gemm_f)(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, arg);
}
