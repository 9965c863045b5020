/* The runtime of differentiated device code (NVPTX), built as bitcode
 * (libcotangent_rt_nvptx.bc) and linked whole into every NVPTX module the
 * plugin differentiates: a device has no runtime library to link against.
 *
 *   - the tape: one per thread (each thread runs its own gradient), a
 *     growable stack in the device heap (malloc/free, whose size the host
 *     sets with cuCtxSetLimit(CU_LIMIT_MALLOC_HEAP_SIZE)); the same
 *     __ct_tape_* interface as lib/tape.h, LIFO, 16-byte slots.
 *   - __ct_gpu_zero_shared: the block's threads clear a shared-memory shadow
 *     together (the caller adds the barrier).
 *   - shadow release and memcpy adjoints, as lib/pullback.c and
 *     lib/memory_adjoint.c on the host.
 * Running out of device heap traps (the kernel fails with an error the
 * host sees at the next synchronisation). */
typedef __SIZE_TYPE__ size_t;
void *malloc(size_t);
void free(void *);

typedef struct {
  unsigned char *base;
  size_t used, cap;
} ct_tape;

typedef struct {
  void *cur, *base, *end, *chunk;
  size_t used;
} ct_tape_mark;

#define SLOT(bytes) (((bytes) + 15) & ~(size_t)15)
/* No request this large can succeed (generated code saturates sizes that
 * overflow to SIZE_MAX); rejecting it first keeps the size arithmetic
 * below from wrapping. */
#define CT_MAX_REQUEST ((size_t)-1 >> 2)

static void grow(ct_tape *t, size_t need) {
  size_t cap = t->cap * 2;
  while (cap < need)
    cap *= 2;
  unsigned char *p = malloc(cap);
  if (!p)
    __builtin_trap(); /* device heap exhausted */
  for (size_t i = 0; i < t->used; ++i)
    p[i] = t->base[i];
  free(t->base);
  t->base = p;
  t->cap = cap;
}

ct_tape *__ct_tape_create(size_t reserve_bytes) {
  ct_tape *t = malloc(sizeof *t);
  size_t cap = reserve_bytes > 256 ? SLOT(reserve_bytes) : 256;
  if (!t || !(t->base = malloc(cap)))
    __builtin_trap();
  t->used = 0;
  t->cap = cap;
  return t;
}

void __ct_tape_reserve(ct_tape *t, size_t bytes) {
  if (bytes > CT_MAX_REQUEST)
    __builtin_trap(); /* device heap exhausted */
  if (t->used + bytes > t->cap)
    grow(t, t->used + bytes);
}

void *__ct_tape_push(ct_tape *t, size_t bytes, size_t align) {
  if (align > 16 || bytes > CT_MAX_REQUEST)
    __builtin_trap(); /* the generator only asks for 16; heap exhausted */
  size_t n = SLOT(bytes);
  if (t->used + n > t->cap)
    grow(t, t->used + n);
  void *p = t->base + t->used;
  t->used += n;
  return p;
}

void *__ct_tape_pop(ct_tape *t, size_t bytes, size_t align) {
  (void)align;
  size_t n = SLOT(bytes);
  if (bytes > CT_MAX_REQUEST || n > t->used)
    __builtin_trap(); /* a pop without its push */
  t->used -= n;
  return t->base + t->used;
}

void __ct_tape_mark(const ct_tape *t, ct_tape_mark *m) { m->used = t->used; }
void __ct_tape_rewind(ct_tape *t, const ct_tape_mark *m) { t->used = m->used; }

void __ct_tape_destroy(ct_tape *t) {
  if (!t)
    return;
  free(t->base);
  free(t);
}

#if defined(__NVPTX__) /* (the rest is also unit-tested on the host) */
void __ct_gpu_zero_shared(__attribute__((address_space(3))) double *p, size_t bytes) {
  unsigned nthreads = __nvvm_read_ptx_sreg_ntid_x() * __nvvm_read_ptx_sreg_ntid_y() * __nvvm_read_ptx_sreg_ntid_z();
  unsigned me = __nvvm_read_ptx_sreg_tid_x() +
                __nvvm_read_ptx_sreg_ntid_x() * (__nvvm_read_ptx_sreg_tid_y() + __nvvm_read_ptx_sreg_ntid_y() *
                                                                                   __nvvm_read_ptx_sreg_tid_z());
  __attribute__((address_space(3))) unsigned char *b = (__attribute__((address_space(3))) unsigned char *)p;
  for (size_t i = me; i < bytes; i += nthreads)
    b[i] = 0;
}
#endif

