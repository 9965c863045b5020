/*
 * Unit tests for the runtime's allocation shadows (lib/shadow_alloc.c):
 * posix_memalign as a call returning the block and its status; aligned
 * zeroed shadows (the alignment asked for, also when it is not a power of
 * two or smaller than a pointer); realloc's new shadow (zeroed, the old
 * shadow's bytes copied only when asked, up to the smaller block) and the
 * reverse move of adjoints (added into the old shadow up to the smaller
 * block, cleared in the new one; nothing for NULL or element 0); plain
 * shadow blocks: released ones come back for the same size, zeroed over
 * their whole usable size, kept ones are zeroed, overflowing sizes give
 * NULL, and a thread's cached blocks are freed when it ends.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static void posix_memalign_block_and_status(void **state) {
  (void)state;
  double *p = __ct_posix_memalign(64, 10 * sizeof(double));
  assert_non_null(p);
  assert_int_equal(__ct_posix_memalign_status(), 0);
  assert_int_equal((uintptr_t)p % 64, 0);
  p[9] = 1.0; /* the whole block is usable */
  free(p);
  assert_null(__ct_posix_memalign(3, 16)); /* not a power of two */
  assert_int_equal(__ct_posix_memalign_status(), EINVAL);
}

static void aligned_shadow_is_zeroed_and_aligned(void **state) {
  (void)state;
  size_t aligns[] = {1, 8, 16, 32, 64, 48, 4096};
  for (size_t k = 0; k < sizeof aligns / sizeof *aligns; ++k) {
    unsigned char *s = __ct_shadow_alloc_aligned(aligns[k], 100, NULL);
    assert_non_null(s);
    size_t want = aligns[k] < sizeof(void *) ? sizeof(void *) : aligns[k];
    if (want == 48)
      want = 64; /* rounded up to a power of two */
    assert_int_equal((uintptr_t)s % want, 0);
    for (int i = 0; i < 100; ++i)
      assert_int_equal(s[i], 0);
    free(s);
  }
}

static void realloc_shadow_copies_only_pointers(void **state) {
  (void)state;
  double *primal = malloc(4 * sizeof(double)), *old = malloc(4 * sizeof(double));
  for (int i = 0; i < 4; ++i)
    old[i] = i + 1;
  /* values: a new zeroed shadow */
  double *s = __ct_shadow_realloc(primal, old, 6 * sizeof(double), 0);
  for (int i = 0; i < 6; ++i)
    assert_true(s[i] == 0.0);
  free(s);
  /* pointers: copied up to the smaller block, the rest zeroed */
  s = __ct_shadow_realloc(primal, old, 6 * sizeof(double), 1);
  for (int i = 0; i < 4; ++i)
    assert_true(s[i] == i + 1);
  for (int i = 4; i < 6; ++i)
    assert_true(s[i] == 0.0);
  free(s);
  s = __ct_shadow_realloc(primal, old, 2 * sizeof(double), 1); /* shrinking */
  assert_true(s[0] == 1 && s[1] == 2);
  free(s);
  s = __ct_shadow_realloc(NULL, NULL, 3 * sizeof(double), 1); /* realloc(NULL, n) */
  for (int i = 0; i < 3; ++i)
    assert_true(s[i] == 0.0);
  free(s);
  free(primal);
  free(old);
}

static void realloc_adjoint_moves_back(void **state) {
  (void)state;
  /* 3 doubles: 24 bytes, a block whose usable size is its size (glibc, ASan) */
  double *old = calloc(3, sizeof(double)), *grown = malloc(6 * sizeof(double));
  float *fold = calloc(6, sizeof(float)), *fnew = malloc(2 * sizeof(float));
  for (int i = 0; i < 3; ++i)
    old[i] = 10.0 * i;
  for (int i = 0; i < 6; ++i)
    grown[i] = i + 1;
  __ct_realloc_adjoint(old, grown, 6 * sizeof(double), sizeof(double));
  for (int i = 0; i < 3; ++i) {
    assert_true(old[i] == 10.0 * i + i + 1); /* added */
    assert_true(grown[i] == 0.0);            /* cleared */
  }
  for (int i = 3; i < 6; ++i) /* beyond the old block: left */
    assert_true(grown[i] == i + 1);
  fnew[0] = 1.5f;
  fnew[1] = 2.5f;
  __ct_realloc_adjoint(fold, fnew, 2 * sizeof(float), sizeof(float)); /* shrunk */
  assert_true(fold[0] == 1.5f && fold[1] == 2.5f && fold[2] == 0.0f);
  assert_true(fnew[0] == 0.0f && fnew[1] == 0.0f);
  grown[0] = 7;
  __ct_realloc_adjoint(NULL, grown, 6 * sizeof(double), sizeof(double));
  __ct_realloc_adjoint(old, grown, 6 * sizeof(double), 0); /* pointers: nothing moves */
  assert_true(grown[0] == 7 && old[0] == 1.0);
  free(old);
  free(grown);
  free(fold);
  free(fnew);
}

static void released_shadow_comes_back_zeroed(void **state) {
  (void)state;
  size_t bytes = 3 * sizeof(double) + 4; /* usable size larger than asked */
  unsigned char *p = __ct_shadow_calloc(1, bytes);
  assert_non_null(p);
  size_t usable = malloc_usable_size(p);
  for (size_t i = 0; i < usable; ++i)
    assert_int_equal(p[i], 0);
  memset(p, 0xab, usable); /* dirty, slack included */
  __ct_release_shadow(p, bytes, 0);
  unsigned char *q = __ct_shadow_calloc(1, bytes);
  assert_ptr_equal(q, p); /* from the cache, not malloc */
  for (size_t i = 0; i < usable; ++i)
    assert_int_equal(q[i], 0);
  /* another size does not take it; a kept block is zeroed, not cached */
  memset(q, 0xcd, bytes);
  __ct_release_shadow(q, bytes, 1);
  for (size_t i = 0; i < bytes; ++i)
    assert_int_equal(q[i], 0);
  __ct_release_shadow(q, bytes, 0);
  double *r = __ct_shadow_calloc(2, sizeof(double));
  assert_ptr_not_equal(r, q);
  __ct_release_shadow(r, 2 * sizeof(double), 0);
  assert_null(__ct_shadow_calloc(SIZE_MAX / 2, 4)); /* overflow: NULL, as calloc */
  __ct_release_shadow(NULL, 8, 0);
}

static void *cache_on_thread(void *arg) {
  (void)arg;
  for (int i = 1; i <= 8; ++i) /* cached until the thread ends (LeakSanitizer, valgrind) */
    __ct_release_shadow(__ct_shadow_calloc((size_t)i, 64), (size_t)i * 64, 0);
  return NULL;
}

static void thread_cache_freed_at_exit(void **state) {
  (void)state;
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, cache_on_thread, NULL), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(posix_memalign_block_and_status),
      cmocka_unit_test(aligned_shadow_is_zeroed_and_aligned),
      cmocka_unit_test(realloc_shadow_copies_only_pointers),
      cmocka_unit_test(realloc_adjoint_moves_back),
      cmocka_unit_test(released_shadow_comes_back_zeroed),
      cmocka_unit_test(thread_cache_freed_at_exit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
