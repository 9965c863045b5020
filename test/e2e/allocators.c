/* Allocations other than malloc in differentiated code (issue 15), in the
 * shapes people write:
 *   - matrices from posix_memalign (aligned to 64, the block coming back
 *     through an out-parameter) multiplied in an i-j-k loop;
 *   - aligned_alloc and memalign scratch rows, calloc'd accumulators;
 *   - helpers that allocate scratch buffers (inlined, and noinline ones that
 *     check for NULL), freed by a helper;
 *   - allocators of another translation unit (units/allocators_lib.c),
 *     declared CT_ALLOCATOR (a counting pool with a header in front of the
 *     block: free() on it would crash), __attribute__((malloc,
 *     alloc_size(1))), and by Enzyme's __enzyme_allocation_like (a tagged
 *     allocator whose deallocator takes the tag too).
 * Each block gets a zeroed shadow of its size (aligned like it); the
 * deallocators free the primal blocks, the gradient the shadows (ASan's
 * leak check and the live-block counter see both). Checked against
 * analytic derivatives at -O0..-O3. */
/* run.sh sources: units/allocators_lib.c */
#define _GNU_SOURCE /* memalign */
#include "check.h"

#include <cotangent.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

#define N 6

/* ---- the other file's allocators ---- */
extern long allocators_live;
void pool_delete(double *p);
double *pool_new(long n) CT_ALLOCATOR(0, sizeof(double), pool_delete);
__attribute__((malloc, alloc_size(1))) void *raw_alloc(size_t bytes);
void *tagged_alloc(const char *tag, size_t bytes);
void tagged_free(const char *tag, void *p);
void *__enzyme_allocation_like[4] = {(void *)tagged_alloc, (void *)1, (void *)"0,-1", (void *)tagged_free};

/* ---- posix_memalign'd matrices in an i-j-k loop ---- */
static double *mat_alloc(int n) {
  double *m;
  if (posix_memalign((void **)&m, 64, (size_t)n * n * sizeof *m))
    return NULL;
  return m;
}

/* 1/2 |A B|^2 with A B in an aligned matrix: dA = C B^T, dB = A^T C */
static double matmul_energy(const double *a, const double *b, int n) {
  double *c = mat_alloc(n);
  if (!c)
    return 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k)
        s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
  double e = 0;
  for (int i = 0; i < n * n; ++i)
    e += 0.5 * c[i] * c[i];
  free(c);
  return e;
}

/* ---- aligned_alloc / memalign / calloc scratch, helpers ---- */
static double *scratch(int n) { return calloc((size_t)n, sizeof(double)); }

__attribute__((noinline)) static double *xmalloc(size_t bytes) {
  double *p = malloc(bytes);
  if (!p)
    abort();
  return p;
}

__attribute__((noinline)) static void release(double *p) { free(p); }

/* sum_i w_i (x_i^2 + 2 x_i + sin x_i) through four buffers */
static double buffers(const double *x, const double *w CT_NO_DERIVATIVE, int n) {
  double *sq = aligned_alloc(32, 64 * sizeof(double)); /* a multiple of the alignment */
  double *lin = memalign(64, (size_t)n * sizeof(double));
  double *acc = scratch(n);
  double *tr = xmalloc((size_t)n * sizeof(double));
  for (int i = 0; i < n; ++i) {
    sq[i] = x[i] * x[i];
    lin[i] = 2 * x[i];
    tr[i] = sin(x[i]);
    acc[i] += sq[i] + lin[i];
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += w[i] * (acc[i] + tr[i]);
  free(sq);
  free(lin);
  free(acc);
  release(tr);
  return s;
}

/* ---- another file's allocators ---- */
/* sum_i (x_i y_i)^2 + (3 x_i)^2 + exp(x_i)/2, one buffer from each */
static double foreign(const double *x, const double *y, int n) {
  double *p = pool_new(n);
  double *r = raw_alloc((size_t)n * sizeof(double));
  double *t = tagged_alloc("foreign", (size_t)n * sizeof(double));
  for (int i = 0; i < n; ++i) {
    p[i] = x[i] * y[i];
    r[i] = 3 * x[i];
    t[i] = exp(x[i]) * 0.5;
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += p[i] * p[i] + r[i] * r[i] + t[i];
  pool_delete(p);
  free(r);
  tagged_free("foreign", t);
  return s;
}

int main(void) {
  double a[N * N], b[N * N], da[N * N] = {0}, db[N * N] = {0};
  for (int i = 0; i < N * N; ++i) {
    a[i] = 0.1 * (i % 7) - 0.2;
    b[i] = 0.05 * (i % 5) + 0.1;
  }
  __enzyme_autodiff((void *)matmul_energy, enzyme_dup, a, da, enzyme_dup, b, db, enzyme_const, N);
  double c[N * N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      c[i * N + j] = 0;
      for (int k = 0; k < N; ++k)
        c[i * N + j] += a[i * N + k] * b[k * N + j];
    }
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < N; ++k) {
      double want_a = 0, want_b = 0;
      for (int j = 0; j < N; ++j) {
        want_a += c[i * N + j] * b[k * N + j];
        want_b += a[j * N + i] * c[j * N + k];
      }
      CHECK_AT_TOL("dA", i * N + k, da[i * N + k], want_a, 1e-10);
      CHECK_AT_TOL("dB", i * N + k, db[i * N + k], want_b, 1e-10);
    }

  double x[N], y[N], w[N], dx[N] = {0}, dy[N] = {0};
  for (int i = 0; i < N; ++i) {
    x[i] = 0.4 + 0.3 * i;
    y[i] = 1.1 - 0.15 * i;
    w[i] = 0.5 + 0.25 * i;
  }
  ct_gradient(buffers, x, dx, w, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d buffers", i, dx[i], w[i] * (2 * x[i] + 2 + cos(x[i])));

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  double v = ct_value_with_gradient(foreign, x, dx, y, dy, N);
  CHECK_D(v, foreign(x, y, N));
  for (int i = 0; i < N; ++i) {
    CHECK_AT_D("d foreign / dx", i, dx[i], 2 * x[i] * y[i] * y[i] + 18 * x[i] + 0.5 * exp(x[i]));
    CHECK_AT_D("d foreign / dy", i, dy[i], 2 * x[i] * x[i] * y[i]);
  }

  /* a pullback applied twice: the shadows are zeroed in between, freed at the end */
  ct_pullback_t pb;
  for (int i = 0; i < N; ++i)
    dx[i] = dy[i] = 0;
  ct_value_with_pullback(foreign, &pb, x, dx, y, dy, N);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 2.0);
  ct_pullback_free(pb);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("pullback of foreign", i, dy[i], 3 * 2 * x[i] * x[i] * y[i]);
  CHECK(allocators_live == 0);
  return check_summary("allocators");
}
