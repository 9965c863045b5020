/* The stack guard of recursive gradients: the split functions of a
 * recursion recurse as deep as the user's function, with larger frames, so
 * a recursion the function survives may overflow the stack in its
 * gradient. Each generated split function that calls another split
 * function (the only way a gradient recurses) checks the stack on entry
 * (its frame against the thread's floor inline, then the runtime's
 * __ct_stack_guard, lib/stack_guard.c, when below), which stops with a
 * message naming the function instead of a segfault. */
#include "gen.h"

#include <llvm-c/Target.h>

#include <string.h>

/* Does fn call a split gradient function (an augmented forward "...ct_aug..."
 * or its reverse)? */
static int calls_split_function(LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      size_t len = 0;
      const char *name = util_callee_name(inst, &len);
      if (name && len > 8 && memmem(name, len, ".ct_aug.", 8))
        return 1;
    }
  return 0;
}

/* The thread's stack floor (the runtime's __ct_stack_floor), declared. */
static LLVMValueRef stack_floor(ct_module *m, LLVMTypeRef intptr) {
  LLVMValueRef floor = LLVMGetNamedGlobal(m->mod, "__ct_stack_floor");
  if (!floor) {
    floor = LLVMAddGlobal(m->mod, intptr, "__ct_stack_floor");
    LLVMSetThreadLocal(floor, 1);
  }
  return floor;
}

void stack_guard_add(ct_module *m, LLVMValueRef fn, LLVMValueRef user_fn) {
  if (gpu_module_is_simt(m->mod) || !LLVMGetFirstBasicBlock(fn) || !calls_split_function(fn))
    return;
  LLVMBasicBlockRef entry = LLVMGetFirstBasicBlock(fn);
  LLVMValueRef at = LLVMGetFirstInstruction(entry);
  while (at && LLVMIsAAllocaInst(at)) /* the static allocas stay first */
    at = LLVMGetNextInstruction(at);
  LLVMPositionBuilderBefore(m->b, at);
  /* inline: is this frame below the floor? (UINTPTR_MAX before the
     runtime has computed it: the first call asks) */
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef intptr = LLVMIntPtrTypeInContext(m->ctx, LLVMGetModuleDataLayout(m->mod));
  unsigned id = LLVMLookupIntrinsicID("llvm.frameaddress", 17);
  LLVMValueRef frameaddress = LLVMGetIntrinsicDeclaration(m->mod, id, &ptr, 1);
  LLVMValueRef zero = LLVMConstInt(LLVMInt32TypeInContext(m->ctx), 0, 0);
  LLVMValueRef frame = LLVMBuildCall2(m->b, LLVMIntrinsicGetType(m->ctx, id, &ptr, 1), frameaddress, &zero, 1, "");
  LLVMValueRef here = LLVMBuildPtrToInt(m->b, frame, intptr, "ct.frame");
  LLVMValueRef floor = LLVMBuildLoad2(m->b, intptr, stack_floor(m, intptr), "ct.stack_floor");
  LLVMValueRef below = LLVMBuildICmp(m->b, LLVMIntULT, here, floor, "");
  LLVMValueRef then_term, else_term;
  ct_bridge_split_if_then_else(below, at, &then_term, &else_term);
  LLVMPositionBuilderBefore(m->b, then_term);
  char name[256];
  diag_function_name(user_fn, name, sizeof name);
  LLVMValueRef text = LLVMBuildGlobalStringPtr(m->b, name, "ct.guarded");
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 0);
  int declared = 0;
  LLVMValueRef guard = ir_declare_function(m->mod, "__ct_stack_guard", fty, &declared);
  if (declared)
    LLVMAddAttributeAtIndex(guard, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
  LLVMBuildCall2(m->b, fty, guard, &text, 1, "");
}
