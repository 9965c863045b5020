/* The public kernels and their pullbacks for one element type, included by
 * kernels.c with
 *   KT       double or float
 *   KS(n)    the public name of n for KT (ct_dot, ct_dotf)
 *   KPB(n)   the name of n's pullback (ct_dot_pullback, ct_dotf_pullback)
 *   KOPS     the building blocks for KT in the selected instruction set
 *   KEXP, KLOG  libm's exp and log for KT
 * Work above CT_KERNELS_PARALLEL_MIN elements is split into chunks run by
 * OpenMP threads (chunks, not threads, fix the summation order). */

static KT KS(max_)(const KT *x, long n) {
  if (!parallel(n))
    return KOPS->max(x, n);
  KT m = -__builtin_inf();
#pragma omp parallel for reduction(max : m) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    m = fmax_of(m, KOPS->max(x + b * CHUNK, chunk_len(n, b)));
  return m;
}

KT KS(ct_dot)(const KT *x, const KT *y, long n) {
  if (!parallel(n))
    return KOPS->dot(x, y, n);
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    s += KOPS->dot(x + b * CHUNK, y + b * CHUNK, chunk_len(n, b));
  return s;
}

KT KS(ct_sum)(const KT *x, long n) {
  if (!parallel(n))
    return KOPS->sum(x, n);
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    s += KOPS->sum(x + b * CHUNK, chunk_len(n, b));
  return s;
}

/* sum_i exp(x[i] - m); out (may be x, or NULL) receives the terms */
static KT KS(sumexp_)(const KT *x, long n, KT m, KT *out) {
  if (!parallel(n))
    return KOPS->sumexp(x, n, m, out);
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    s += KOPS->sumexp(x + b * CHUNK, chunk_len(n, b), m, out ? out + b * CHUNK : NULL);
  return s;
}

KT KS(ct_logsumexp)(const KT *x, long n) {
  KT m = KS(max_)(x, n);
  if (n <= 0 || m == -__builtin_inf() || m == __builtin_inf())
    return m; /* empty or all -inf: -inf; a +inf term: +inf */
  return m + KLOG(KS(sumexp_)(x, n, m, NULL));
}

