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
  alloc_prepare(m, copy);
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
  interchange_dot_products(m, fn, copy);
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
