/* sin and cos of the same value, side by side.
 *
 * A gradient computes sin(x) in its forward part and cos(x) (the
 * derivative) in its reverse part, usually in another block. LLVM's code
 * generator turns a sin and a cos of the same operand into one sincos
 * call only within a block, so the later of the two moves right after the
 * earlier one when that one dominates it. Both are pure here (libm calls
 * the gradient marked memory(none), or intrinsics), so moving them is
 * safe; their operand dominates the earlier call. Two calls of the same
 * one on the same operand (a libm call and an intrinsic: the derivative of
 * the other function) become one, the dominating one. This runs at the end of
 * the optimization pipeline (InstCombine would sink the moved call back to
 * its use), in modules where the plugin generated a gradient (gradient.c
 * marks them with named metadata), and not in optnone functions. */
#include "core.h"

#include <string.h>

#define SINCOS_MARK "cotangent.pair_sin_cos"

typedef enum { TRIG_NONE, TRIG_SIN, TRIG_COS } trig_kind;

static trig_kind trig_of(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst) || LLVMGetNumArgOperands(inst) != 1)
    return TRIG_NONE;
  LLVMTypeKind k = LLVMGetTypeKind(LLVMTypeOf(inst));
  if (k != LLVMDoubleTypeKind && k != LLVMFloatTypeKind)
    return TRIG_NONE; /* sincos is scalar */
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee))
    return TRIG_NONE;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  if (len > 9 && !strncmp(name, "llvm.sin.", 9))
    return TRIG_SIN;
  if (len > 9 && !strncmp(name, "llvm.cos.", 9))
    return TRIG_COS;
  /* libm: only where the call cannot touch memory (errno) */
  LLVMAttributeRef a =
      LLVMGetCallSiteEnumAttribute(inst, LLVMAttributeFunctionIndex, LLVMGetEnumAttributeKindForName("memory", 6));
  if (!a || LLVMGetEnumAttributeValue(a) != 0)
    return TRIG_NONE;
  if ((len == 3 || len == 4) && !strncmp(name, "sinf", len))
    return TRIG_SIN;
  if ((len == 3 || len == 4) && !strncmp(name, "cosf", len))
    return TRIG_COS;
  return TRIG_NONE;
}

static int pair_in_function(LLVMValueRef fn) {
  int changed = 0;
  enum { MAX_CALLS = 64 };
  LLVMValueRef calls[MAX_CALLS];
  unsigned n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i && n < MAX_CALLS; i = LLVMGetNextInstruction(i))
      if (trig_of(i) != TRIG_NONE)
        calls[n++] = i;
  /* the same function of the same value twice (a tangent's cos(x) as the
     derivative of sin(x) next to the primal's libm cos(x)): one call */
  for (unsigned a = 0; a < n; ++a)
    for (unsigned b = 0; b < n && calls[a]; ++b) {
      if (a == b || !calls[b] || trig_of(calls[a]) != trig_of(calls[b]) ||
          LLVMGetOperand(calls[a], 0) != LLVMGetOperand(calls[b], 0) || LLVMTypeOf(calls[a]) != LLVMTypeOf(calls[b]) ||
          !ct_bridge_dominates(calls[a], calls[b]))
        continue;
      LLVMReplaceAllUsesWith(calls[b], calls[a]);
      LLVMInstructionEraseFromParent(calls[b]);
      calls[b] = NULL;
      changed = 1;
    }
  unsigned live = 0;
  for (unsigned a = 0; a < n; ++a)
    if (calls[a])
      calls[live++] = calls[a];
  n = live;
  LLVMBuilderRef bld = LLVMCreateBuilderInContext(LLVMGetTypeContext(LLVMTypeOf(fn)));
  for (unsigned a = 0; a < n; ++a)
    for (unsigned b = 0; b < n && calls[a]; ++b) {
      if (!calls[b] || trig_of(calls[a]) == trig_of(calls[b]) ||
          LLVMGetOperand(calls[a], 0) != LLVMGetOperand(calls[b], 0) || LLVMTypeOf(calls[a]) != LLVMTypeOf(calls[b]))
        continue;
      if (LLVMGetInstructionParent(calls[a]) != LLVMGetInstructionParent(calls[b])) {
        if (!ct_bridge_dominates(calls[a], calls[b]))
          continue;
        LLVMInstructionRemoveFromParent(calls[b]); /* b goes right after a */
        LLVMPositionBuilderBefore(bld, LLVMGetNextInstruction(calls[a]));
        LLVMInsertIntoBuilder(bld, calls[b]);
        changed = 1;
      }
      calls[a] = calls[b] = NULL; /* one partner each */
    }
  LLVMDisposeBuilder(bld);
  return changed;
}

int ct_pair_sin_cos_module(LLVMModuleRef mod) {
  if (!LLVMGetNamedMetadataNumOperands(mod, SINCOS_MARK))
    return 0;
  unsigned optnone = LLVMGetEnumAttributeKindForName("optnone", 7);
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f) && !LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, optnone))
      changed |= pair_in_function(f);
  return changed;
}

void sincos_mark_module(LLVMModuleRef mod) {
  if (LLVMGetNamedMetadataNumOperands(mod, SINCOS_MARK))
    return;
  LLVMContextRef ctx = LLVMGetModuleContext(mod);
  LLVMAddNamedMetadataOperand(mod, SINCOS_MARK, LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, NULL, 0)));
}
