/* Cotangent for GPU kernels: portable names for thread indices, barriers,
 * shared memory and atomics, so one kernel source compiles for NVPTX
 * (clang/cotangent-cc -target nvptx64-nvidia-cuda) and for the host under
 * a SIMT emulator (threads of a block run concurrently, see test/gpu/simt.c).
 *
 *   CT_KERNEL              a kernel entry point (.entry in PTX)
 *   CT_SHARED              block-shared memory (a global variable)
 *   ct_thread_idx()  ct_block_idx()  ct_block_dim()  ct_grid_dim()   (x only)
 *   ct_sync_threads()      the block barrier (__syncthreads)
 *   ct_atomic_add(p, v)    *p += v atomically (float or double)
 *
 * The plugin differentiates device functions that use these: thread and
 * block indices are integers (inactive), adjoints are added into shadow
 * memory atomically (threads share the shadows of pointer arguments),
 * shared arrays get shadows in shared memory that every thread of the block
 * zeroes at the gradient's entry between two barriers, and each barrier
 * of the forward pass has its mirror at the matching point of the reverse
 * pass. So the gradient must be called by every thread of the block, like
 * any function containing __syncthreads. */
#ifndef COTANGENT_GPU_H
#define COTANGENT_GPU_H

#if defined(__NVPTX__)
#define CT_KERNEL __attribute__((nvptx_kernel))
#define CT_SHARED __attribute__((address_space(3)))
#define ct_thread_idx() ((int)__nvvm_read_ptx_sreg_tid_x())
#define ct_block_idx() ((int)__nvvm_read_ptx_sreg_ctaid_x())
#define ct_block_dim() ((int)__nvvm_read_ptx_sreg_ntid_x())
#define ct_grid_dim() ((int)__nvvm_read_ptx_sreg_nctaid_x())
#define ct_sync_threads() __syncthreads()
#else
/* Host SIMT emulation: the emulator defines these (one host thread per GPU
 * thread of the running block). The plugin recognizes __ct_barrier as the
 * barrier, and a function calling __ct_simt_* or __ct_barrier as a kernel. */
int __ct_simt_thread_idx(void);
int __ct_simt_block_idx(void);
int __ct_simt_block_dim(void);
int __ct_simt_grid_dim(void);
void __ct_barrier(void);
#define CT_KERNEL
#define CT_SHARED __attribute__((section(".ct_shared")))
#define ct_thread_idx() __ct_simt_thread_idx()
#define ct_block_idx() __ct_simt_block_idx()
#define ct_block_dim() __ct_simt_block_dim()
#define ct_grid_dim() __ct_simt_grid_dim()
#define ct_sync_threads() __ct_barrier()
#endif

#define ct_atomic_add(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))

#endif
