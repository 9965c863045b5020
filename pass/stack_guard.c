/* The stack guard of recursive gradients: the split functions of a
 * recursion recurse as deep as the user's function, with larger frames, so
 * a recursion the function survives may overflow the stack in its
 * gradient. Each generated split function that calls another split
 * function (the only way a gradient recurses) checks the stack on entry
 * (the runtime's __ct_stack_guard, lib/stack_guard.c), which stops with a
 * message naming the function instead of a segfault. */
#include "gen.h"

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

void stack_guard_add(ct_module *m, LLVMValueRef fn, LLVMValueRef user_fn) {
  if (gpu_module_is_simt(m->mod) || !LLVMGetFirstBasicBlock(fn) || !calls_split_function(fn))
    return;
  LLVMBasicBlockRef entry = LLVMGetFirstBasicBlock(fn);
  LLVMValueRef at = LLVMGetFirstInstruction(entry);
  while (at && LLVMIsAAllocaInst(at)) /* the static allocas stay first */
    at = LLVMGetNextInstruction(at);
  LLVMPositionBuilderBefore(m->b, at);
  char name[256];
  diag_function_name(user_fn, name, sizeof name);
  LLVMValueRef text = LLVMBuildGlobalStringPtr(m->b, name, "ct.guarded");
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 0);
  int declared = 0;
  LLVMValueRef guard = ir_declare_function(m->mod, "__ct_stack_guard", fty, &declared);
  if (declared)
    LLVMAddAttributeAtIndex(guard, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
  LLVMBuildCall2(m->b, fty, guard, &text, 1, "");
}
