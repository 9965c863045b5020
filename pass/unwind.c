/* Operator calls that the caller invokes: C++ code with locals that have
 * destructors, or a try block around the operator call, calls it with an
 * `invoke` whose unwind edge runs those cleanups or the catch. The operator
 * becomes ordinary calls (the gradient, an augmented forward, runtime
 * calls); any of them may throw when the differentiated code does, so those
 * that may unwind are invoked again, with the operator's unwind edge: an
 * exception thrown during a gradient reaches the caller's cleanups and
 * catch blocks (a call there would end the program in std::terminate). */
#include "core.h"
#include "unwind.h"

#include <stdlib.h>

LLVMValueRef unwind_remember(ct_unwind **out, LLVMValueRef invoke) {
  ct_unwind *u = calloc(1, sizeof *u);
  u->dest = LLVMGetUnwindDest(invoke);
  LLVMBasicBlockRef from = LLVMGetInstructionParent(invoke);
  /* the landing pad's phis lose this edge: keep their values for it */
  for (LLVMValueRef phi = LLVMGetFirstInstruction(u->dest); phi && LLVMIsAPHINode(phi);
       phi = LLVMGetNextInstruction(phi))
    for (unsigned k = 0; k < LLVMCountIncoming(phi); ++k)
      if (LLVMGetIncomingBlock(phi, k) == from) {
        u->phis = realloc(u->phis, (u->n + 1) * sizeof *u->phis);
        u->vals = realloc(u->vals, (u->n + 1) * sizeof *u->vals);
        u->phis[u->n] = phi;
        u->vals[u->n++] = LLVMGetIncomingValue(phi, k);
        break;
      }
  *out = u;
  return ct_bridge_invoke_to_call(invoke);
}

void unwind_snapshot(LLVMValueRef fn, ct_vmap *calls) {
  vmap_init(calls);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
      if (LLVMIsACallInst(i))
        vmap_set(calls, i, i);
}

/* May this call throw? Not an intrinsic, nor nounwind (call site or
 * callee), nor inline assembly. */
static int may_unwind(LLVMValueRef call) {
  unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
  if (LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, nounwind))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (callee && LLVMIsAInlineAsm(callee))
    return 0;
  if (callee && LLVMIsAFunction(callee))
    return !LLVMGetIntrinsicID(callee) && !LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, nounwind);
  return 1;
}

void unwind_restore(const ct_unwind *u, LLVMValueRef fn, const ct_vmap *before, LLVMValueRef *track) {
  size_t cap = 16, n = 0;
  LLVMValueRef *fresh = malloc(cap * sizeof *fresh);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
      if (LLVMIsACallInst(i) && !vmap_get(before, i) && may_unwind(i)) {
        if (n == cap)
          fresh = realloc(fresh, (cap *= 2) * sizeof *fresh);
        fresh[n++] = i;
      }
  for (size_t k = 0; k < n; ++k) {
    LLVMValueRef inv = ct_bridge_call_to_invoke(fresh[k], u->dest);
    LLVMBasicBlockRef from = LLVMGetInstructionParent(inv);
    for (unsigned p = 0; p < u->n; ++p)
      LLVMAddIncoming(u->phis[p], &u->vals[p], &from, 1);
    if (track && *track == fresh[k])
      *track = inv;
  }
  free(fresh);
}

void unwind_free(ct_unwind *u) {
  if (!u)
    return;
  free(u->phis);
  free(u->vals);
  free(u);
}
