/*
 * Unit tests for the Cotangent tape (lib/tape.c) and runtime (lib/runtime.c).
 *
 * Every value pushed is derived from its index, so a pop that returns the
 * wrong block, a stale block, or a block whose bytes were overwritten is
 * caught by comparing contents, not just pointers.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"
#include "tape.h"

/* ---- helpers ----------------------------------------------------------- */

/* Small deterministic PRNG (xorshift64*): reproducible sizes per seed. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* Byte k of the block pushed at index i: depends on both, so blocks of the
 * same size but different index differ. */
static unsigned char pattern(size_t i, size_t k) {
  return (unsigned char)((i * 131u + k * 7u + (i >> 8)) & 0xffu);
}

static void fill(unsigned char *p, size_t n, size_t i) {
  for (size_t k = 0; k < n; k++)
    p[k] = pattern(i, k);
}

static int matches(const unsigned char *p, size_t n, size_t i) {
  for (size_t k = 0; k < n; k++)
    if (p[k] != pattern(i, k))
      return 0;
  return 1;
}

static double value_of(size_t i) { return (double)i * 0.5 + 1.0 / (double)(i + 3); }

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

/* ---- (a) LIFO order across chunk boundaries, mixed sizes --------------- */

#define N_MIXED 1000000

/* Pushes N_MIXED entries (doubles, and every 5th an odd-sized byte block),
 * then pops them all back checking every value.  Returns the number of bad
 * values. */
static size_t mixed_round(ct_tape *t, unsigned short *sizes, uint64_t seed) {
  size_t bad = 0;
  for (size_t i = 0; i < N_MIXED; i++) {
    if (i % 5 == 2) {
      size_t n = 1 + (size_t)(rng_next(&seed) % 301); /* 1..301, mostly odd-sized */
      sizes[i] = (unsigned short)n;
      fill(__ct_tape_push(t, n, 1), n, i);
    } else {
      sizes[i] = 0; /* marks a double */
      double v = value_of(i);
      memcpy(__ct_tape_push(t, sizeof v, _Alignof(double)), &v, sizeof v);
    }
  }
  for (size_t i = N_MIXED; i-- > 0;) {
    if (sizes[i]) {
      const unsigned char *p = __ct_tape_pop(t, sizes[i], 1);
      if (!matches(p, sizes[i], i) && bad++ == 0)
        fprintf(stderr, "block %zu (%u bytes) corrupted\n", i, sizes[i]);
    } else {
      double v;
      memcpy(&v, __ct_tape_pop(t, sizeof v, _Alignof(double)), sizeof v);
      if (v != value_of(i) && bad++ == 0)
        fprintf(stderr, "double %zu: got %g want %g\n", i, v, value_of(i));
    }
  }
  return bad;
}

static void test_lifo_mixed_sizes_across_chunks(void **state) {
  (void)state;
  unsigned short *sizes = malloc(N_MIXED * sizeof *sizes);
  assert_non_null(sizes);
  ct_tape *t = __ct_tape_create(0);

  assert_int_equal(mixed_round(t, sizes, 42), 0);
  /* ~32 MB of slots went through a 16 KiB first chunk: many boundaries. */
  size_t chunks = __ct_tape_chunk_count(t);
  size_t peak = __ct_tape_peak_bytes(t);
  assert_true(chunks >= 4);
  /* Geometric growth: a handful of mallocs for ~32 MB, not one per value,
   * and not much more capacity than was ever needed. */
  assert_true(chunks <= 16);
  assert_true(__ct_tape_capacity_bytes(t) < 3 * peak);
  assert_int_equal(__ct_tape_bytes(t), 0);

  /* Second round with different sizes reuses the kept chunks. */
  assert_int_equal(mixed_round(t, sizes, 7), 0);
  assert_int_equal(__ct_tape_bytes(t), 0);
  assert_true(__ct_tape_chunk_count(t) <= chunks + 1);

  __ct_tape_destroy(t);
  free(sizes);
}

/* ---- (b) alignment of every slot --------------------------------------- */

#define N_ALIGN 40000

