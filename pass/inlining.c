/* Which calls a prepared primal inlines (ct_bridge_inline_calls, declared
 * with the bridge): the choice is the core's, LLVM's inliner makes each
 * one (ct_bridge_inline_call). */
#include "core.h"

#include <stdlib.h>
#include <string.h>

/* The function a call, invoke or callbr calls directly (with the call's
 * type), or NULL. */
static LLVMValueRef called_function(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst) && !LLVMIsACallBrInst(inst))
    return NULL;
  LLVMValueRef f = LLVMGetCalledValue(inst);
  return f && LLVMIsAFunction(f) && LLVMGlobalGetValueType(f) == LLVMGetCalledFunctionType(inst) ? f : NULL;
}

/* called_function, in the form ir_calls_reach follows. */
static LLVMValueRef next_callee(LLVMValueRef inst, void *data) {
  (void)data;
  return called_function(inst);
}

/* fn reaches itself through direct calls of functions with bodies. */
static int is_recursive(LLVMValueRef fn) { return ir_calls_reach(fn, fn, next_callee, NULL); }

/* Computed goto: the callee's block addresses would still name the callee's
 * blocks after inlining, so it stays a call. */
static int has_address_taken_block(LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u; u = LLVMGetNextUse(u))
      if (LLVMIsABlockAddress(LLVMGetUser(u)))
        return 1;
  return 0;
}

static int has_attribute(LLVMValueRef fn, const char *name) {
  return LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, name, (unsigned)strlen(name)) != NULL;
}

static int inlined(LLVMValueRef inst, LLVMValueRef fn, LLVMValueRef original, const char *prefix) {
  LLVMValueRef callee = called_function(inst);
  /* a target of a call through a pointer that may call itself that way
     (indirect_calls.c) */
  if (callee && LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(LLVMGetTypeContext(LLVMTypeOf(inst)), IR_DISPATCH_KEPT,
                                                               sizeof IR_DISPATCH_KEPT - 1)))
    return 0;
  size_t len = 0;
  const char *name = callee ? LLVMGetValueName2(callee, &len) : NULL;
  return callee && !LLVMIsDeclaration(callee) && !LLVMIsFunctionVarArg(LLVMGlobalGetValueType(callee)) &&
         !checkpoint_is_recompute_call(inst) &&
         callee != fn && !has_attribute(callee, "ct-custom-derivative") && !has_attribute(callee, "ct-no-derivative") &&
         !has_attribute(callee, "ct-no-derivative-params") && !has_attribute(callee, "ct-allocator") &&
         !has_attribute(callee, "ct-deallocator") && !has_attribute(callee, "ct-enzyme-forward") &&
         !LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, LLVMGetEnumAttributeKindForName("cold", 4)) &&
         (!prefix || (len >= strlen(prefix) && !memcmp(name, prefix, strlen(prefix)))) && callee != original &&
         !has_address_taken_block(callee) && !is_recursive(callee);
}

/* How many calls one function may inline: C++ at -O0 needs hundreds (each
 * std::vector element access, iterator step and allocation is a chain of
 * small calls; an LSTM over vectors of structs, about 700). Past it, calls
 * stay calls and are differentiated as callees. */
enum { INLINE_BUDGET = 8192 };

/* Inlines, round by round, the calls `inlined` picks (a round: the calls
 * there are now; the next: those their bodies brought). */
void ct_bridge_inline_calls(LLVMValueRef fn, LLVMValueRef original, const char *only_prefix) {
  size_t budget = INLINE_BUDGET, cap = 64;
  LLVMValueRef *calls = malloc(cap * sizeof *calls);
  for (int more = 1; more;) {
    size_t n = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
        if (inlined(inst, fn, original, only_prefix)) {
          if (n == cap)
            calls = realloc(calls, (cap *= 2) * sizeof *calls);
          calls[n++] = inst;
        }
    more = n > 0;
    for (size_t k = 0; k < n && more; ++k)
      more = budget-- > 0 && ct_bridge_inline_call(calls[k]);
  }
  free(calls);
}
