/*
 * Cotangent runtime: the stack guard of recursive gradients.
 *
 * A recursive function's gradient recurses as deep as the function, with
 * larger frames (the augmented forward and the reverse each keep more
 * live values than the primal). A recursion the function survives can
 * overflow the stack in its gradient; without a check that is a segfault
 * with no message. Generated recursive split functions call
 * __ct_stack_guard on entry: it stops the program with a message naming
 * the function when less than a margin of the thread's stack is left.
 * __ct_on_thread_stack tells the runtime's other checks whether a pointer
 * is into the calling thread's stack.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include "runtime.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

/* Room kept below the guard for what runs in a frame after the check: the
 * runtime's own calls (tape growth, allocation) and libm. */
#define GUARD_MARGIN ((uintptr_t)256 * 1024)

/* The lowest stack address a gradient frame may use on this thread; 0 when
 * the bounds are unknown (no check), UINTPTR_MAX before the first call. */
static _Thread_local uintptr_t floor_address = UINTPTR_MAX;

/* The calling thread's stack, [*lo, *lo + *size), when the bounds hold the
 * address `here` (bounds that do not, a stack the program switched to or
 * an emulator's, are not trusted). */
static int thread_stack(uintptr_t here, uintptr_t *lo, size_t *size) {
  pthread_attr_t attr;
  void *low = NULL;
  if (pthread_getattr_np(pthread_self(), &attr))
    return 0;
  int failed = pthread_attr_getstack(&attr, &low, size);
  pthread_attr_destroy(&attr);
  *lo = (uintptr_t)low;
  return !failed && here >= *lo && here - *lo <= *size;
}

static uintptr_t thread_stack_floor(uintptr_t here) {
  uintptr_t lo = 0;
  size_t size = 0;
  if (!thread_stack(here, &lo, &size) || size <= 2 * GUARD_MARGIN)
    return 0;
  return lo + GUARD_MARGIN;
}

/* The calling thread's stack bounds, found once (reading them may read
 * /proc/self/maps); known == -1 when they cannot be. */
static _Thread_local struct {
  uintptr_t lo;
  size_t size;
  int known;
} own_stack;

int __ct_on_thread_stack(const void *p) {
  if (!own_stack.known)
    own_stack.known = thread_stack((uintptr_t)__builtin_frame_address(0), &own_stack.lo, &own_stack.size) ? 1 : -1;
  return own_stack.known > 0 && (uintptr_t)p >= own_stack.lo && (uintptr_t)p - own_stack.lo < own_stack.size;
}

void __ct_stack_guard(const char *function) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (here >= floor_address)
    return;
  if (floor_address == UINTPTR_MAX) {
    floor_address = thread_stack_floor(here);
    if (here >= floor_address)
      return;
  }
  char msg[400];
  snprintf(msg, sizeof msg,
           "gradient of '%s': the recursion is deeper than the stack allows (the gradient's frames are larger "
           "than the function's); raise the stack size (ulimit -s, or a thread with a larger stack) or make the "
           "recursion a loop",
           function ? function : "?");
  __ct_runtime_error(msg);
}