static void check_alignment(size_t align) {
  ct_tape *t = __ct_tape_create(0);
  unsigned char **ptrs = malloc(N_ALIGN * sizeof *ptrs);
  size_t *sizes = malloc(N_ALIGN * sizeof *sizes);
  size_t *aligns = malloc(N_ALIGN * sizeof *aligns);
  assert_non_null(ptrs);
  assert_non_null(sizes);
  assert_non_null(aligns);
  uint64_t seed = 1000 + align;
  size_t misaligned = 0;

  for (size_t i = 0; i < N_ALIGN; i++) {
    /* Interleave odd-sized default-aligned pushes so cur is often not
     * aligned to `align` when the over-aligned push arrives. */
    sizes[i] = (size_t)(rng_next(&seed) % 200);
    aligns[i] = (i % 3 == 1) ? 1 : align;
    ptrs[i] = __ct_tape_push(t, sizes[i], aligns[i]);
    if ((uintptr_t)ptrs[i] % max_sz(aligns[i], 16) != 0 && misaligned++ == 0)
      fprintf(stderr, "push %zu (align %zu) misaligned: %p\n", i, aligns[i],
              (void *)ptrs[i]);
    fill(ptrs[i], sizes[i], i);
  }
  assert_int_equal(misaligned, 0);
  assert_true(__ct_tape_chunk_count(t) >= 3); /* crossed chunk boundaries */

  size_t bad = 0;
  for (size_t i = N_ALIGN; i-- > 0;) {
    unsigned char *p = __ct_tape_pop(t, sizes[i], aligns[i]);
    /* A zero-byte block has no storage, so only its alignment is promised,
     * not that pop returns the same address. */
    int same = sizes[i] == 0 || p == ptrs[i];
    if ((uintptr_t)p % max_sz(aligns[i], 16) != 0)
      same = 0;
    if ((!same || !matches(p, sizes[i], i)) && bad++ == 0)
      fprintf(stderr, "pop %zu (align %zu): %p, pushed at %p\n", i, aligns[i],
              (void *)p, (void *)ptrs[i]);
  }
  assert_int_equal(bad, 0);
  assert_int_equal(__ct_tape_bytes(t), 0);

  free(aligns);
  free(sizes);
  free(ptrs);
  __ct_tape_destroy(t);
}

static void test_alignment_16(void **state) {
  (void)state;
  check_alignment(16);
}
static void test_alignment_32(void **state) {
  (void)state;
  check_alignment(32);
}
static void test_alignment_64(void **state) {
  (void)state;
  check_alignment(64);
}
/* Small alignments still get 16; larger powers of two are supported too. */
static void test_alignment_8_and_128(void **state) {
  (void)state;
  check_alignment(8);
  check_alignment(128);
}

/* ---- (c) reserve and chunk reuse --------------------------------------- */

static void test_reserve_prevents_allocation(void **state) {
  (void)state;
  enum { TRIP = 100000 };
  ct_tape *t = __ct_tape_create(0);
  for (size_t i = 0; i < 10; i++)
    *(double *)__ct_tape_push(t, sizeof(double), 8) = value_of(i);

  /* What the pass would do before a loop with a known trip count. */
  __ct_tape_reserve(t, TRIP * ct_tape_slot_bytes(sizeof(double), 8));
  size_t chunks = __ct_tape_chunk_count(t);
  size_t cap = __ct_tape_capacity_bytes(t);
  for (size_t i = 10; i < 10 + TRIP; i++)
    *(double *)__ct_tape_push(t, sizeof(double), 8) = value_of(i);
  assert_int_equal(__ct_tape_chunk_count(t), chunks);
  assert_int_equal(__ct_tape_capacity_bytes(t), cap);

  /* The chunk the reserve moved to must not break LIFO order. */
  size_t bad = 0;
  for (size_t i = 10 + TRIP; i-- > 0;)
    bad += *(double *)__ct_tape_pop(t, sizeof(double), 8) != value_of(i);
  assert_int_equal(bad, 0);
  assert_int_equal(__ct_tape_bytes(t), 0);

  /* A reserve that already fits is free. */
  __ct_tape_reserve(t, 64);
  assert_int_equal(__ct_tape_chunk_count(t), chunks);
  __ct_tape_destroy(t);
}

