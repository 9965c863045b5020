/* libm calls and min/max idioms, made differentiable as the source wrote
 * them.
 *
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
