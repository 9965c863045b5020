/* Allocation functions (alloc.c): the one table of what Cotangent knows
 * about functions that return fresh heap memory (whose result gets a
 * shadow allocation of the same size) and the functions that free it. The
 * C library's (malloc, calloc, realloc, reallocarray, aligned_alloc,
 * memalign; posix_memalign is rewritten into an allocation returning its
 * block when a primal is prepared), a user's allocators declared with
 * CT_ALLOCATOR (cotangent.h) or Enzyme's __enzyme_allocation_like, and
 * declarations with __attribute__((malloc, alloc_size(...))). Everything
 * else asks this file. Depends on LLVM-C only (IR facts, like ir.h). */
#ifndef COTANGENT_PASS_ALLOC_H
#define COTANGENT_PASS_ALLOC_H

#include <llvm-c/Core.h>

typedef struct {
  /* the block's size in bytes: the product of these parameters (-1: none)
     times `scale` */
  int size[2];
  unsigned long long scale;
  int align;                      /* the parameter holding the alignment, or -1 */
  unsigned long long align_bytes; /* a constant alignment (an `align` return attribute), or 0 */
  int old;                        /* realloc: the parameter holding the block it moves, or -1 */
  /* the function that frees the block given only the pointer ("free", a
     user's deallocator), or NULL when none is known */
  LLVMValueRef dealloc;
  const char *dealloc_name; /* "free" when dealloc is not declared in the module yet */
} ct_alloc_info;

/* Is `call` a call of an allocation function? Fills *info (when not NULL). */
int alloc_call_info(LLVMValueRef call, ct_alloc_info *info);
/* The pointer a call of a deallocation function (free, a user's
 * deallocator) frees, or NULL when `call` is none. */
LLVMValueRef alloc_freed_pointer(LLVMValueRef call);
/* A call of a declared function marked __attribute__((malloc)) (a noalias
 * result) that is no allocation Cotangent can shadow (no size known). */
int alloc_is_sizeless_allocator(LLVMValueRef call);
/* Can the reverse pass free the block of allocation `call` itself (its
 * deallocator takes the pointer alone)? */
int alloc_can_free(LLVMValueRef call);
/* A call at b of the deallocator of allocation `call`, freeing p (needs
 * alloc_can_free). */
void alloc_build_free(LLVMBuilderRef b, LLVMModuleRef mod, LLVMValueRef call, LLVMValueRef p);

#endif