static void test_reserve_mixed_alignments(void **state) {
  (void)state;
  enum { N = 5000 };
  static const size_t aligns[] = {1, 8, 16, 32, 64};
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, 3, 1); /* leave cur at an arbitrary offset */

  size_t total = 0;
  for (size_t i = 0; i < N; i++)
    total += ct_tape_slot_bytes(i % 97, aligns[i % 5]);
  __ct_tape_reserve(t, total);
  size_t chunks = __ct_tape_chunk_count(t);
  for (size_t i = 0; i < N; i++)
    fill(__ct_tape_push(t, i % 97, aligns[i % 5]), i % 97, i);
  assert_int_equal(__ct_tape_chunk_count(t), chunks);
  assert_true(__ct_tape_bytes(t) <= total + 16);

  size_t bad = 0;
  for (size_t i = N; i-- > 0;)
    bad += !matches(__ct_tape_pop(t, i % 97, aligns[i % 5]), i % 97, i);
  assert_int_equal(bad, 0);
  __ct_tape_pop(t, 3, 1);
  assert_int_equal(__ct_tape_bytes(t), 0);
  __ct_tape_destroy(t);
}

static void test_create_hint_sizes_first_chunk(void **state) {
  (void)state;
  enum { N = 50000 };
  ct_tape *t = __ct_tape_create(N * ct_tape_slot_bytes(sizeof(double), 8));
  for (size_t i = 0; i < N; i++)
    *(double *)__ct_tape_push(t, sizeof(double), 8) = value_of(i);
  assert_int_equal(__ct_tape_chunk_count(t), 1);
  /* One more value does not fit and grows the tape by a chunk. */
  __ct_tape_push(t, sizeof(double), 8);
  assert_int_equal(__ct_tape_chunk_count(t), 2);
  __ct_tape_destroy(t);
}

static void test_chunks_kept_across_push_pop_cycles(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(0);
  size_t chunks = 0, bad = 0;
  for (int round = 0; round < 200; round++) {
    for (size_t i = 0; i < 20000; i++)
      *(double *)__ct_tape_push(t, sizeof(double), 8) = value_of(i + round);
    for (size_t i = 20000; i-- > 0;)
      bad += *(double *)__ct_tape_pop(t, sizeof(double), 8) !=
             value_of(i + round);
    if (round == 0)
      chunks = __ct_tape_chunk_count(t);
    else
      assert_int_equal(__ct_tape_chunk_count(t), chunks);
  }
  assert_true(chunks > 1);
  assert_int_equal(bad, 0);
  __ct_tape_destroy(t);
}

/* ---- (d) byte accounting ----------------------------------------------- */

