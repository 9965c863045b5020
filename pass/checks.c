/* Run-time checks of the pointers users pass to the operators.
 *
 * Generated code writes each derivative through the pointer given for it
 * and adds into the shadows of arrays; a NULL there would crash deep in the
 * gradient with no word. Each such pointer is tested at the operator call
 * instead, and a NULL one stops the program with a message naming the
 * operator, the parameter and the function. A shadow may be NULL when its
 * array is NULL too (an optional array the function does not touch). The
 * test folds away for pointers known not to be NULL (&dx of a local). */
#include "core.h"

#include <stdlib.h>
#include <string.h>

/* The name users wrote: without the suffix of a call wrapper. */
static const char *user_name(LLVMValueRef fn, size_t *len) {
  const char *name = LLVMGetValueName2(fn, len);
  const char *dot = strstr(name, ".ct_");
  if (dot)
    *len = (size_t)(dot - name);
  return name;
}

void checks_nonnull(ct_module *m, LLVMValueRef before, LLVMValueRef p, LLVMValueRef primal, const char *op,
                    const char *what, unsigned param, LLVMValueRef fn) {
  const char *target = LLVMGetTarget(m->mod);
  if (!strncmp(target, "nvptx", 5)) /* no runtime on the device */
    return;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderBefore(b, before);
  LLVMValueRef bad = LLVMBuildIsNull(b, p, "ct.null");
  if (primal)
    bad = LLVMBuildAnd(b, bad, LLVMBuildIsNotNull(b, primal, ""), "ct.null");
  if (!LLVMIsAConstantInt(bad) || LLVMConstIntGetZExtValue(bad)) {
    LLVMValueRef term = ct_bridge_split_if_then_unreachable(bad, before);
    LLVMPositionBuilderBefore(b, term);
    size_t len = 0;
    const char *name = user_name(fn, &len);
    char *msg = util_format("%s: the %s of parameter %u of '%.*s' is NULL%s", op, what, param, (int)len, name,
                            primal ? " (the pointer is not)" : "");
    LLVMValueRef text = LLVMBuildGlobalStringPtr(b, msg, "ct.misuse");
    free(msg);
    LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), voidt = LLVMVoidTypeInContext(m->ctx);
    LLVMTypeRef fty = LLVMFunctionType(voidt, &ptr, 1, 0);
    int declared;
    LLVMValueRef error = ir_declare_function(m->mod, "__ct_runtime_error", fty, &declared);
    if (declared) {
      LLVMAddAttributeAtIndex(error, LLVMAttributeFunctionIndex,
                                 LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
      LLVMAddAttributeAtIndex(error, LLVMAttributeFunctionIndex,
                                 LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("cold", 4), 0));
    }
    LLVMBuildCall2(b, fty, error, &text, 1, "");
  }
  LLVMDisposeBuilder(b);
  LLVMPositionBuilderBefore(m->b, before); /* the split moved `before` to a new block */
}
