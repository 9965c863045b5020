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
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (parallel(n))
  for (long b = 0; b < chunks(n); ++b) {
    long lo = b * CHUNK, hi = lo + chunk_len(n, b);
    KT t = 0;
    for (long i = lo; i < hi; ++i) {
      KT e = KEXP(x[i] - m);
      if (out)
        out[i] = e;
      t += e;
    }
    s += t;
  }
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
#pragma omp parallel for schedule(static) if (parallel(m * n))
  for (long i = 0; i < m; ++i)
    y[i] = KOPS->dot(A + i * n, x, n);
}

void KS(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C) {
  /* row i of C is a combination of the rows of B, built with axpys */
#pragma omp parallel for schedule(static) if (parallel(m * n * k))
  for (long i = 0; i < m; ++i) {
    KT *c = C + i * n;
    for (long j = 0; j < n; ++j)
      c[j] = 0;
    for (long p = 0; p < k; ++p)
      KOPS->axpy(n, A[i * k + p], B + p * n, c);
  }
}

void KS(ct_softmax)(const KT *x, KT *out, long n) {
  if (n <= 0)
    return;
  KT m = KS(max_)(x, n);
  KT s = KS(sumexp_)(x, n, m, out);
  KT r = 1 / s;
#pragma omp parallel for schedule(static) if (parallel(n))
  for (long b = 0; b < chunks(n); ++b)
    KOPS->scale(chunk_len(n, b), r, out + b * CHUNK);
}

/* ---- pullbacks ---- */

void KPB(ct_dot)(const KT *x, const KT *y, long n, KT seed, KT *dx, KT *dy) {
  if (dx)
    KS(ct_axpy)(n, seed, y, dx);
  if (dy)
    KS(ct_axpy)(n, seed, x, dy);
}

void KPB(ct_sum)(const KT *x, long n, KT seed, KT *dx) {
  (void)x;
  if (!dx)
    return;
#pragma omp parallel for schedule(static) if (parallel(n))
  for (long b = 0; b < chunks(n); ++b)
    KOPS->shift(chunk_len(n, b), seed, dx + b * CHUNK);
}

void KPB(ct_logsumexp)(const KT *x, long n, KT seed, KT *dx) {
  if (!dx || n <= 0)
    return;
  KT lse = KS(ct_logsumexp)(x, n);
  /* d lse / dx[i] = exp(x[i] - lse), the softmax */
#pragma omp parallel for schedule(static) if (parallel(n))
  for (long b = 0; b < chunks(n); ++b) {
    long lo = b * CHUNK, hi = lo + chunk_len(n, b);
    for (long i = lo; i < hi; ++i)
      dx[i] += seed * KEXP(x[i] - lse);
  }
}

void KPB(ct_axpy)(long n, KT a, const KT *x, KT *y, KT *da, KT *dx, KT *dy) {
  (void)y;   /* y += a x: the adjoint of the old y is dy itself */
  if (!dy)
    return;
  if (dx)
    KS(ct_axpy)(n, a, dy, dx);
  if (da)
    *da += KS(ct_dot)(x, dy, n);
}

void KPB(ct_gemv)(long m, long n, const KT *A, const KT *x, KT *y, KT *dA, KT *dx, KT *dy) {
  (void)y;
  if (!dy)
    return;
  int par = parallel(m * n);
  if (dA) { /* dA += dy x^T, row by row */
#pragma omp parallel for schedule(static) if (par)
    for (long i = 0; i < m; ++i)
      KOPS->axpy(n, dy[i], x, dA + i * n);
  }
  if (dx) { /* dx += A^T dy, by column blocks so threads write apart */
#pragma omp parallel for schedule(static) if (par)
    for (long b = 0; b < col_blocks(n); ++b) {
      long c0 = b * COLS, w = col_len(n, b);
      for (long i = 0; i < m; ++i)
        KOPS->axpy(w, dy[i], A + i * n + c0, dx + c0);
    }
  }
  for (long i = 0; i < m; ++i) /* y was overwritten */
    dy[i] = 0;
}

void KPB(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C, KT *dA, KT *dB, KT *dC) {
  (void)C;
  if (!dC)
    return;
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
#pragma omp parallel for schedule(static) if (parallel(m * n))
  for (long i = 0; i < m; ++i) /* C was overwritten */
    for (long j = 0; j < n; ++j)
      dC[i * n + j] = 0;
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
#pragma omp parallel for schedule(static) if (parallel(n))
  for (long b = 0; b < chunks(n); ++b)
    KOPS->softmax_back(chunk_len(n, b), out + b * CHUNK, dout + b * CHUNK, dx + b * CHUNK, s);
}
