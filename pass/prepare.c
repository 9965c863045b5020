/* Preparing the primal: differentiation works on a private copy of the
 * user's function brought into canonical SSA form by LLVM's own function
 * simplification pipeline. This makes -O0 input (allocas, optnone) look like
 * -O2 input, and leaves the user's function untouched. Calls of other
 * functions with bodies are inlined into the copy first. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREPARED_SUFFIX ".ct_prepared"
/* marks a copy whose function was rejected (constructs.c) */
static const char REJECTED[] = "ct-rejected";

/* p rebuilt with `arm` in place of the select it is computed from through
 * GEPs (the GEPs copied before `at`). */
static LLVMValueRef rebuild_on_arm(ct_module *m, LLVMValueRef p, LLVMValueRef sel, LLVMValueRef arm) {
  if (p == sel)
    return arm;
  LLVMValueRef base = rebuild_on_arm(m, LLVMGetOperand(p, 0), sel, arm);
  unsigned n = (unsigned)LLVMGetNumOperands(p) - 1;
  LLVMValueRef idx[16];
  for (unsigned k = 0; k < n; ++k)
    idx[k] = LLVMGetOperand(p, k + 1);
  LLVMValueRef g = LLVMBuildGEP2(m->b, LLVMGetGEPSourceElementType(p), base, idx, n, "");
  LLVMSetIsInBounds(g, LLVMIsInBounds(p));
  return g;
}

/* LLVM folds `c ? a[i] : b[j]` into one load through a select of the two
 * addresses (both being safe to load). When a and b are different objects
 * (a differentiable array and a constant one) that select would mix memory
 * with and without a shadow: the load is split back into a select of two
 * loads. */
static void split_selected_loads(ct_module *m, LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      if (!LLVMIsALoadInst(inst) || LLVMGetVolatile(inst))
        continue;
      LLVMValueRef p = LLVMGetOperand(inst, 0);
      unsigned depth = 0;
      while (LLVMIsAGetElementPtrInst(p) && LLVMGetNumOperands(p) <= 17 && depth++ < 8)
        p = LLVMGetOperand(p, 0);
      if (!LLVMIsASelectInst(p) || LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind)
        continue;
      LLVMValueRef a = LLVMGetOperand(p, 1), b = LLVMGetOperand(p, 2);
      if (ir_base_object(a) == ir_base_object(b))
        continue;
      LLVMPositionBuilderBefore(m->b, inst);
      LLVMTypeRef ty = LLVMTypeOf(inst);
      unsigned align = LLVMGetAlignment(inst);
      LLVMValueRef la = LLVMBuildLoad2(m->b, ty, rebuild_on_arm(m, LLVMGetOperand(inst, 0), p, a), "");
      LLVMValueRef lb = LLVMBuildLoad2(m->b, ty, rebuild_on_arm(m, LLVMGetOperand(inst, 0), p, b), "");
      LLVMSetAlignment(la, align);
      LLVMSetAlignment(lb, align);
      LLVMValueRef r = LLVMBuildSelect(m->b, LLVMGetOperand(p, 0), la, lb, "");
      LLVMValueRef addr = LLVMGetOperand(inst, 0);
      LLVMReplaceAllUsesWith(inst, r);
      LLVMInstructionEraseFromParent(inst);
      /* the address chain, down to the select, when nothing else uses it */
      while (addr && LLVMIsAInstruction(addr) && !LLVMGetFirstUse(addr) && addr != next) {
        LLVMValueRef below = addr == p ? NULL : LLVMGetOperand(addr, 0);
        LLVMInstructionEraseFromParent(addr);
        addr = below;
      }
    }
}

LLVMValueRef prepare_primal(ct_module *m, LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *pname = util_format("%.*s" PREPARED_SUFFIX, (int)len, name);
  LLVMValueRef copy = LLVMGetNamedFunction(m->mod, pname);
  if (copy) { /* NULL when it was rejected (and reported) before */
    free(pname);
    return LLVMGetStringAttributeAtIndex(copy, LLVMAttributeFunctionIndex, REJECTED, sizeof REJECTED - 1) ? NULL
                                                                                                          : copy;
  }
  copy = LLVMAddFunction(m->mod, pname, LLVMGlobalGetValueType(fn));
  free(pname);
  LLVMSetLinkage(copy, LLVMInternalLinkage);
  ir_copy_attributes(fn, copy, LLVMAttributeFunctionIndex);
  if (LLVMHasPersonalityFn(fn)) /* its landing pads need it */
    LLVMSetPersonalityFn(copy, LLVMGetPersonalityFn(fn));
  /* parameter attributes (noalias, nocapture, ...) help simplification */
  unsigned nparams = LLVMCountParams(fn);
  for (unsigned p = 1; p <= nparams; ++p)
    ir_copy_attributes(fn, copy, p);
  LLVMSetCurrentDebugLocation2(m->b, NULL);
  if (custom_derivative_of(m, fn)) {
    /* the gradient of a function with a custom derivative is its pullback
       (also when exported or reached through a pointer): the copy just
       calls it */
    custom_build_call_body(m, fn, copy);
  } else {
    ct_vmap map;
    vmap_init(&map);
    clone_body(m, fn, copy, &map);
    constructs_lower_indirect_branches(m, fn, &map);
    vmap_free(&map);
  }
  /* Calls of functions with bodies are differentiated by inlining them
     into the copy; recursive ones stay calls (and are reported). */
  ct_bridge_inline_calls(copy, fn, NULL);
  prepare_libm_calls(m, copy);
  omp_prepare(m, fn, copy);
  ct_bridge_simplify_function(copy);
  if (constructs_drop_cleanups(copy))
    ct_bridge_simplify_function(copy); /* the landing pads are unreachable now */
  if (!constructs_check(m, fn, copy)) {
    LLVMAddAttributeAtIndex(copy, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, REJECTED, sizeof REJECTED - 1, "", 0));
    return NULL;
  }
  retype_fp_memory(m, copy);
  split_selected_loads(m, copy);
  return copy;
}

void prepare_finish(ct_module *m) {
  size_t slen = strlen(PREPARED_SUFFIX);
  LLVMValueRef f = LLVMGetFirstFunction(m->mod);
  while (f) {
    LLVMValueRef next = LLVMGetNextFunction(f);
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    if (len > slen && memcmp(name + len - slen, PREPARED_SUFFIX, slen) == 0 && !LLVMGetFirstUse(f))
      LLVMDeleteFunction(f);
    f = next;
  }
}
