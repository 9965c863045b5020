/* One instance of the kernel building blocks, included by kernels_simd.c
 * once per (instruction set, element type) with
 *   KT        the element type (double or float)
 *   KI        the signed integer type of KT's width (for exp's bit tricks)
 *   KBYTES    the vector width in bytes (the element size for scalar code)
 *   KN(name)  the instance's name for `name`
 * Vectors are GCC/Clang vector extensions; unaligned loads and stores go
 * through an element-aligned vector type. Loops keep four accumulators to
 * hide the latency of the adds. */
typedef KT KN(vec) __attribute__((vector_size(KBYTES), aligned(sizeof(KT)), may_alias));
typedef KI KN(ivec) __attribute__((vector_size(KBYTES)));
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

/* ---- exp, vectorized (libm's exp is scalar: calling it per element made
 * the exp-bound kernels as slow as the differentiated loops they replace).
 * exp(t) = 2^k exp(r), k = round(t / ln 2), r = t - k ln 2 (ln 2 split in
 * two so that k ln2_hi is exact), |r| <= ln(2)/2, exp(r) by its Taylor
 * polynomial (degree 13 for double, 7 for float: truncation below half
 * an ulp), 2^k built in the exponent bits in two factors so that results
 * in the subnormal range are rounded once. Within about 2 ulp of exp;
 * exact 0 below the underflow threshold, inf above overflow, NaN for NaN. */
static KN(vec) KN(expv)(KN(vec) t) {
  const int dbl = sizeof(KT) == 8;
  const int mant = dbl ? 52 : 23, bias = dbl ? 1023 : 127;
  const KT shifter = dbl ? 0x1.8p52 : 0x1.8p23f; /* adding it rounds to an integer */
  const KT ln2_hi = dbl ? 0x1.62e42feep-1 : 0x1.62e4p-1f;
  const KT ln2_lo = dbl ? 0x1.a39ef35793c76p-33 : 0x1.7f7d1cp-20f;
  const KT lo = dbl ? -746.0 : -105.0f, hi = dbl ? 710.0 : 89.0f;
  KN(vec) lov = lo + (KN(vec)){0}, hiv = hi + (KN(vec)){0};
  KN(vec) tc = __builtin_elementwise_min(__builtin_elementwise_max(t, lov), hiv);
  KN(vec) y = tc * (KT)1.4426950408889634 + shifter;
  KN(ivec) k = (KN(ivec))y - (KN(ivec))(shifter + (KN(vec)){0});
  KN(vec) kf = y - shifter;
  KN(vec) r = (tc - kf * ln2_hi) - kf * ln2_lo;
  KN(vec) p = (KN(vec)){0} + (dbl ? (KT)(1.0 / 6227020800.0) : (KT)(1.0 / 5040.0));
  if (dbl) { /* 1/12! .. 1/7! */
    p = p * r + (KT)(1.0 / 479001600.0);
    p = p * r + (KT)(1.0 / 39916800.0);
    p = p * r + (KT)(1.0 / 3628800.0);
    p = p * r + (KT)(1.0 / 362880.0);
    p = p * r + (KT)(1.0 / 40320.0);
    p = p * r + (KT)(1.0 / 5040.0);
  }
  p = p * r + (KT)(1.0 / 720.0);
  p = p * r + (KT)(1.0 / 120.0);
  p = p * r + (KT)(1.0 / 24.0);
  p = p * r + (KT)(1.0 / 6.0);
  p = p * r + (KT)0.5;
  p = p * r + (KT)1;
  p = p * r + (KT)1;
  KN(ivec) k1 = k >> 1, k2 = k - k1;
  KN(vec) s1 = (KN(vec))((k1 + bias) << mant), s2 = (KN(vec))((k2 + bias) << mant);
  KN(vec) e = p * s1 * s2;
  KN(ivec) num = (KN(ivec))(t == t); /* all ones where t is not NaN */
  return (KN(vec))(((KN(ivec))e & num) | ((KN(ivec))t & ~num));
}

/* x[i..i+w) - c into a vector, lanes from w on = -inf (exp gives 0) */
static KN(vec) KN(tail_minus)(const KT *x, long w, KT c) {
  KN(vec) v;
  for (long l = 0; l < KL; ++l)
    v[l] = l < w ? x[l] - c : -__builtin_inf();
  return v;
}