static void test_peak_bytes(void **state) {
  (void)state;
  ct_runtime_reset_peak_tape_bytes();
  assert_int_equal(ct_runtime_peak_tape_bytes(), 0);

  ct_tape *t = __ct_tape_create(0);
  assert_int_equal(__ct_tape_bytes(t), 0);
  assert_int_equal(__ct_tape_peak_bytes(t), 0);

  for (int i = 0; i < 3; i++)
    __ct_tape_push(t, sizeof(double), 8); /* 16 bytes of slot each */
  assert_int_equal(__ct_tape_bytes(t), 48);
  __ct_tape_push(t, 100, 1); /* rounded to 112 */
  assert_int_equal(__ct_tape_bytes(t), 160);
  assert_int_equal(__ct_tape_peak_bytes(t), 160);
  __ct_tape_pop(t, 100, 1);
  assert_int_equal(__ct_tape_bytes(t), 48);
  assert_int_equal(__ct_tape_peak_bytes(t), 160);
  __ct_tape_push(t, 1, 1);
  assert_int_equal(__ct_tape_bytes(t), 64);
  assert_int_equal(__ct_tape_peak_bytes(t), 160);
  /* Over-aligned at a 64-aligned position: no padding, 16-byte trailer. */
  __ct_tape_push(t, 8, 64);
  assert_int_equal(__ct_tape_bytes(t), 96);
  __ct_tape_pop(t, 8, 64);
  __ct_tape_pop(t, 1, 1);
  for (int i = 0; i < 3; i++)
    __ct_tape_pop(t, sizeof(double), 8);
  assert_int_equal(__ct_tape_bytes(t), 0);
  assert_int_equal(__ct_tape_peak_bytes(t), 160);

  /* Accounting follows the blocks, not the chunks: a peak far beyond the
   * first chunk is exact. */
  for (int i = 0; i < 100000; i++)
    __ct_tape_push(t, 24, 8);
  assert_int_equal(__ct_tape_peak_bytes(t), 100000 * 32);
  for (int i = 0; i < 100000; i++)
    __ct_tape_pop(t, 24, 8);
  assert_int_equal(__ct_tape_bytes(t), 0);

  /* The peak is also tracked when the push that sets it is a slow one:
   * crossing into a new chunk, or over-aligned. */
  /* (a first chunk above the small-block size, so exactly 4096 bytes) */
  ct_tape *u = __ct_tape_create(4096);
  __ct_tape_push(u, 4096 - 16, 16);
  __ct_tape_push(u, 32, 16); /* does not fit in the 4096-byte first chunk */
  assert_int_equal(__ct_tape_chunk_count(u), 2);
  assert_int_equal(__ct_tape_peak_bytes(u), 4096 + 16);
  __ct_tape_push(u, 1, 32); /* cur is 32-aligned here: 16 + 16 trailer */
  assert_int_equal(__ct_tape_bytes(u), 4096 + 48);
  assert_int_equal(__ct_tape_peak_bytes(u), 4096 + 48);
  __ct_tape_pop(u, 1, 32);
  __ct_tape_pop(u, 32, 16);
  __ct_tape_pop(u, 4096 - 16, 16);
  assert_int_equal(__ct_tape_bytes(u), 0);
  assert_int_equal(__ct_tape_peak_bytes(u), 4096 + 48);
  __ct_tape_destroy(u);
  ct_runtime_reset_peak_tape_bytes();

  /* Live tapes do not count; destroyed ones fold in their peak (max). */
  assert_int_equal(ct_runtime_peak_tape_bytes(), 0);
  __ct_tape_destroy(t);
  assert_int_equal(ct_runtime_peak_tape_bytes(), 100000 * 32);
  ct_tape *small = __ct_tape_create(0);
  __ct_tape_push(small, 16, 16);
  __ct_tape_destroy(small);
  assert_int_equal(ct_runtime_peak_tape_bytes(), 100000 * 32);
  ct_runtime_reset_peak_tape_bytes();
  assert_int_equal(ct_runtime_peak_tape_bytes(), 0);
  __ct_tape_destroy(NULL); /* accepted, no effect */
}

/* ---- (e) concurrent tapes ---------------------------------------------- */

#define N_THREADS 4

struct worker {
  pthread_barrier_t *start;
  size_t id;
  size_t bad;
  size_t peak;
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  uint64_t seed = 99 + w->id;
  size_t n = 50000 * (w->id + 1); /* distinct peaks per thread */
  size_t *sizes = malloc(n * sizeof *sizes);
  if (!sizes) {
    w->bad = (size_t)-1;
    return NULL;
  }
  pthread_barrier_wait(w->start);
  for (int round = 0; round < 5; round++) {
    ct_tape *t = __ct_tape_create(round == 0 ? 0 : 4096);
    for (size_t i = 0; i < n; i++) {
      /* Value depends on the thread, so cross-talk between tapes shows. */
      size_t tag = i + w->id * 1000003u + (size_t)round;
      if (i % 4 == 0) {
        sizes[i] = 1 + (size_t)(rng_next(&seed) % 64);
        fill(__ct_tape_push(t, sizes[i], 1), sizes[i], tag);
      } else {
        sizes[i] = 0;
        *(double *)__ct_tape_push(t, 8, 8) = value_of(tag);
      }
    }
    for (size_t i = n; i-- > 0;) {
      size_t tag = i + w->id * 1000003u + (size_t)round;
      if (sizes[i])
        w->bad += !matches(__ct_tape_pop(t, sizes[i], 1), sizes[i], tag);
      else
        w->bad += *(double *)__ct_tape_pop(t, 8, 8) != value_of(tag);
    }
    w->bad += __ct_tape_bytes(t) != 0;
    w->peak = __ct_tape_peak_bytes(t);
    __ct_tape_destroy(t);
  }
  free(sizes);
  return NULL;
}

