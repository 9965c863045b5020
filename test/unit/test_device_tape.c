/*
 * Unit tests for the device runtime (lib/gpu/device_rt.c), compiled for the
 * host: the per-thread tape (LIFO contents across growth, reserve,
 * mark/rewind), the memcpy adjoints (overlap both ways, atomic variant;
 * mixed layouts: copy_fields_check.h),
 * shadow release, and sizes too large to satisfy (an overflowed size that
 * generated code saturated to SIZE_MAX) trapping instead of wrapping.
 * (Its shared-memory zeroing is NVPTX-only.)
 */
#define _POSIX_C_SOURCE 200809L /* fork */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/gpu/device_rt.c"

#include "copy_fields_check.h"

static void test_lifo_across_growth(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(0);
  enum { N = 5000 };
  for (int i = 0; i < N; ++i) {
    size_t bytes = 1 + (size_t)(i * 7) % 40;
    unsigned char *p = __ct_tape_push(t, bytes, 16);
    assert_int_equal((uintptr_t)p % 16, 0);
    for (size_t k = 0; k < bytes; ++k)
      p[k] = (unsigned char)(i + k);
  }
  assert_true(t->cap >= t->used);
  for (int i = N; i-- > 0;) {
    size_t bytes = 1 + (size_t)(i * 7) % 40;
    unsigned char *p = __ct_tape_pop(t, bytes, 16);
    for (size_t k = 0; k < bytes; ++k)
      assert_int_equal(p[k], (unsigned char)(i + k));
  }
  assert_int_equal(t->used, 0);
  __ct_tape_destroy(t);
}

static void test_reserve_and_rewind(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(1000);
  __ct_tape_reserve(t, 100000);
  assert_true(t->cap >= 100000);
  double *a = __ct_tape_push(t, sizeof(double), 16);
  *a = 3.5;
  ct_tape_mark m;
  __ct_tape_mark(t, &m);
  double *b = __ct_tape_push(t, sizeof(double), 16);
  *b = 4.5;
  assert_true(*(double *)__ct_tape_pop(t, sizeof(double), 16) == 4.5);
  __ct_tape_rewind(t, &m); /* what was popped after the mark is live again: here nothing */
  assert_true(*(double *)__ct_tape_pop(t, sizeof(double), 16) == 3.5);
  __ct_tape_rewind(t, &m);
  assert_int_equal(t->used, m.used);
  __ct_tape_destroy(t);
  __ct_tape_destroy(NULL);
}

static void check_copy_adjoint(long shift, int atomic) {
  /* memmove(dst, src, n) with dst = src + shift inside one buffer:
     afterwards d(src) += d(dst) taken as a whole, d(dst) = 0 */
  enum { N = 8, LEN = 30, AT = 11 }; /* src at AT, dst at AT + shift, |shift| <= 10 */
  double buf[LEN], want[LEN];
  for (int i = 0; i < LEN; ++i)
    buf[i] = want[i] = 1.0 + i;
  double *src = buf + AT, *dst = buf + AT + shift;
  double taken[N];
  for (int i = 0; i < N; ++i)
    taken[i] = want[AT + shift + i];
  for (int i = 0; i < N; ++i)
    want[AT + shift + i] = 0;
  for (int i = 0; i < N; ++i)
    want[AT + i] += taken[i];
  if (atomic)
    __ct_copy_adjoint_atomic_f64(src, dst, N * sizeof(double));
  else
    __ct_copy_adjoint_f64(src, dst, N * sizeof(double));
  for (int i = 0; i < LEN; ++i)
    assert_true(buf[i] == want[i]);
}

static void test_copy_adjoints(void **state) {
  (void)state;
  for (long shift = -10; shift <= 10; ++shift)
    if (shift) {
      check_copy_adjoint(shift, 0);
      if (shift <= -8 || shift >= 8) /* the atomic one is for disjoint copies (a thread's local) */
        check_copy_adjoint(shift, 1);
    }
}

static void test_copy_fields(void **state) {
  (void)state;
  assert_true(check_copy_fields_all(__ct_copy_adjoint_fields, 1));
  /* the atomic one is for disjoint copies (a thread's local) */
  assert_true(check_copy_fields_all(__ct_copy_adjoint_fields_atomic, 0));
}

static void test_release_shadow(void **state) {
  (void)state;
  double *p = malloc(4 * sizeof *p);
  for (int i = 0; i < 4; ++i)
    p[i] = i + 1;
  __ct_release_shadow(p, 4 * sizeof *p, 1);
  for (int i = 0; i < 4; ++i)
    assert_true(p[i] == 0);
  __ct_release_shadow(p, 4 * sizeof *p, 0);
}

/* Runs fn in a child: it must trap (SIGILL), not return. */
static void expect_trap(void (*fn)(void)) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGILL, SIG_DFL); /* not the harness's handler */
    fn();
    _exit(0);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGILL)
    fail_msg("expected a trap, got status %d", status);
}

static void push_overflowed(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, 16, 16);
  __ct_tape_push(t, SIZE_MAX, 16); /* SLOT() would wrap to 0 */
}

static void reserve_overflowed(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, 16, 16);
  __ct_tape_reserve(t, SIZE_MAX); /* used + bytes would wrap */
}

static void test_huge_sizes_trap(void **state) {
  (void)state;
  expect_trap(push_overflowed);
  expect_trap(reserve_overflowed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lifo_across_growth),
      cmocka_unit_test(test_reserve_and_rewind),
      cmocka_unit_test(test_copy_adjoints),
      cmocka_unit_test(test_copy_fields),
      cmocka_unit_test(test_release_shadow),
      cmocka_unit_test(test_huge_sizes_trap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
