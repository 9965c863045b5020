/* Running out of memory in a gradient stops the program with a
 * "cotangent: out of memory" message and a non-zero exit, never a crash:
 *   - trip counts so large that the tape space for a loop (trips x record
 *     bytes, computed before the loop runs) overflows 64 bits, as for
 *     merely too large trip counts, instead of wrapping to a small size and
 *     writing past it (a segfault before the fix);
 *   - a shadow of heap memory that cannot be allocated although the
 *     function's own allocation succeeded (under an address-space limit;
 *     not under ASan, whose shadow memory needs the address space).
 * Each case runs in a forked child. Small trip counts still give the
 * analytic gradient. */
#define _POSIX_C_SOURCE 200809L /* fork */
#include <cotangent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"

/* r <- r * x[i % 4] + 1 for n steps: one record per iteration */
static double chain(const double *x, unsigned long n) {
  double r = 1;
  for (unsigned long i = 0; i < n; ++i)
    r = r * x[i & 3] + sin(r);
  return r;
}

/* a heap scratch copy of n elements */
static double scratch(const double *x, long n) {
  double *t = malloc((size_t)n * sizeof *t);
  if (!t)
    return 0;
  for (long i = 0; i < n; ++i)
    t[i] = 2 * x[i & 3];
  double r = t[0] * t[n - 1];
  free(t);
  return r;
}

/* the address space this process uses now */
static size_t address_space(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (!f || fscanf(f, "%lu", &pages) != 1)
    pages = 0;
  if (f)
    fclose(f);
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* room for the scratch array, not for its shadow as well */
static void shadow_out_of_memory(void) {
  long n = 160L << 17; /* 160 MiB */
  struct rlimit limit = {address_space() + (256UL << 20), RLIM_INFINITY};
  if (setrlimit(RLIMIT_AS, &limit) != 0)
    return;
  double x[4] = {0.5, 0.25, 0.125, 1}, dx[4] = {0};
  ct_gradient(scratch, x, dx, n);
}

static void tape_overflow(unsigned long n) {
  double x[4] = {0.5, 0.25, 0.125, 1}, dx[4] = {0};
  ct_gradient(chain, x, dx, n);
}

/* n > 0: a tape of n records; 0: a shadow that does not fit */
static void run_case(void *n) {
  if (*(unsigned long *)n)
    tape_overflow(*(unsigned long *)n);
  else
    shadow_out_of_memory();
}

static void expect_out_of_memory(const char *what, unsigned long n, const char *expect) {
  check_child_stops(what, run_case, &n, expect, 1);
}

int main(void) {
  const char *tape = "cotangent: out of memory growing the tape (";
  expect_out_of_memory("too large", 1UL << 61, tape);
  expect_out_of_memory("wraps to 0", 1UL << 63, tape); /* 2^63 x any even size */
  expect_out_of_memory("wraps to a small size", (1UL << 62) + 1, tape);
  expect_out_of_memory("wraps to a large size", (1UL << 62) + (1UL << 58), tape);
#if !defined(__has_feature)
#define __has_feature(x) 0
#endif
#if !__has_feature(address_sanitizer)
  expect_out_of_memory("shadow", 0,
                       "cotangent: out of memory allocating the shadow of 1 x 167772160 bytes of differentiated memory");
#endif

  /* small n: d chain / d x against the analytic derivative by hand */
  double x[4] = {0.5, 0.25, 0.125, 1}, dx[4] = {0};
  unsigned long n = 7;
  ct_gradient(chain, x, dx, n);
  double r = 1, dr_dx[4] = {0}; /* forward-mode by hand */
  for (unsigned long i = 0; i < n; ++i) {
    double xi = x[i & 3], scale = xi + cos(r);
    for (int k = 0; k < 4; ++k)
      dr_dx[k] *= scale;
    dr_dx[i & 3] += r;
    r = r * xi + sin(r);
  }
  for (int k = 0; k < 4; ++k)
    CHECK_D(dx[k], dr_dx[k]);
  return check_summary("out_of_memory");
}
