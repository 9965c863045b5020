/* Copying a function body with LLVM-C: instructions are cloned, then their
 * operands remapped through a value map; phis are rebuilt because LLVM-C
 * cannot retarget a phi's incoming blocks. Debug intrinsics are dropped. */
#include "core.h"

#include <llvm-c/DebugInfo.h>

#include <string.h>

static int is_debug_intrinsic(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  return len > 9 && strncmp(name, "llvm.dbg.", 9) == 0;
}

void clone_body(ct_module *m, LLVMValueRef from, LLVMValueRef to, ct_vmap *map) {
  unsigned nparams = LLVMCountParams(from);
  for (unsigned i = 0; i < nparams; ++i) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(LLVMGetParam(from, i), &len);
    LLVMSetValueName2(LLVMGetParam(to, i), name, len);
    vmap_set(map, LLVMGetParam(from, i), LLVMGetParam(to, i));
  }
  clone_blocks(m, from, to, map);
}

void clone_blocks(ct_module *m, LLVMValueRef from, LLVMValueRef to, ct_vmap *map) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(from); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMBasicBlockRef nb = LLVMAppendBasicBlockInContext(m->ctx, to, LLVMGetBasicBlockName(bb));
    vmap_set(map, LLVMBasicBlockAsValue(bb), LLVMBasicBlockAsValue(nb));
  }
  unsigned assign_id = LLVMGetMDKindIDInContext(m->ctx, "DIAssignID", 10);
  /* First create every instruction, so forward references can be mapped. */
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(from); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMBasicBlockRef nb = LLVMValueAsBasicBlock(vmap_get(map, LLVMBasicBlockAsValue(bb)));
    LLVMPositionBuilderAtEnd(m->b, nb);
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst))
        continue;
      size_t len = 0;
      const char *name = LLVMGetValueName2(inst, &len);
      LLVMValueRef copy;
      if (LLVMIsAPHINode(inst)) {
        copy = LLVMBuildPhi(m->b, LLVMTypeOf(inst), name);
      } else {
        copy = LLVMInstructionClone(inst);
        LLVMInsertIntoBuilderWithName(m->b, copy, name);
        /* the builder stamps its own location on inserted instructions */
        LLVMInstructionSetDebugLoc(copy, LLVMInstructionGetDebugLoc(inst));
        /* assignment tracking links belong to the original's debug records */
        LLVMSetMetadata(copy, assign_id, NULL);
      }
      vmap_set(map, inst, copy);
    }
  }
  /* Then remap operands. */
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(from); bb; bb = LLVMGetNextBasicBlock(bb)) {
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef copy = vmap_get(map, inst);
      if (!copy)
        continue;
      if (LLVMIsAPHINode(inst)) {
        unsigned n = LLVMCountIncoming(inst);
        for (unsigned i = 0; i < n; ++i) {
          LLVMValueRef v = LLVMGetIncomingValue(inst, i);
          LLVMValueRef mv = vmap_get(map, v);
          LLVMBasicBlockRef ib = LLVMGetIncomingBlock(inst, i);
          LLVMBasicBlockRef mb = LLVMValueAsBasicBlock(vmap_get(map, LLVMBasicBlockAsValue(ib)));
          LLVMValueRef val = mv ? mv : v;
          LLVMAddIncoming(copy, &val, &mb, 1);
        }
        continue;
      }
      int n = LLVMGetNumOperands(inst);
      for (int i = 0; i < n; ++i) {
        LLVMValueRef v = LLVMGetOperand(inst, (unsigned)i);
        LLVMValueRef mv = v ? vmap_get(map, v) : NULL;
        if (mv)
          LLVMSetOperand(copy, (unsigned)i, mv);
      }
    }
  }
}
