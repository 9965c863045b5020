/* The kernels' tangents (forward mode: CT_TANGENT_IS in cotangent.h), for
 * one element type, included by kernels.c after kernels_api.h with its
 * macros and
 *   KJVP(n)  the name of n's tangent (ct_dot_jvp, ct_dotf_jvp)
 * A tangent runs right after its kernel: it takes the kernel's arguments,
 * the kernel's result when it returns one, then the tangent of each
 * floating-point argument and the tangent array of each array argument
 * (NULL when the array carries none, i.e. zero); it returns the tangent of
 * the result, or writes the tangents of the arrays the kernel wrote
 * (dy for y, ...). Arrays the kernel wrote hold their new values.
 *
 * The tangents' pullbacks (KJPB(n)) make second order work where a
 * gradient differentiates forward-mode code (ct_hessian_vector_product):
 * the tangent's arguments, the seed of its result if any, then an adjoint
 * pointer per scalar or array argument (NULL: constant), into which they
 * ADD; the adjoint of an array the tangent overwrote (dy of gemv) is
 * zeroed, of one it added to (dy of axpy) left as it is. */

/* sum_i a[i] b[i] with NULL for zeros */
static KT KS(dot_or_zero_)(const KT *a, const KT *b, long n) { return a && b ? KS(ct_dot)(a, b, n) : 0; }

KT KJVP(ct_dot)(const KT *x, const KT *y, long n, KT r, const KT *dx, const KT *dy) {
  (void)r;
  if (x == y && dx == dy) /* ct_dot(h, h, n) */
    return 2 * KS(dot_or_zero_)(x, dx, n);
  return KS(dot_or_zero_)(dx, y, n) + KS(dot_or_zero_)(x, dy, n);
}

KT KJVP(ct_sum)(const KT *x, long n, KT r, const KT *dx) {
  (void)x, (void)r;
  return dx ? KS(ct_sum)(dx, n) : 0;
}

/* d lse = sum_i softmax_i dx[i] = sum_i exp(x[i] - lse) dx[i] */
KT KJVP(ct_logsumexp)(const KT *x, long n, KT r, const KT *dx) {
  if (!dx || n <= 0)
    return 0;
  if (!parallel(n))
    return KOPS->expdot(x, n, r, dx);
  KT s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    s += KOPS->expdot(x + b * CHUNK, chunk_len(n, b), r, dx + b * CHUNK);
  return s;
}

/* y += a x: dy += da x + a dx */
void KJVP(ct_axpy)(long n, KT a, const KT *x, KT *y, KT da, const KT *dx, KT *dy) {
  (void)y;
  if (!dy)
    return;
  if (dx)
    KS(ct_axpy)(n, a, dx, dy);
  if (da != 0)
    KS(ct_axpy)(n, da, x, dy);
}

/* y = A x: dy = dA x + A dx, row by row */
void KJVP(ct_gemv)(long m, long n, const KT *A, const KT *x, KT *y, const KT *dA, const KT *dx, KT *dy) {
  (void)y;
  if (!dy)
    return;
#pragma omp parallel for schedule(static) if (parallel(m * n))
  for (long i = 0; i < m; ++i)
    dy[i] = (dA ? KOPS->dot(dA + i * n, x, n) : 0) + (dx ? KOPS->dot(A + i * n, dx, n) : 0);
}

/* C = A B: dC = dA B + A dB, row i of dC a combination of the rows of B and dB */
void KJVP(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C, const KT *dA, const KT *dB, KT *dC) {
  (void)C;
  if (!dC)
    return;
#pragma omp parallel for schedule(static) if (parallel(m * n * k))
  for (long i = 0; i < m; ++i) {
    KT *c = dC + i * n;
    for (long j = 0; j < n; ++j)
      c[j] = 0;
    for (long p = 0; p < k; ++p) {
      if (dA)
        KOPS->axpy(n, dA[i * k + p], B + p * n, c);
      if (dB)
        KOPS->axpy(n, A[i * k + p], dB + p * n, c);
    }
  }
}

/* out = softmax(x): dout = out (dx - <out, dx>) (in place too: dout may be dx) */
void KJVP(ct_softmax)(const KT *x, KT *out, long n, const KT *dx, KT *dout) {
  (void)x;
  if (!dout || n <= 0)
    return;
  if (!dx) {
    for (long i = 0; i < n; ++i)
      dout[i] = 0;
    return;
  }
  KT s = KS(ct_dot)(out, dx, n);
  if (!parallel(n)) {
    KOPS->softmax_fwd(n, out, dx, dout, s);
    return;
  }
#pragma omp parallel for schedule(static)
  for (long b = 0; b < chunks(n); ++b)
    KOPS->softmax_fwd(chunk_len(n, b), out + b * CHUNK, dx + b * CHUNK, dout + b * CHUNK, s);
}

