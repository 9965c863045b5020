/* The SIMT emulator (simt.h): blocks as a loop, threads as pthreads,
 * barriers as a pthread barrier of the block's threads. */
#define _POSIX_C_SOURCE 200809L
#include "simt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local int thread_idx, block_idx;
static int block_dim, grid_dim;
static pthread_barrier_t barrier;

int __ct_simt_thread_idx(void) { return thread_idx; }
int __ct_simt_block_idx(void) { return block_idx; }
int __ct_simt_block_dim(void) { return block_dim; }
int __ct_simt_grid_dim(void) { return grid_dim; }
void __ct_barrier(void) { pthread_barrier_wait(&barrier); }

typedef struct {
  int thread, block;
  void (*body)(void *);
  void *arg;
} simt_thread;

static void *run_thread(void *p) {
  simt_thread *t = p;
  thread_idx = t->thread;
  block_idx = t->block;
  t->body(t->arg);
  return NULL;
}

void ct_simt_launch(int grid, int block, void (*body)(void *), void *arg) {
  block_dim = block;
  grid_dim = grid;
  pthread_t *threads = malloc((size_t)block * sizeof *threads);
  simt_thread *ts = malloc((size_t)block * sizeof *ts);
  if (!threads || !ts || pthread_barrier_init(&barrier, NULL, (unsigned)block)) {
    fprintf(stderr, "simt: cannot start %d threads\n", block);
    exit(2);
  }
  for (int b = 0; b < grid; ++b) {
    for (int t = 0; t < block; ++t) {
      ts[t] = (simt_thread){t, b, body, arg};
      if (pthread_create(&threads[t], NULL, run_thread, &ts[t])) {
        fprintf(stderr, "simt: cannot start thread %d\n", t);
        exit(2);
      }
    }
    for (int t = 0; t < block; ++t)
      pthread_join(threads[t], NULL);
  }
  pthread_barrier_destroy(&barrier);
  free(threads);
  free(ts);
}