void KS(ct_axpy)(long n, KT a, const KT *x, KT *y) {
  if (!parallel(n)) {
    KOPS->axpy(n, a, x, y);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->axpy(chunk_len(n, b), a, x + b * CHUNK, y + b * CHUNK);
}

void KS(ct_gemv)(long m, long n, const KT *A, const KT *x, KT *y) {
  if (!parallel(m * n)) {
    for (long i = 0; i < m; ++i)
      y[i] = KOPS->dot(A + i * n, x, n);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long i = 0; i < m; ++i)
    y[i] = KOPS->dot(A + i * n, x, n);
}

/* row i of C is a combination of the rows of B, built with axpys */
static void KS(gemm_row_)(long n, long k, const KT *a, const KT *B, KT *c) {
  for (long j = 0; j < n; ++j)
    c[j] = 0;
  for (long p = 0; p < k; ++p)
    KOPS->axpy(n, a[p], B + p * n, c);
}

void KS(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C) {
  if (!parallel(m * n * k)) {
    for (long i = 0; i < m; ++i)
      KS(gemm_row_)(n, k, A + i * k, B, C + i * n);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long i = 0; i < m; ++i)
    KS(gemm_row_)(n, k, A + i * k, B, C + i * n);
}

void KS(ct_softmax)(const KT *x, KT *out, long n) {
  if (n <= 0)
    return;
  KT m = KS(max_)(x, n);
  KT s = KS(sumexp_)(x, n, m, out);
  KT r = 1 / s;
  if (!parallel(n)) {
    KOPS->scale(n, r, out);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->scale(chunk_len(n, b), r, out + b * CHUNK);
}

/* ---- pullbacks ---- */

/* whether [a, a + na) and [b, b + nb) share an element */
static int KS(overlap_)(const KT *a, long na, const KT *b, long nb) {
  uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
  return na > 0 && nb > 0 && pa < pb + (uintptr_t)nb * sizeof(KT) && pb < pa + (uintptr_t)na * sizeof(KT);
}

void KPB(ct_dot)(const KT *x, const KT *y, long n, KT seed, KT *dx, KT *dy) {
  if (dx && dx == dy && x == y) { /* ct_dot(h, h, n) */
    KS(ct_axpy)(n, 2 * seed, x, dx);
    return;
  }
  if (!dx || !dy || KS(overlap_)(dx, n, dy, n)) { /* one at a time */
    if (dx)
      KS(ct_axpy)(n, seed, y, dx);
    if (dy)
      KS(ct_axpy)(n, seed, x, dy);
    return;
  }
  /* both in one pass */
  if (!parallel(n)) {
    KOPS->axpy2(n, seed, x, y, dx, dy);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->axpy2(chunk_len(n, b), seed, x + b * CHUNK, y + b * CHUNK, dx + b * CHUNK, dy + b * CHUNK);
}

void KPB(ct_sum)(const KT *x, long n, KT seed, KT *dx) {
  (void)x;
  if (!dx)
    return;
  if (!parallel(n)) {
    KOPS->shift(n, seed, dx);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->shift(chunk_len(n, b), seed, dx + b * CHUNK);
}

void KPB(ct_logsumexp)(const KT *x, long n, KT seed, KT *dx) {
  if (!dx || n <= 0)
    return;
  KT lse = KS(ct_logsumexp)(x, n);
  /* d lse / dx[i] = exp(x[i] - lse), the softmax */
  if (!parallel(n)) {
    KOPS->addexp(n, seed, x, lse, dx);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->addexp(chunk_len(n, b), seed, x + b * CHUNK, lse, dx + b * CHUNK);
}

void KPB(ct_axpy)(long n, KT a, const KT *x, KT *y, KT *da, KT *dx, KT *dy) {
  (void)y; /* y += a x: the adjoint of the old y is dy itself */
  if (!dy || (!dx && !da))
    return;
  if (!dx) {
    *da += KS(ct_dot)(x, dy, n);
    return;
  }
  if (!da) {
    KS(ct_axpy)(n, a, dy, dx);
    return;
  }
  /* both in one pass over dy */
  if (!parallel(n)) {
    *da += KOPS->axpy_dot(n, a, x, dy, dx);
    return;
  }
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    s += KOPS->axpy_dot(chunk_len(n, b), a, x + b * CHUNK, dy + b * CHUNK, dx + b * CHUNK);
  *da += s;
}

/* rows [0, m) of A, columns [c0, c0 + w): dA += dy x^T and dx += A^T dy
 * (either may be NULL), in one pass over A */
static void KS(gemv_back_)(long m, long n, long c0, long w, const KT *A, const KT *x, KT *dA, KT *dx,
                           const KT *dy) {
  for (long i = 0; i < m; ++i) {
    const KT *a = A + i * n + c0;
    if (dA && dx)
      KOPS->axpy2(w, dy[i], a, x + c0, dA + i * n + c0, dx + c0);
    else if (dA)
      KOPS->axpy(w, dy[i], x + c0, dA + i * n + c0);
    else
      KOPS->axpy(w, dy[i], a, dx + c0);
  }
}

static void KS(gemv_back_all_)(long m, long n, const KT *A, const KT *x, KT *dA, KT *dx, const KT *dy) {
  if (!parallel(m * n)) {
    KS(gemv_back_)(m, n, 0, n, A, x, dA, dx, dy);
    return;
  }
  /* by column blocks, so that threads write apart */
#pragma omp parallel for schedule(static)
  for (long b = 0; b < col_blocks(n); ++b)
    KS(gemv_back_)(m, n, b * COLS, col_len(n, b), A, x, dA, dx, dy);
}

void KPB(ct_gemv)(long m, long n, const KT *A, const KT *x, KT *y, KT *dA, KT *dx, KT *dy) {
  (void)y;
  if (!dy)
    return;
  if (dA && dx && KS(overlap_)(dA, m * n, dx, n)) { /* A and x overlap: one at a time */
    KS(gemv_back_all_)(m, n, A, x, dA, NULL, dy);
    KS(gemv_back_all_)(m, n, A, x, NULL, dx, dy);
  } else if (dA || dx)
    KS(gemv_back_all_)(m, n, A, x, dA, dx, dy);
  for (long i = 0; i < m; ++i) /* y was overwritten */
    dy[i] = 0;
}

/* dA += dC B^T and dB += A^T dC (either may be NULL) */
static void KS(gemm_back_)(long m, long n, long k, const KT *A, const KT *B, KT *dA, KT *dB, const KT *dC) {
  int par = parallel(m * n * k);
  if (dA) { /* dA += dC B^T */
#pragma omp parallel for schedule(static) if (par)
    for (long i = 0; i < m; ++i)
      for (long p = 0; p < k; ++p)
        dA[i * k + p] += KOPS->dot(dC + i * n, B + p * n, n);
  }
  if (dB) { /* dB += A^T dC, row p of dB from the rows of dC */
#pragma omp parallel for schedule(static) if (par)
    for (long p = 0; p < k; ++p)
      for (long i = 0; i < m; ++i)
        KOPS->axpy(n, A[i * k + p], dC + i * n, dB + p * n);
  }
}

void KPB(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C, KT *dA, KT *dB, KT *dC) {
  (void)C;
  if (!dC)
    return;
  KS(gemm_back_)(m, n, k, A, B, dA, dB, dC);
  for (long i = 0; i < m * n; ++i) /* C was overwritten */
    dC[i] = 0;
}

void KPB(ct_softmax)(const KT *x, KT *out, long n, KT *dx, KT *dout) {
  (void)x; /* the result holds everything needed (and works in place) */
  if (!dout)
    return;
  KT s = KS(ct_dot)(out, dout, n);
  if (!dx) {
    for (long i = 0; i < n; ++i)
      dout[i] = 0;
    return;
  }
  if (!parallel(n)) {
    KOPS->softmax_back(n, out, dout, dx, s);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->softmax_back(chunk_len(n, b), out + b * CHUNK, dout + b * CHUNK, dx + b * CHUNK, s);
}
