/* Activity analysis over the prepared primal (SSA form).
 *
 * varied: transitively depends on an active argument (or on memory reached
 *         through a duplicated pointer);
 * useful: transitively feeds the differentiated return value (or memory
 *         reached through a duplicated pointer, which the caller reads back).
 * Only values that are both get adjoint code. Integers never carry
 * derivatives, so index math, counters and comparisons are inactive. */
#include "core.h"

int activity_carries_derivative(LLVMTypeRef t) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMPointerTypeKind:
    return 1;
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(t);
    for (unsigned i = 0; i < n; ++i)
      if (activity_carries_derivative(LLVMStructGetTypeAtIndex(t, i)))
        return 1;
    return 0;
  }
  case LLVMArrayTypeKind:
    return activity_carries_derivative(LLVMGetElementType(t));
  default:
    return type_is_fp(t);
  }
}

static int has_varied_operand(const ct_vmap *varied, LLVMValueRef inst) {
  int n = LLVMGetNumOperands(inst);
  if (LLVMIsACallInst(inst))
    n -= 1; /* the callee */
  for (int i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
    if (op && vmap_get(varied, op))
      return 1;
  }
  return 0;
}

void activity_analyze(const ct_spec *spec, LLVMValueRef fn, ct_vmap *active) {
  ct_vmap varied, useful;
  vmap_init(&varied);
  vmap_init(&useful);
  unsigned nparams = LLVMCountParams(fn);
  for (unsigned i = 0; i < nparams && i < spec->nparams; ++i)
    if (spec->act[i] != ACT_CONST)
      vmap_set(&varied, LLVMGetParam(fn, i), LLVMGetParam(fn, i));

  /* forward: iterate to a fixed point (phis in loops see later values) */
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if (vmap_get(&varied, inst) || !activity_carries_derivative(LLVMTypeOf(inst)))
          continue;
        if (has_varied_operand(&varied, inst)) {
          vmap_set(&varied, inst, inst);
          changed = 1;
        }
      }
  }

  /* backward: from the returned value, through operands */
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMBasicBlockRef bb = LLVMGetLastBasicBlock(fn); bb; bb = LLVMGetPreviousBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetLastInstruction(bb); inst; inst = LLVMGetPreviousInstruction(inst)) {
        int is_root = spec->ret_active && LLVMGetInstructionOpcode(inst) == LLVMRet;
        if (!is_root && !vmap_get(&useful, inst))
          continue;
        int n = LLVMGetNumOperands(inst);
        for (int i = 0; i < n; ++i) {
          LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
          if (op && (LLVMIsAInstruction(op) || LLVMIsAArgument(op)) && !vmap_get(&useful, op)) {
            vmap_set(&useful, op, op);
            changed = 1;
          }
        }
      }
  }

  for (size_t i = 0; i < varied.cap; ++i)
    if (varied.keys[i] && vmap_get(&useful, varied.keys[i]))
      vmap_set(active, varied.keys[i], varied.keys[i]);
  vmap_free(&varied);
  vmap_free(&useful);
}
