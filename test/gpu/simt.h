/* A small SIMT emulator for the host: runs a kernel body on `grid` blocks
 * of `block` threads. The blocks run one after another; the threads of a
 * block run concurrently (one host thread each), and __ct_barrier is a
 * barrier of the block's threads, so shared memory (a CT_SHARED global) and
 * barriers behave as on the GPU. Thread and block indices are thread-local.
 * The kernel source includes <cotangent_gpu.h>; see simt.c. */
#ifndef COTANGENT_TEST_GPU_SIMT_H
#define COTANGENT_TEST_GPU_SIMT_H

/* Calls body(arg) once per thread; returns when every block has finished. */
void ct_simt_launch(int grid, int block, void (*body)(void *), void *arg);

#endif