void __ct_release_shadow(void *p, size_t bytes, int keep) {
  if (keep)
    for (size_t i = 0; i < bytes; ++i)
      ((unsigned char *)p)[i] = 0;
  else
    free(p);
}

#define DEFINE_COPY_ADJOINT(NAME, T)                                                              \
  void NAME(T *dsrc, T *ddst, size_t bytes) {                                                     \
    size_t n = bytes / sizeof(T);                                                                 \
    if (!n || dsrc == ddst)                                                                       \
      return;                                                                                     \
    if (ddst < dsrc) {                                                                            \
      /* an overlapping destination below the source: from the end, so */                        \
      /* each adjoint is taken before anything is added into it */                               \
      for (size_t i = n; i-- > 0;) {                                                              \
        T d = ddst[i];                                                                            \
        ddst[i] = 0;                                                                              \
        dsrc[i] += d;                                                                             \
      }                                                                                           \
      return;                                                                                     \
    }                                                                                             \
    for (size_t i = 0; i < n; ++i) {                                                              \
      T d = ddst[i];                                                                              \
      ddst[i] = 0;                                                                                \
      dsrc[i] += d;                                                                               \
    }                                                                                             \
  }

DEFINE_COPY_ADJOINT(__ct_copy_adjoint_f64, double)
DEFINE_COPY_ADJOINT(__ct_copy_adjoint_f32, float)

/* other threads may add into dsrc too: atomic adds (small copies in
 * kernels: no temporary, the destination is this thread's) */
#define DEFINE_COPY_ADJOINT_ATOMIC(NAME, T)                                                       \
  void NAME(T *dsrc, T *ddst, size_t bytes) {                                                     \
    size_t n = bytes / sizeof(T);                                                                 \
    if (!n || dsrc == ddst)                                                                       \
      return;                                                                                     \
    for (size_t i = 0; i < n; ++i) {                                                              \
      T d = ddst[i];                                                                              \
      ddst[i] = 0;                                                                                \
      __atomic_fetch_add(&dsrc[i], d, __ATOMIC_RELAXED);                                          \
    }                                                                                             \
  }

DEFINE_COPY_ADJOINT_ATOMIC(__ct_copy_adjoint_atomic_f64, double)
DEFINE_COPY_ADJOINT_ATOMIC(__ct_copy_adjoint_atomic_f32, float)

/* Mixed layouts (see lib/runtime.h): each element's float/double fields,
 * from the end when an overlapping destination lies below the source. */
static void copy_adjoint_fields(char *dsrc, char *ddst, size_t bytes, const unsigned *fields, size_t nfields,
                                size_t period, int atomic) {
  if (!period || !nfields || !bytes || dsrc == ddst)
    return;
  size_t nelem = (bytes + period - 1) / period;
  int down = dsrc && ddst < dsrc && dsrc < ddst + bytes;
  for (size_t k = 0; k < nelem; ++k) {
    size_t e = down ? nelem - 1 - k : k;
    for (size_t j = 0; j < nfields; ++j) {
      unsigned f = fields[down ? nfields - 1 - j : j];
      size_t at = e * period + (f >> 1);
      if (f & 1) {
        if (at + sizeof(double) > bytes)
          continue;
        double d = *(double *)(ddst + at);
        *(double *)(ddst + at) = 0;
        if (dsrc && atomic)
          __atomic_fetch_add((double *)(dsrc + at), d, __ATOMIC_RELAXED);
        else if (dsrc)
          *(double *)(dsrc + at) += d;
      } else {
        if (at + sizeof(float) > bytes)
          continue;
        float d = *(float *)(ddst + at);
        *(float *)(ddst + at) = 0;
        if (dsrc && atomic)
          __atomic_fetch_add((float *)(dsrc + at), d, __ATOMIC_RELAXED);
        else if (dsrc)
          *(float *)(dsrc + at) += d;
      }
    }
  }
}

void __ct_copy_adjoint_fields(char *dsrc, char *ddst, size_t bytes, const unsigned *fields, size_t nfields,
                              size_t period) {
  copy_adjoint_fields(dsrc, ddst, bytes, fields, nfields, period, 0);
}

void __ct_copy_adjoint_fields_atomic(char *dsrc, char *ddst, size_t bytes, const unsigned *fields, size_t nfields,
                                     size_t period) {
  copy_adjoint_fields(dsrc, ddst, bytes, fields, nfields, period, 1);
}