static void test_concurrent_tapes(void **state) {
  (void)state;
  ct_runtime_reset_peak_tape_bytes();
  pthread_barrier_t start;
  assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
  pthread_t th[N_THREADS];
  struct worker w[N_THREADS];
  for (size_t i = 0; i < N_THREADS; i++) {
    w[i] = (struct worker){.start = &start, .id = i};
    assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
  }
  size_t max_peak = 0;
  for (size_t i = 0; i < N_THREADS; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[i].bad, 0);
    assert_true(w[i].peak > 0);
    max_peak = max_sz(max_peak, w[i].peak);
  }
  pthread_barrier_destroy(&start);
  /* The atomic max saw every thread's destroy. */
  assert_int_equal(ct_runtime_peak_tape_bytes(), max_peak);
  assert_true(w[N_THREADS - 1].peak > w[0].peak);
}

/* ---- (f) pop must return exactly the last block ------------------------ */

static void test_pop_returns_last_block(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(0);
  /* Same-size neighbours: returning the block below or above would still
   * "look" valid in size, so check identity and contents. */
  unsigned char *a = __ct_tape_push(t, 24, 8);
  memset(a, 0xA1, 24);
  unsigned char *b = __ct_tape_push(t, 24, 8);
  memset(b, 0xB2, 24);
  unsigned char *c = __ct_tape_push(t, 40, 8);
  memset(c, 0xC3, 40);
  assert_ptr_not_equal(a, b);
  assert_ptr_not_equal(b, c);

  unsigned char *p = __ct_tape_pop(t, 40, 8);
  assert_ptr_equal(p, c);
  assert_int_equal(p[0], 0xC3);
  assert_int_equal(p[39], 0xC3);
  /* A push after a pop reuses the popped slot... */
  unsigned char *d = __ct_tape_push(t, 40, 8);
  assert_ptr_equal(d, c);
  memset(d, 0xD4, 40);
  /* ...and does not disturb the blocks below it. */
  p = __ct_tape_pop(t, 40, 8);
  assert_int_equal(p[0], 0xD4);
  p = __ct_tape_pop(t, 24, 8);
  assert_ptr_equal(p, b);
  assert_int_equal(p[0], 0xB2);
  assert_int_equal(p[23], 0xB2);
  p = __ct_tape_pop(t, 24, 8);
  assert_ptr_equal(p, a);
  assert_int_equal(p[0], 0xA1);
  assert_int_equal(p[23], 0xA1);
  assert_int_equal(__ct_tape_bytes(t), 0);
  __ct_tape_destroy(t);
}

/* Exactly at a chunk boundary: the block that spills into a new chunk and
 * the last block of the old chunk must come back in the right order. */
static void test_pop_across_chunk_boundary(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(1024); /* first chunk exactly 1024 bytes */
  unsigned char *first[64];
  for (size_t i = 0; i < 64; i++) { /* 64 x 16 = 1024: fills it exactly */
    first[i] = __ct_tape_push(t, 16, 16);
    fill(first[i], 16, i);
  }
  assert_int_equal(__ct_tape_chunk_count(t), 1);
  unsigned char *spill = __ct_tape_push(t, 16, 16);
  fill(spill, 16, 1000);
  assert_int_equal(__ct_tape_chunk_count(t), 2);
  /* A block that does not fit in what is left of the chunk moves on whole;
   * pop must still find the small block left behind. */
  unsigned char *big = __ct_tape_push(t, 200000, 16);
  fill(big, 200000, 2000);
  assert_int_equal(__ct_tape_chunk_count(t), 3);

  assert_ptr_equal(__ct_tape_pop(t, 200000, 16), big);
  assert_true(matches(big, 200000, 2000));
  assert_ptr_equal(__ct_tape_pop(t, 16, 16), spill);
  assert_true(matches(spill, 16, 1000));
  for (size_t i = 64; i-- > 0;) {
    unsigned char *p = __ct_tape_pop(t, 16, 16);
    assert_ptr_equal(p, first[i]);
    assert_true(matches(p, 16, i));
  }
  assert_int_equal(__ct_tape_bytes(t), 0);
  __ct_tape_destroy(t);
}

static void test_zero_sized_blocks(void **state) {
  (void)state;
  ct_tape *t = __ct_tape_create(0);
  *(double *)__ct_tape_push(t, 8, 8) = 3.25;
  assert_non_null(__ct_tape_push(t, 0, 1));
  assert_non_null(__ct_tape_push(t, 0, 32));
  assert_non_null(__ct_tape_pop(t, 0, 32));
  assert_non_null(__ct_tape_pop(t, 0, 1));
  assert_true(*(double *)__ct_tape_pop(t, 8, 8) == 3.25);
  assert_int_equal(__ct_tape_bytes(t), 0);
  __ct_tape_destroy(t);
}

