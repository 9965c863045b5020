/*
 * Cotangent runtime: version and error reporting.
 */
#ifndef COTANGENT_RT_RUNTIME_H
#define COTANGENT_RT_RUNTIME_H

#ifdef __cplusplus
#define CT_RT_NORETURN [[noreturn]]
extern "C" {
#else
#define CT_RT_NORETURN _Noreturn
#endif

/* "0.1.0": lets tools check which runtime they linked against. */
const char *ct_runtime_version(void);

/* Called by generated code (and by the runtime itself) on an unrecoverable
 * error: prints "cotangent: <msg>" on stderr and aborts. */
CT_RT_NORETURN void __ct_runtime_error(const char *msg);

/* Called by generated code right after calloc'ing a shadow: when
 * `failed` (the shadow is NULL but the primal allocation succeeded), stops
 * with an out-of-memory message naming the size. */
#include <stddef.h>
void __ct_check_shadow_alloc(int failed, size_t count, size_t size);
/* Generated before a recomputed call with several pointer arguments: stops
 * the program (naming fn) when their memory overlaps. */
void __ct_check_recompute_overlap(int overlap, const char *fn);

/* Called on entry to the generated functions of a recursive gradient
 * (stack_guard.c) when their frame is below __ct_stack_floor (the
 * thread's limit, UINTPTR_MAX until the first call computes it, 0 when
 * unknown): stops with a message naming `function` when the thread's stack
 * is nearly used up, instead of overflowing it. */
#include <stdint.h>
extern _Thread_local uintptr_t __ct_stack_floor;
void __ct_stack_guard(const char *function);
/* Is p into the calling thread's stack (as far as its bounds are known)? */
int __ct_on_thread_stack(const void *p);

/* The digamma function Gamma'/Gamma (special.c), for the derivatives of
 * lgamma and tgamma; NaN at its poles 0, -1, -2, ... */
double __ct_digamma(double x);
float __ct_digammaf(float x);
long double __ct_digammal(long double x);

/* Adjoints of memcpy/memmove of double or float data (memory_adjoint.c):
 * dsrc[i] += ddst[i]; ddst[i] = 0 for bytes / sizeof(element) elements. */
#include <stddef.h>
void __ct_copy_adjoint_f64(double *dsrc, double *ddst, size_t bytes);
void __ct_copy_adjoint_f32(float *dsrc, float *ddst, size_t bytes);
/* The same where other threads may add into dsrc too (GPU kernels, their host
 * emulation, OpenMP regions): the adds into dsrc are atomic. */
void __ct_copy_adjoint_atomic_f64(double *dsrc, double *ddst, size_t bytes);
void __ct_copy_adjoint_atomic_f32(float *dsrc, float *ddst, size_t bytes);
/* A copy of structs mixing floating-point fields with others: the fields
 * (fields[i] = offset << 1 | is_double) of each `period`-byte element of
 * the `bytes` copied move from ddst into dsrc (dsrc NULL: the copied data
 * was constant, ddst's fields are cleared); other bytes (integers, the
 * shadows of pointers) are left alone. Overlapping ends (memmove) work. */
#include <stdint.h>
void __ct_copy_adjoint_fields(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                              size_t period);
void __ct_copy_adjoint_fields_atomic(char *dsrc, char *ddst, size_t bytes, const uint32_t *fields, size_t nfields,
                                     size_t period);

/* Shadows of pointers a gradient's forward pass stores into memory without
 * a shadow (shadow_slots.c), by the address stored at; *table starts NULL.
 * get returns the shadow of `primal` read at `addr` (NULL for NULL); one
 * not stored there by set is NULL when not `strict`, else the program stops
 * with a message starting with `where`. */
void __ct_slots_set(void **table, const void *addr, const void *primal, void *shadow);
void *__ct_slots_get(void *table, const void *addr, const void *primal, int strict, const char *where);
void __ct_slots_free(void *table);

/* Allocations in differentiated code (shadow_alloc.c): posix_memalign as a
 * call returning the block (NULL on failure; the status it returned is kept
 * per thread for __ct_posix_memalign_status); a zeroed shadow aligned like
 * its block (stops with an out-of-memory message when it cannot be made
 * while `primal` was); realloc's new shadow (zeroed; with `copy`, the
 * pointers held in the old shadow copied, up to the smaller block), and in
 * the reverse pass the adjoints of the moved elements (`element` bytes
 * each: 8 or 4, 0 for none) added back into the old shadow and cleared in
 * the new one. */
void *__ct_posix_memalign(size_t align, size_t bytes);
int __ct_posix_memalign_status(void);
void *__ct_shadow_alloc_aligned(size_t align, size_t bytes, const void *primal);
void *__ct_shadow_realloc(const void *old_primal, const void *old_shadow, size_t bytes, int copy);
void __ct_realloc_adjoint(void *old_shadow, void *new_shadow, size_t bytes, unsigned element);

/* Pullback objects (pullback.c). The pass stores f's arguments at this
 * offset of the object and calls __ct_pullback_new to make one. */
#include <stdint.h>
#define CT_PULLBACK_ARGS_OFFSET 32
#define CT_PULLBACK_MAX_OUTS 64
/* Set in nouts (and in the count given to __ct_pullback_apply_counted)
 * for the pullback of a function with no floating-point result: applied
 * with one pointer per argument not constant (shadows and derivative
 * pointers), no seed. */
#define CT_PULLBACK_VJP 0x80000000u
struct ct_pullback_impl;
void *__ct_pullback_new(void *thunk, void *tape, uint32_t nouts, size_t args_bytes);
void ct_pullback_apply(struct ct_pullback_impl *pb, double seed, ...);
/* ct_pullback_apply as the pass calls it: with the number of derivative
 * pointers that follow, checked against the pullback's. */
void __ct_pullback_apply_counted(struct ct_pullback_impl *pb, double seed, uint32_t given, ...);
void ct_pullback_free(struct ct_pullback_impl *pb);
/* Shadow heap memory (shadow_alloc.c): a zeroed block of count * size
 * bytes (NULL when out of memory or on overflow, as calloc), and at the end
 * of a reverse pass its release: zeroed when the pass may run again (keep),
 * else freed or kept in the thread's cache for the next block of that
 * size (any block from malloc may be released here). */
void *__ct_shadow_calloc(size_t count, size_t size);
void __ct_release_shadow(void *p, size_t bytes, int keep);

/* Differentiable functions by address (registry.c), for operators on
 * function pointers known at run time. Lookup aborts with a message naming
 * the operator when the function is not registered. */
void __ct_register_gradient(const void *fn, const void *grad);
const void *__ct_lookup_gradient(const void *fn, const char *op);
/* All of fn's entries: the gradient entry (variadic ABI), ct_gradient_of's
 * gradient, the pullback maker (double (void **pb, args...)); NULL where
 * it has none. Lookup `which` (0, 1, 2) of them. */
void __ct_register_entries(const void *fn, const void *grad, const void *gradient_of, const void *pullback);
const void *__ct_lookup_entry(const void *fn, const char *op, int which);
/* A call through a pointer in differentiated code reached a function that
 * is none of the call's dispatch targets (pass/indirect_calls.c): stops
 * with a message naming the function and `where` (the call's location). */
_Noreturn void __ct_indirect_call_unknown(const void *fn, const char *where);

/* OpenMP parallel regions (omp.c): a record per executed region holding
 * each thread's tape, and critical sections as ticket locks that the
 * reverse pass re-enters in the opposite order. */
typedef struct ct_omp_region ct_omp_region;
ct_omp_region *__ct_omp_region_new(void);
void *__ct_omp_enter_forward(ct_omp_region *r, int tid, int nthreads);
void __ct_omp_leave_forward(ct_omp_region *r, int tid, void *tape, void *prev);
int __ct_omp_team_size(ct_omp_region *r);
void *__ct_omp_enter_reverse(ct_omp_region *r, int tid, int nthreads, void **tape);
void __ct_omp_leave_reverse(void *prev);
void __ct_omp_region_done(ct_omp_region *r, int keep);
void __ct_omp_critical_enter(const void *name);
long __ct_omp_critical_exit(const void *name);
void __ct_omp_critical_reverse_enter(const void *name, long ticket);
void __ct_omp_critical_reverse_exit(const void *name);

#ifdef __cplusplus
}
#endif

#endif /* COTANGENT_RT_RUNTIME_H */
