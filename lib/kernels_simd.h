/* One instance of the kernel building blocks, included by kernels_simd.c
 * once per (instruction set, element type) with
 *   KT        the element type (double or float)
 *   KBYTES    the vector width in bytes (the element size for scalar code)
 *   KN(name)  the instance's name for `name`
 * Vectors are GCC/Clang vector extensions; unaligned loads and stores go
 * through an element-aligned vector type. Loops keep four accumulators to
 * hide the latency of the adds. */
typedef KT KN(vec) __attribute__((vector_size(KBYTES), aligned(sizeof(KT)), may_alias));
#define KL ((long)(KBYTES / sizeof(KT)))
#define KLOAD(p) (*(const KN(vec) *)(p))
#define KSTORE(p, v) (*(KN(vec) *)(p) = (v))

static KT KN(hsum)(KN(vec) v) {
  KT s = 0;
  for (long i = 0; i < KL; ++i)
    s += v[i];
  return s;
}

static KT KN(dot)(const KT *x, const KT *y, long n) {
  KN(vec) a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 4 * KL <= n; i += 4 * KL) {
    a0 += KLOAD(x + i) * KLOAD(y + i);
    a1 += KLOAD(x + i + KL) * KLOAD(y + i + KL);
    a2 += KLOAD(x + i + 2 * KL) * KLOAD(y + i + 2 * KL);
    a3 += KLOAD(x + i + 3 * KL) * KLOAD(y + i + 3 * KL);
  }
  for (; i + KL <= n; i += KL)
    a0 += KLOAD(x + i) * KLOAD(y + i);
  KT s = KN(hsum)((a0 + a1) + (a2 + a3));
  for (; i < n; ++i)
    s += x[i] * y[i];
  return s;
}

static KT KN(sum)(const KT *x, long n) {
  KN(vec) a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 4 * KL <= n; i += 4 * KL) {
    a0 += KLOAD(x + i);
    a1 += KLOAD(x + i + KL);
    a2 += KLOAD(x + i + 2 * KL);
    a3 += KLOAD(x + i + 3 * KL);
  }
  for (; i + KL <= n; i += KL)
    a0 += KLOAD(x + i);
  KT s = KN(hsum)((a0 + a1) + (a2 + a3));
  for (; i < n; ++i)
    s += x[i];
  return s;
}

static KT KN(max)(const KT *x, long n) {
  KT m = -__builtin_inf();
  long i = 0;
  if (n >= KL) {
    KN(vec) v = KLOAD(x);
    for (i = KL; i + KL <= n; i += KL) {
      KN(vec) w = KLOAD(x + i);
      v = __builtin_elementwise_max(v, w);
    }
    for (long l = 0; l < KL; ++l)
      m = v[l] > m ? v[l] : m;
  }
  for (; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  return m;
}

static void KN(axpy)(long n, KT a, const KT *x, KT *y) {
  long i = 0;
  for (; i + 2 * KL <= n; i += 2 * KL) {
    KSTORE(y + i, KLOAD(y + i) + a * KLOAD(x + i));
    KSTORE(y + i + KL, KLOAD(y + i + KL) + a * KLOAD(x + i + KL));
  }
  for (; i + KL <= n; i += KL)
    KSTORE(y + i, KLOAD(y + i) + a * KLOAD(x + i));
  for (; i < n; ++i)
    y[i] += a * x[i];
}

static void KN(scale)(long n, KT a, KT *x) {
  long i = 0;
  for (; i + KL <= n; i += KL)
    KSTORE(x + i, KLOAD(x + i) * a);
  for (; i < n; ++i)
    x[i] *= a;
}

static void KN(shift)(long n, KT a, KT *x) {
  long i = 0;
  for (; i + KL <= n; i += KL)
    KSTORE(x + i, KLOAD(x + i) + a);
  for (; i < n; ++i)
    x[i] += a;
}

static void KN(softmax_back)(long n, const KT *out, KT *dout, KT *dx, KT s) {
  const KN(vec) zero = {0};
  long i = 0;
  /* per vector: read dout, clear it, then add into dx (which may be dout) */
  for (; i + KL <= n; i += KL) {
    KN(vec) g = KLOAD(out + i) * (KLOAD(dout + i) - s);
    KSTORE(dout + i, zero);
    KSTORE(dx + i, KLOAD(dx + i) + g);
  }
  for (; i < n; ++i) {
    KT g = out[i] * (dout[i] - s);
    dout[i] = 0;
    dx[i] += g;
  }
}

#undef KL
#undef KLOAD
#undef KSTORE