/* ---- pullbacks of the tangents ---- */

/* d += a u, skipped where d or u is NULL */
static void KS(add_scaled_)(long n, KT a, const KT *u, KT *d) {
  if (d && u)
    KS(ct_axpy)(n, a, u, d);
}

void KJPB(ct_dot)(const KT *x, const KT *y, long n, KT r, const KT *dx, const KT *dy, KT seed, KT *ax, KT *ay,
                  KT *ar, KT *adx, KT *ady) {
  (void)r, (void)ar;
  if (x == y && dx == dy) { /* 2 <x, dx> */
    KS(add_scaled_)(n, 2 * seed, dx, ax);
    KS(add_scaled_)(n, 2 * seed, x, adx);
    return;
  }
  KS(add_scaled_)(n, seed, dy, ax);
  KS(add_scaled_)(n, seed, dx, ay);
  if (dx)
    KS(add_scaled_)(n, seed, y, adx);
  if (dy)
    KS(add_scaled_)(n, seed, x, ady);
}

void KJPB(ct_sum)(const KT *x, long n, KT r, const KT *dx, KT seed, KT *ax, KT *ar, KT *adx) {
  (void)x, (void)r, (void)dx, (void)ax, (void)ar;
  if (adx)
    for (long i = 0; i < n; ++i)
      adx[i] += seed;
}

/* t = sum_i e_i dx[i], e_i = exp(x[i] - r): dt/dx[i] = e_i dx[i], dt/ddx[i] = e_i, dt/dr = -t */
void KJPB(ct_logsumexp)(const KT *x, long n, KT r, const KT *dx, KT seed, KT *ax, KT *ar, KT *adx) {
  if (!dx || n <= 0)
    return;
  KT t = 0;
  for (long i = 0; i < n; ++i) {
    KT e = KEXP(x[i] - r);
    t += e * dx[i];
    if (ax)
      ax[i] += seed * e * dx[i];
    if (adx)
      adx[i] += seed * e;
  }
  if (ar)
    *ar -= seed * t;
}

/* dy += a dx + da x */
void KJPB(ct_axpy)(long n, KT a, const KT *x, KT *y, KT da, const KT *dx, KT *dy, KT *aa, KT *ax, KT *ay, KT *ada,
                   KT *adx, KT *ady) {
  (void)y, (void)ay, (void)dy;
  if (!ady)
    return;
  if (dx) {
    if (aa)
      *aa += KS(ct_dot)(dx, ady, n);
    KS(add_scaled_)(n, a, ady, adx);
  }
  if (ada)
    *ada += KS(ct_dot)(x, ady, n);
  if (da != 0)
    KS(add_scaled_)(n, da, ady, ax);
}

/* dy = dA x + A dx: adA += g x^T, ax += dA^T g, aA += g dx^T, adx += A^T g, one output at a time */
void KJPB(ct_gemv)(long m, long n, const KT *A, const KT *x, KT *y, const KT *dA, const KT *dx, KT *dy, KT *aA,
                   KT *ax, KT *ay, KT *adA, KT *adx, KT *ady) {
  (void)y, (void)ay, (void)dy;
  if (!ady)
    return;
  if (dA && adA)
    KS(gemv_back_all_)(m, n, dA, x, adA, NULL, ady);
  if (dA && ax)
    KS(gemv_back_all_)(m, n, dA, x, NULL, ax, ady);
  if (dx && aA)
    KS(gemv_back_all_)(m, n, A, dx, aA, NULL, ady);
  if (dx && adx)
    KS(gemv_back_all_)(m, n, A, dx, NULL, adx, ady);
  for (long i = 0; i < m; ++i) /* dy was overwritten */
    ady[i] = 0;
}

/* dC = dA B + A dB */
void KJPB(ct_gemm)(long m, long n, long k, const KT *A, const KT *B, KT *C, const KT *dA, const KT *dB, KT *dC,
                   KT *aA, KT *aB, KT *aC, KT *adA, KT *adB, KT *adC) {
  (void)C, (void)aC, (void)dC;
  if (!adC)
    return;
  if (dA) /* adA += g B^T, aB += dA^T g */
    KS(gemm_back_)(m, n, k, dA, B, adA, aB, adC);
  if (dB) /* aA += g dB^T, adB += A^T g */
    KS(gemm_back_)(m, n, k, A, dB, aA, adB, adC);
  for (long i = 0; i < m * n; ++i) /* dC was overwritten */
    adC[i] = 0;
}
