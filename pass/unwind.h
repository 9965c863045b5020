/* unwind.c: operator calls that were invokes (C++ callers with cleanups or
 * a try block) keep their unwind edge on the calls they become. */
#ifndef COTANGENT_PASS_UNWIND_H
#define COTANGENT_PASS_UNWIND_H

#include "core.h"

typedef struct ct_unwind {
  LLVMBasicBlockRef dest; /* the invoke's unwind destination */
  LLVMValueRef *phis;     /* dest's phis, and their values for the invoke's edge */
  LLVMValueRef *vals;
  unsigned n;
} ct_unwind;

/* Turns `invoke` into a call and a branch, remembering its unwind edge in a
 * new *out (unwind_free releases it). Returns the call. */
LLVMValueRef unwind_remember(ct_unwind **out, LLVMValueRef invoke);
/* The calls of fn now (a set for unwind_restore). */
void unwind_snapshot(LLVMValueRef fn, ct_vmap *calls);
/* Invokes, with u's unwind edge, every call of fn that may throw and is not
 * in `before`; *track, when it is one of them, becomes its invoke. */
void unwind_restore(const ct_unwind *u, LLVMValueRef fn, const ct_vmap *before, LLVMValueRef *track);
void unwind_free(ct_unwind *u);

#endif
