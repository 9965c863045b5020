/* Revolve's schedule for checkpointed loops (CT_CHECKPOINT_LOOP).
 *
 * The pass (pass/checkpoint_loop.c) turns a checkpointed loop of k
 * iterations into a schedule: the first m iterations are a recomputed call
 * (one snapshot of the state at their start; its reverse plans its m the
 * same way), the other k - m run with one snapshot less. With s snapshots, r repetitions reverse at most
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

/* The tape budget: ct_set_tape_budget(bytes), else CT_TAPE_BUDGET from the
 * environment (a number of bytes, with an optional K, M or G suffix), read
 * at the first checkpointed loop; 0: none. */
static _Atomic long long budget = -1;

void ct_set_tape_budget(__SIZE_TYPE__ bytes) { budget = (long long)bytes; }

static long long tape_budget(void) {
  long long b = budget;
  if (b >= 0)
    return b;
  const char *v = getenv("CT_TAPE_BUDGET");
  char *end = NULL;
  double n = v ? strtod(v, &end) : 0;
  if (end && (*end == 'k' || *end == 'K'))
    n *= 1024.0;
  else if (end && (*end == 'm' || *end == 'M'))
    n *= 1024.0 * 1024.0;
  else if (end && (*end == 'g' || *end == 'G'))
    n *= 1024.0 * 1024.0 * 1024.0;
  b = n > 0 ? (long long)n : 0;
  budget = b;
  return b;
}

static int verbose(void) {
  static int on = -1;
  if (on < 0) {
    const char *v = getenv("CT_VERBOSE");
    on = v && *v && *v != '0';
  }
  return on;
}

/* The snapshots a loop of k iterations gets (0: tape every iteration).
 * s > 0, the user's number; s <= 0 automatic: under a tape budget, no
 * checkpointing when k iterations of iter_bytes each (the pass's count of
 * what one iteration tapes, 0 when it cannot tell) fit in it, else as many
 * snapshots of snapshot_bytes (the state and the recomputed call's
 * records) as half the budget holds (a recomputed part's snapshot is held
 * twice while it runs again); without a budget, the fewest with which no
 * iteration runs more than 4 times. Then raised until no iteration runs
 * more than 64 times (which also bounds the depth of the recursion, one
 * level per repetition). CT_VERBOSE=1 prints the choice. */
static int choose_snapshots(long k, int s, long snapshot_bytes, long iter_bytes, int is_while) {
  long long most = 64, b = s < 1 ? tape_budget() : 0;
  const char *what = is_while ? "while loop (its count known from the forward pass, run again from one snapshot)"
                              : "loop";
  if (b > 0 && iter_bytes > 0 && (long long)k * iter_bytes <= b) {
    if (verbose())
      fprintf(stderr, "cotangent: %s of %ld iterations, %ld tape bytes each, fits the tape budget of %lld bytes: "
                      "taped\n", what, k, iter_bytes, b);
    return 0;
  }
  if (b > 0) {
    long long fit = b / (2 * (snapshot_bytes > 0 ? snapshot_bytes : 1));
    s = fit > k ? (int)(k < 1 ? 1 : k > 1 << 30 ? 1 << 30 : k) : fit < 1 ? 1 : (int)fit;
  } else if (s < 1) {
    most = 3;
    s = 1;
  }
  while (s < k && repetitions(k, s) > most)
    ++s;
  if (verbose() && k > 0)
    fprintf(stderr, "cotangent: checkpointed %s of %ld iterations%s: %d snapshots of about %ld bytes, each iteration "
                    "run at most %lld times in the gradient (binomial schedule)\n", what, k,
            b > 0 ? " (over the tape budget)" : "", s, snapshot_bytes, repetitions(k, s) + 1 + is_while);
  return s;
}

int __ct_revolve_snapshots(long k, int s, long snapshot_bytes, long iter_bytes) {
  return choose_snapshots(k, s, snapshot_bytes, iter_bytes, 0);
}

/* The same for a while loop (CT_CHECKPOINT_LOOP before a loop whose trip
 * count is not known when it starts: pass/checkpoint_loop.c's
 * <f>.ct_while): the gradient's forward pass runs its k iterations once,
 * counting them, and keeps one snapshot of the state at its start; the
 * reverse pass runs them again from it on the binomial schedule for k,
 * with the snapshots chosen here: at most s + 1 snapshots (and the
 * recomputed parts' copies), each iteration run at most once more than in
 * a counted loop of k iterations. */
int __ct_revolve_snapshots_while(long k, int s, long snapshot_bytes, long iter_bytes) {
  return choose_snapshots(k, s, snapshot_bytes, iter_bytes, 1);
}

/* The bytes of a malloc'd block, for its snapshots. */
long __ct_heap_bytes(void *p) { return p ? (long)malloc_usable_size(p) : 0; }

/* CT_CHECKPOINT_LOOP's marker, for code built without the pass (a no-op). */
void __ct_checkpoint_loop(int snapshots) { (void)snapshots; }
