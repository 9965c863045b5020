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

static uintptr_t thread_stack_floor(uintptr_t here) {
  pthread_attr_t attr;
  void *low = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr))
    return 0;
  int failed = pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  uintptr_t lo = (uintptr_t)low;
  /* bounds that do not hold this frame (a stack the program switched to,
     an emulator's) are not trusted */
  if (failed || size <= 2 * GUARD_MARGIN || here < lo || here - lo > size)
    return 0;
  return lo + GUARD_MARGIN;
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
