/* One pullback applied from several threads at once: every application
 * must give the right (analytic) gradient, as sequential ones do. The loss
 * has a helper, a loop, heap scratch memory (its shadow is zeroed after each
 * application) and a pointer argument whose shadow collects seed-scaled
 * gradients from all threads (checked once all are done). Also built with
 * ThreadSanitizer (e2e.pullback_threads.tsan): no data race. Before the
 * fix, applications raced on the tape's read position ("tape pop ... does
 * not match the last push", or wrong gradients: 6,000 of 8,000 wrong). */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include <cotangent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

enum { N = 64, THREADS = 4, APPLIES = 2000 };

static double weight(double w, double s) { return sin(w * s); }

/* sum_i weight(w_i, s) * w_i, through a heap copy of the weights */
static double loss(const double *w, int n, double s) {
  double *t = malloc((size_t)n * sizeof *t);
  for (int i = 0; i < n; ++i)
    t[i] = w[i];
  double r = 0;
  for (int i = 0; i < n; ++i)
    r += weight(t[i], s) * t[i];
  free(t);
  return r;
}

static double w[N], dw[N];
static ct_pullback_t pb;
static int wrong[THREADS];
static pthread_barrier_t start; /* all threads apply at the same time */

static double want_ds(double s) {
  double r = 0;
  for (int i = 0; i < N; ++i)
    r += cos(w[i] * s) * w[i] * w[i];
  return r;
}

static void *worker(void *arg) {
  int id = (int)(size_t)arg;
  double s = 1.5, want = want_ds(s);
  pthread_barrier_wait(&start);
  for (int k = 0; k < APPLIES; ++k) {
    double seed = 1.0 + id, ds = 0;
    ct_pullback_apply(pb, seed, &ds);
    if (fabs(ds - seed * want) > 1e-12 * fabs(seed * want))
      wrong[id]++;
  }
  return NULL;
}

int main(void) {
  for (int i = 0; i < N; ++i)
    w[i] = 0.01 * (i + 1);
  double s = 1.5;
  pb = ct_pullback(loss, w, dw, N, s);
  /* sequential applications first */
  double ds = 0;
  ct_pullback_apply(pb, 2.0, &ds);
  CHECK_D(ds, 2.0 * want_ds(s));
  for (int i = 0; i < N; ++i) {
    CHECK_D(dw[i], 2.0 * (sin(w[i] * s) + s * w[i] * cos(w[i] * s)));
    dw[i] = 0;
  }
  pthread_t t[THREADS];
  pthread_barrier_init(&start, NULL, THREADS);
  for (int i = 0; i < THREADS; ++i)
    CHECK(pthread_create(&t[i], NULL, worker, (void *)(size_t)i) == 0);
  for (int i = 0; i < THREADS; ++i)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  int bad = 0;
  for (int i = 0; i < THREADS; ++i)
    bad += wrong[i];
  if (bad)
    fprintf(stderr, "%d of %d concurrent applications were wrong\n", bad, THREADS * APPLIES);
  CHECK(bad == 0);
  /* the pointer argument's shadow got every application's seed * gradient */
  double seeds = 0;
  for (int i = 0; i < THREADS; ++i)
    seeds += APPLIES * (1.0 + i);
  for (int i = 0; i < N; ++i)
    CHECK_TOL(dw[i], seeds * (sin(w[i] * s) + s * w[i] * cos(w[i] * s)), 1e-11);
  ct_pullback_apply(pb, 1.0, &ds);
  CHECK_D(ds, want_ds(s));
  ct_pullback_free(pb);
  return check_summary("pullback_threads");
}
