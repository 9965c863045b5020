/* Revolve's schedule for checkpointed loops (CT_CHECKPOINT_LOOP).
 *
 * The pass (pass/checkpoint_loop.c) turns a checkpointed loop of k
 * iterations into a recursion: the first m iterations are a recomputed call
 * (one snapshot of the state at their start), the other k - m run with one
 * snapshot less. With s snapshots, r repetitions reverse at most
 * beta(s, r) = C(s + r, s) iterations (Griewank, "Achieving logarithmic
 * growth of temporal and spatial complexity in reverse automatic
 * differentiation", 1992); an m with m <= beta(s, r - 1) and
 * k - m <= beta(s - 1, r) keeps the smallest r, and the one taken here is
 * also in the range that minimises the total number of iterations run
 * (beta(s, r - 2) <= m, beta(s - 1, r - 1) <= k - m; Griewank & Walther,
 * ACM TOMS 26(1), 2000). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

/* The smallest r with beta(s, r) >= k, and *b = beta(s, r): O(r), once
 * per recursion step of the schedule (the primal runs it too). */
static long long repetitions_beta(long long k, long long s, long long *b) {
  const long long cap = (long long)1 << 60;
  long long r = 0, v = 1;
  while (v < k) {
    ++r;
    v = v >= cap / (s + r) ? cap : v * (s + r) / r; /* C(s + r, r) from C(s + r - 1, r - 1), exact */
  }
  *b = v;
  return r;
}

static long long repetitions(long long k, long long s) {
  long long b;
  return repetitions_beta(k, s, &b);
}

long __ct_revolve_split(long k, int s) {
  if (k <= 1 || s <= 0)
    return k;
  long long b; /* beta(s, r); the others from it, exactly (Pascal's rule's factors) */
  long long r = repetitions_beta(k, s, &b);
  long long right = b * s / (s + r);                             /* beta(s - 1, r) */
  long long left = b * r / (s + r);                              /* beta(s, r - 1) */
  long long left2 = r >= 1 ? left * (r - 1) / (s + r - 1) : 0;    /* beta(s, r - 2) */
  long long right1 = r >= 1 ? left * s / (s + r - 1) : 0;        /* beta(s - 1, r - 1) */
  long long lo = k - right, hi = left;
  long long m = lo > left2 ? lo : left2;
  if (m > hi || m > k - right1)
    m = lo;
  if (m < 1)
    m = 1;
  if (m > k - 1)
    m = k - 1;
  return (long)m;
}

/* The snapshots a loop of k iterations gets: the user's number (0:
 * automatic, the fewest with which no iteration runs more than 4 times),
 * raised until no iteration runs more than 64 times (which also bounds the
 * recursion's depth by s + 64). CT_VERBOSE=1 prints the schedule. */
int __ct_revolve_snapshots(long k, int s) {
  long long most = s < 1 ? 3 : 64;
  if (s < 1)
    s = 1;
  while (s < k && repetitions(k, s) > most)
    ++s;
  static int verbose = -1;
  if (verbose < 0) {
    const char *v = getenv("CT_VERBOSE");
    verbose = v && *v && *v != '0';
  }
  if (verbose && k > 0)
    fprintf(stderr, "cotangent: checkpointed loop of %ld iterations: %d snapshots, each iteration run at most %lld "
                    "times in the gradient (binomial schedule)\n",
            k, s, repetitions(k, s) + 1);
  return s;
}

/* The bytes of a malloc'd block, for its snapshots. */
long __ct_heap_bytes(void *p) { return p ? (long)malloc_usable_size(p) : 0; }

/* CT_CHECKPOINT_LOOP's marker, for code built without the pass (a no-op). */
void __ct_checkpoint_loop(int snapshots) { (void)snapshots; }