static KT KN(sumexp)(const KT *x, long n, KT c, KT *out) {
  KN(vec) a0 = {0}, a1 = {0};
  long i = 0;
  if (out) {
    for (; i + 2 * KL <= n; i += 2 * KL) {
      KN(vec) e0 = KN(expv)(KLOAD(x + i) - c), e1 = KN(expv)(KLOAD(x + i + KL) - c);
      KSTORE(out + i, e0);
      KSTORE(out + i + KL, e1);
      a0 += e0;
      a1 += e1;
    }
  } else {
    for (; i + 2 * KL <= n; i += 2 * KL) {
      a0 += KN(expv)(KLOAD(x + i) - c);
      a1 += KN(expv)(KLOAD(x + i + KL) - c);
    }
  }
  for (; i < n; i += KL) { /* the rest, a vector at a time (lanes past n give 0) */
    KN(vec) e = KN(expv)(KN(tail_minus)(x + i, n - i, c));
    for (long l = 0; l < KL && i + l < n; ++l)
      if (out)
        out[i + l] = e[l];
    a0 += e;
  }
  return KN(hsum)(a0 + a1);
}

static void KN(addexp)(long n, KT a, const KT *x, KT c, KT *dx) {
  long i = 0;
  for (; i + KL <= n; i += KL)
    KSTORE(dx + i, KLOAD(dx + i) + a * KN(expv)(KLOAD(x + i) - c));
  if (i < n) {
    KN(vec) e = KN(expv)(KN(tail_minus)(x + i, n - i, c));
    for (long l = 0; i + l < n; ++l)
      dx[i + l] += a * e[l];
  }
}

/* sum_i exp(x[i] - c) d[i] (forward mode of logsumexp: c is its value) */
static KT KN(expdot)(const KT *x, long n, KT c, const KT *d) {
  KN(vec) a0 = {0}, a1 = {0};
  long i = 0;
  for (; i + 2 * KL <= n; i += 2 * KL) {
    a0 += KN(expv)(KLOAD(x + i) - c) * KLOAD(d + i);
    a1 += KN(expv)(KLOAD(x + i + KL) - c) * KLOAD(d + i + KL);
  }
  KT s = KN(hsum)(a0 + a1);
  for (; i < n; i += KL) { /* the rest, a vector at a time */
    KN(vec) e = KN(expv)(KN(tail_minus)(x + i, n - i, c));
    for (long l = 0; l < KL && i + l < n; ++l)
      s += e[l] * d[i + l];
  }
  return s;
}

/* dout = out * (dx - s) (forward mode of softmax; dout may be dx) */
static void KN(softmax_fwd)(long n, const KT *out, const KT *dx, KT *dout, KT s) {
  long i = 0;
  for (; i + KL <= n; i += KL)
    KSTORE(dout + i, KLOAD(out + i) * (KLOAD(dx + i) - s));
  for (; i < n; ++i)
    dout[i] = out[i] * (dx[i] - s);
}

/* du and dv must not overlap (kernels_api.h checks): each vector's loads
 * come before its stores, so that a store never waits on a load of the
 * other array at the same offset modulo 4 KiB (large arrays from malloc
 * all start at the same page offset) */
static void KN(axpy2)(long n, KT a, const KT *u, const KT *v, KT *du, KT *dv) {
  long i = 0;
  for (; i + KL <= n; i += KL) {
    KN(vec) uu = KLOAD(u + i), vv = KLOAD(v + i), gu = KLOAD(du + i), gv = KLOAD(dv + i);
    KSTORE(du + i, gu + a * vv);
    KSTORE(dv + i, gv + a * uu);
  }
  for (; i < n; ++i) {
    KT uu = u[i], vv = v[i];
    du[i] += a * vv;
    dv[i] += a * uu;
  }
}

static KT KN(axpy_dot)(long n, KT a, const KT *x, const KT *dy, KT *dx) {
  KN(vec) a0 = {0}, a1 = {0};
  long i = 0;
  for (; i + 2 * KL <= n; i += 2 * KL) {
    KN(vec) g0 = KLOAD(dy + i), g1 = KLOAD(dy + i + KL);
    a0 += KLOAD(x + i) * g0;
    a1 += KLOAD(x + i + KL) * g1;
    KSTORE(dx + i, KLOAD(dx + i) + a * g0);
    KSTORE(dx + i + KL, KLOAD(dx + i + KL) + a * g1);
  }
  for (; i + KL <= n; i += KL) {
    KN(vec) g = KLOAD(dy + i);
    a0 += KLOAD(x + i) * g;
    KSTORE(dx + i, KLOAD(dx + i) + a * g);
  }
  KT s = KN(hsum)(a0 + a1);
  for (; i < n; ++i) {
    KT g = dy[i];
    s += x[i] * g;
    dx[i] += a * g;
  }
  return s;
}

#undef KL
#undef KLOAD
#undef KSTORE