/* ---- errors abort with a message --------------------------------------- */

/* Runs fn in a child with stderr captured; checks it aborted (SIGABRT) and
 * that stderr contains `expect`. */
static void expect_abort(void (*fn)(void), const char *expect) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    /* The default action, whatever the test harness installed. */
    signal(SIGABRT, SIG_DFL);
    dup2(fds[1], 2);
    close(fds[0]);
    fn();
    _exit(0); /* reached only if fn failed to abort */
  }
  close(fds[1]);
  char buf[512];
  size_t len = 0;
  ssize_t r;
  while (len < sizeof buf - 1 &&
         (r = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)r;
  buf[len] = '\0';
  close(fds[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
      !strstr(buf, expect))
    fail_msg("expected abort with \"%s\", got status %d, stderr \"%s\"",
             expect, status, buf);
}

static void pop_empty(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_pop(t, 8, 8);
}

static void pop_empty_after_chunks(void) {
  ct_tape *t = __ct_tape_create(64);
  for (int i = 0; i < 100; i++)
    __ct_tape_push(t, 16, 16);
  for (int i = 0; i < 101; i++)
    __ct_tape_pop(t, 16, 16);
}

static void push_huge(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, SIZE_MAX / 8, 16);
}

static void reserve_huge(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_reserve(t, SIZE_MAX - 100);
}

/* generated code saturates an overflowed trips x record size to SIZE_MAX */
static void push_saturated(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, SIZE_MAX, 16);
}

static void reserve_saturated(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_reserve(t, SIZE_MAX);
}

static void bad_alignment(void) {
  ct_tape *t = __ct_tape_create(0);
  __ct_tape_push(t, 8, 48);
}

static void pop_wrong_size(void) {
  ct_tape *t = __ct_tape_create(1024);
  for (int i = 0; i < 64; i++)
    __ct_tape_push(t, 16, 16);
  __ct_tape_push(t, 16, 16); /* alone in the second chunk */
  __ct_tape_pop(t, 64, 16);  /* larger than anything there */
}

static void runtime_error(void) { __ct_runtime_error("boom at line 7"); }

static void test_errors_abort_with_message(void **state) {
  (void)state;
  expect_abort(pop_empty, "cotangent: pop of 8 bytes from an empty tape");
  expect_abort(pop_empty_after_chunks,
               "cotangent: pop of 16 bytes from an empty tape");
  expect_abort(push_huge, "cotangent: out of memory growing the tape (");
  expect_abort(reserve_huge, "cotangent: out of memory growing the tape (");
  expect_abort(push_saturated, "cotangent: out of memory growing the tape (a size beyond 2^64 bytes)");
  expect_abort(reserve_saturated, "cotangent: out of memory growing the tape (a size beyond 2^64 bytes)");
  expect_abort(bad_alignment, "cotangent: invalid tape alignment 48");
  expect_abort(pop_wrong_size,
               "cotangent: tape pop of 64 bytes does not match the last push");
  expect_abort(runtime_error, "cotangent: boom at line 7\n");
}

static void test_runtime_version(void **state) {
  (void)state;
  assert_string_equal(ct_runtime_version(), "0.1.0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lifo_mixed_sizes_across_chunks),
      cmocka_unit_test(test_alignment_16),
      cmocka_unit_test(test_alignment_32),
      cmocka_unit_test(test_alignment_64),
      cmocka_unit_test(test_alignment_8_and_128),
      cmocka_unit_test(test_reserve_prevents_allocation),
      cmocka_unit_test(test_reserve_mixed_alignments),
      cmocka_unit_test(test_create_hint_sizes_first_chunk),
      cmocka_unit_test(test_chunks_kept_across_push_pop_cycles),
      cmocka_unit_test(test_peak_bytes),
      cmocka_unit_test(test_concurrent_tapes),
      cmocka_unit_test(test_pop_returns_last_block),
      cmocka_unit_test(test_pop_across_chunk_boundary),
      cmocka_unit_test(test_zero_sized_blocks),
      cmocka_unit_test(test_errors_abort_with_message),
      cmocka_unit_test(test_runtime_version),
  };
  return cmocka_run_group_tests_name("tape", tests, NULL, NULL);
}
