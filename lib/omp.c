/*
 * Cotangent runtime: OpenMP parallel regions in gradients.
 *
 * The gradient of a function with `#pragma omp parallel` forks the region's
 * augmented forward once (each thread leaves its tape in a region record)
 * and, in the reverse pass, forks the region's reverse with the same team
 * size; thread t replays tape t. Nothing here calls libomp: the generated
 * code asks libomp for thread numbers and passes them in, so programs
 * without OpenMP never pull it in.
 *
 * Critical sections (and reductions, which the pass turns into critical
 * sections) run as ticket locks: the forward hands out tickets in the order
 * threads enter, and the reverse lets them back in in exactly the opposite
 * order, so any critical body (s *= x, s = max(s, x), ...) gets the right
 * adjoint. The current region is thread-local, set by the fork wrappers.
 */
#define _POSIX_C_SOURCE 200809L
#include "runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CT_OMP_LOCKS = 16, CT_OMP_DEPTH = 16 };

typedef struct {
  _Atomic(const void *) name; /* the critical section's lock variable */
  atomic_long next;           /* forward: next ticket to hand out */
  atomic_long turn;           /* ticket allowed in now */
} ct_omp_lock;

struct ct_omp_region {
  atomic_int nthreads;        /* team size of the forward (0 before) */
  _Atomic(void **) tapes;     /* one per thread */
  ct_omp_lock locks[CT_OMP_LOCKS];
};

/* The region this thread is in (set by the fork wrappers), and the
 * tickets of the critical sections it holds. */
static _Thread_local ct_omp_region *ct_current;
static _Thread_local long ct_held[CT_OMP_DEPTH];
static _Thread_local int ct_nheld;

/* Critical sections outside any differentiated parallel region: one mutex,
 * mirrored in the reverse. */
static pthread_mutex_t ct_orphan_lock = PTHREAD_MUTEX_INITIALIZER;

ct_omp_region *__ct_omp_region_new(void) {
  ct_omp_region *r = calloc(1, sizeof *r);
  if (!r)
    __ct_runtime_error("out of memory allocating an OpenMP region record");
  return r;
}

void *__ct_omp_enter_forward(ct_omp_region *r, int tid, int nthreads) {
  void **tapes = atomic_load(&r->tapes);
  if (!tapes) { /* the first thread in allocates the team's tape array */
    void **fresh = calloc((size_t)nthreads, sizeof *fresh);
    if (!fresh)
      __ct_runtime_error("out of memory allocating an OpenMP region record");
    if (!atomic_compare_exchange_strong(&r->tapes, &tapes, fresh))
      free(fresh);
  }
  atomic_store(&r->nthreads, nthreads); /* the same in every thread */
  (void)tid;
  void *prev = ct_current;
  ct_current = r;
  return prev;
}

void __ct_omp_leave_forward(ct_omp_region *r, int tid, void *tape, void *prev) {
  atomic_load(&r->tapes)[tid] = tape;
  ct_current = prev;
}

int __ct_omp_team_size(ct_omp_region *r) { return atomic_load(&r->nthreads); }

void *__ct_omp_enter_reverse(ct_omp_region *r, int tid, int nthreads, void **tape) {
  if (nthreads != atomic_load(&r->nthreads))
    __ct_runtime_error("the reverse pass of an OpenMP parallel region got a different number of "
                       "threads than its forward pass (is omp_set_dynamic on?)");
  *tape = atomic_load(&r->tapes)[tid];
  void *prev = ct_current;
  ct_current = r;
  return prev;
}

void __ct_omp_leave_reverse(void *prev) { ct_current = prev; }

/* After the reverse: freed, or made ready for another reverse (pullbacks
 * applied again). */
void __ct_omp_region_done(ct_omp_region *r, int keep) {
  if (keep) {
    for (int i = 0; i < CT_OMP_LOCKS; ++i)
      atomic_store(&r->locks[i].turn, atomic_load(&r->locks[i].next));
    return;
  }
  free(atomic_load(&r->tapes));
  free(r);
}

static ct_omp_lock *lock_of(ct_omp_region *r, const void *name) {
  for (int i = 0; i < CT_OMP_LOCKS; ++i) {
    const void *n = atomic_load(&r->locks[i].name);
    if (n == name)
      return &r->locks[i];
    if (!n) {
      const void *expected = NULL;
      if (atomic_compare_exchange_strong(&r->locks[i].name, &expected, name) || expected == name)
        return &r->locks[i];
    }
  }
  __ct_runtime_error("too many different critical sections (over 16) in one OpenMP parallel region");
}

static void wait_turn(ct_omp_lock *l, long ticket) {
  for (unsigned spins = 0; atomic_load_explicit(&l->turn, memory_order_acquire) != ticket; ++spins)
    if (spins > 64)
      sched_yield(); /* more threads than cores: let the holder run */
}

static void hold(long ticket) {
  if (ct_nheld == CT_OMP_DEPTH)
    __ct_runtime_error("critical sections nested too deeply");
  ct_held[ct_nheld++] = ticket;
}

static long release(void) {
  if (ct_nheld == 0)
    __ct_runtime_error("leaving a critical section that was not entered");
  return ct_held[--ct_nheld];
}

void __ct_omp_critical_enter(const void *name) {
  if (!ct_current) {
    pthread_mutex_lock(&ct_orphan_lock);
    return;
  }
  ct_omp_lock *l = lock_of(ct_current, name);
  long t = atomic_fetch_add(&l->next, 1);
  wait_turn(l, t);
  hold(t);
}

long __ct_omp_critical_exit(const void *name) {
  if (!ct_current) {
    pthread_mutex_unlock(&ct_orphan_lock);
    return 0;
  }
  long t = release();
  atomic_store_explicit(&lock_of(ct_current, name)->turn, t + 1, memory_order_release);
  return t;
}

/* The reverse of a critical section: ticket t gets in after t + 1 left. */
void __ct_omp_critical_reverse_enter(const void *name, long ticket) {
  if (!ct_current) {
    pthread_mutex_lock(&ct_orphan_lock);
    return;
  }
  wait_turn(lock_of(ct_current, name), ticket + 1);
  hold(ticket);
}

void __ct_omp_critical_reverse_exit(const void *name) {
  if (!ct_current) {
    pthread_mutex_unlock(&ct_orphan_lock);
    return;
  }
  long t = release();
  atomic_store_explicit(&lock_of(ct_current, name)->turn, t, memory_order_release);
}
