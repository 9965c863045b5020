/* libm calls and min/max idioms, made differentiable as the source wrote
 * them.
 *
 * - modf writes the integral part of x through its pointer argument: a
 *   floating-point value whose derivative is 0. In the prepared copy an
 *   explicit store of trunc(x) (the same value, also for -0, infinities and
 *   NaN) follows each modf call, so that the store's reverse clears the
 *   shadow of the integral part (what a load of it later added is not
 *   passed on to what was stored there before), and later loads read the
 *   store. The call's own row (rules.c) gives the fractional part
 *   derivative 1.
 * - Ties of max and min: -ffast-math lets LLVM turn `a > b ? a : b` and
 *   `a >= b ? a : b` alike into llvm.maxnum(a, b), which loses which
 *   operand the source gives a tie (b, then a). At PipelineStart, before
 *   that canonicalization, the no-signed-zeros flag is cleared on
 *   floating-point selects and phis: without it LLVM keeps the select (its
 *   result differs at +0 versus -0), whose reverse follows the source's
 *   comparison at every -O level. Code generation is unchanged (a select of
 *   a comparison of its operands is the same maxsd/minsd). */
#include "bridge.h"
#include "core.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>

static const char *const MODF[] = {"modf", "modff", "modfl", NULL};

void prepare_libm_calls(ct_module *m, LLVMValueRef fn) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (!LLVMIsACallInst(inst) || !ir_callee_is(inst, MODF) || LLVMGetNumArgOperands(inst) != 2)
        continue;
      LLVMValueRef x = LLVMGetOperand(inst, 0), ip = LLVMGetOperand(inst, 1);
      LLVMTypeRef ty = LLVMTypeOf(inst);
      if (!type_is_fp_scalar(ty) || LLVMTypeOf(x) != ty || LLVMGetTypeKind(LLVMTypeOf(ip)) != LLVMPointerTypeKind)
        continue;
      LLVMPositionBuilder(m->b, bb, LLVMGetNextInstruction(inst));
      LLVMSetCurrentDebugLocation2(m->b, LLVMInstructionGetDebugLoc(inst));
      unsigned id = LLVMLookupIntrinsicID("llvm.trunc", 10);
      LLVMValueRef args[1] = {x};
      LLVMValueRef t = LLVMBuildCall2(m->b, LLVMIntrinsicGetType(m->ctx, id, &ty, 1),
                                      LLVMGetIntrinsicDeclaration(m->mod, id, &ty, 1), args, 1, "");
      LLVMSetAlignment(LLVMBuildStore(m->b, t, ip), LLVMABIAlignmentOfType(td, ty));
      LLVMSetCurrentDebugLocation2(m->b, NULL);
      inst = LLVMGetNextInstruction(LLVMGetNextInstruction(inst)); /* the store */
    }
}

int libm_keep_tie_order(LLVMModuleRef mod) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if ((!LLVMIsAPHINode(inst) && !LLVMIsASelectInst(inst)) || !type_is_fp(LLVMTypeOf(inst)) ||
            !LLVMCanValueUseFastMathFlags(inst))
          continue;
        if (LLVMGetFastMathFlags(inst) & LLVMFastMathNoSignedZeros) {
          ct_bridge_clear_no_signed_zeros(inst);
          changed = 1;
        }
      }
  return changed;
}
