/*
 * Unit tests for the OpenMP region runtime (lib/omp.c), with pthreads
 * standing in for an OpenMP team: each thread's tape lands in the region
 * record, and the reverse enters critical sections in exactly the opposite
 * order of the forward.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "runtime.h"

enum { THREADS = 4, ROUNDS = 50 };

static ct_omp_region *region;
static char lock_a, lock_b; /* two critical sections, named by address */
static long order[2 * THREADS * ROUNDS]; /* thread * 1000 + round, in entry order */
static atomic_int norder;
static long reverse_order[2 * THREADS * ROUNDS];
static atomic_int nreverse;
static pthread_barrier_t between;
static int tape_marks[THREADS]; /* stand-ins for the threads' tapes */
static atomic_int wrong_tape; /* checked in the main thread (cmocka asserts are not thread-safe) */

static void *team_member(void *arg) {
  int tid = (int)(intptr_t)arg;
  long tickets[2 * ROUNDS];
  const void *names[2 * ROUNDS];
  void *prev = __ct_omp_enter_forward(region, tid, THREADS);
  for (int r = 0; r < 2 * ROUNDS; ++r) {
    names[r] = r % 3 ? &lock_a : &lock_b;
    __ct_omp_critical_enter(names[r]);
    if (names[r] == &lock_a) /* the order of one lock's holders */
      order[atomic_fetch_add(&norder, 1)] = tid * 1000 + r;
    tickets[r] = __ct_omp_critical_exit(names[r]);
  }
  __ct_omp_leave_forward(region, tid, &tape_marks[tid], prev);
  pthread_barrier_wait(&between);
  void *tape = NULL;
  prev = __ct_omp_enter_reverse(region, tid, THREADS, &tape);
  if (tape != (void *)(&tape_marks[tid]))
    atomic_store(&wrong_tape, 1);
  for (int r = 2 * ROUNDS - 1; r >= 0; --r) {
    __ct_omp_critical_reverse_enter(names[r], tickets[r]);
    if (names[r] == &lock_a)
      reverse_order[atomic_fetch_add(&nreverse, 1)] = tid * 1000 + r;
    __ct_omp_critical_reverse_exit(names[r]);
  }
  __ct_omp_leave_reverse(prev);
  return NULL;
}

static void run_team(void) {
  atomic_store(&norder, 0);
  atomic_store(&nreverse, 0);
  pthread_barrier_init(&between, NULL, THREADS);
  pthread_t th[THREADS];
  for (int t = 0; t < THREADS; ++t)
    pthread_create(&th[t], NULL, team_member, (void *)(intptr_t)t);
  for (int t = 0; t < THREADS; ++t)
    pthread_join(th[t], NULL);
  pthread_barrier_destroy(&between);
}

static void test_reverse_order_is_opposite(void **state) {
  (void)state;
  region = __ct_omp_region_new();
  run_team();
  assert_int_equal(__ct_omp_team_size(region), THREADS);
  assert_int_equal(atomic_load(&wrong_tape), 0);
  int n = atomic_load(&norder);
  assert_int_equal(n, atomic_load(&nreverse));
  assert_true(n > THREADS * ROUNDS);
  for (int i = 0; i < n; ++i)
    assert_int_equal(reverse_order[i], order[n - 1 - i]);
  __ct_omp_region_done(region, 0);
}

/* Outside any region, critical sections are a plain mutex (mirrored). */
static void test_orphaned_critical(void **state) {
  (void)state;
  __ct_omp_critical_enter(&lock_a);
  assert_int_equal(__ct_omp_critical_exit(&lock_a), 0);
  __ct_omp_critical_reverse_enter(&lock_a, 0);
  __ct_omp_critical_reverse_exit(&lock_a);
}

static void test_atomic_copy_adjoint(void **state) {
  (void)state;
  double src[3] = {1, 2, 3}, dst[3] = {0.5, 0.25, 0};
  __ct_copy_adjoint_atomic_f64(src, dst, sizeof dst);
  assert_true(src[0] == 1.5 && src[1] == 2.25 && src[2] == 3);
  assert_true(dst[0] == 0 && dst[1] == 0 && dst[2] == 0);
  float fs[2] = {1, 1}, fd[2] = {2, 3};
  __ct_copy_adjoint_atomic_f32(fs, fd, sizeof fd);
  assert_true(fs[0] == 3 && fs[1] == 4 && fd[0] == 0 && fd[1] == 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reverse_order_is_opposite),
      cmocka_unit_test(test_orphaned_critical),
      cmocka_unit_test(test_atomic_copy_adjoint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
