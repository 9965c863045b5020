/* Forward mode across files: the tangent half of the `differentiable`
 * contract (contract.c).
 *
 * In the file that defines a differentiable function f with external
 * linkage, the tangent function of its canonical activity is exported as
 * __ct_fwd_<f> (an alias of the generated f.ct_fwd.<codes>), next to the
 * reverse mode's __ct_aug_<f> / __ct_rev_<f>. A file that only declares f
 * differentiable calls that symbol when its own tangent code reaches a
 * call of f: separate compilation, no LTO.
 *
 * The export is made whether or not any file uses it, so a function whose
 * tangent Cotangent cannot generate (a construct forward mode does not
 * differentiate) must not fail the defining file's build: its errors are
 * held back, and __ct_fwd_<f> becomes a function that stops the program
 * with the first of them, naming f; a caller learns it when it runs, with
 * the reason. */
#include "tangent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *export_name(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  return util_format("__ct_fwd_%.*s", (int)len, name);
}

/* Does the tangent of f's canonical activity exist in another file? */
static int exportable(ct_module *m, LLVMValueRef f, ct_spec *spec) {
  if (LLVMIsDeclaration(f) || !contract_canonical_spec(m, f, spec))
    return 0;
  LLVMLinkage link = LLVMGetLinkage(f);
  if (link == LLVMInternalLinkage || link == LLVMPrivateLinkage)
    return 0;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(f));
  spec->split = 0;
  spec->ret_shadow = LLVMGetTypeKind(rty) == LLVMPointerTypeKind;
  if (!spec->ret_active && !spec->ret_shadow && LLVMGetTypeKind(rty) != LLVMVoidTypeKind)
    return 0; /* registry.c reports it */
  int any = spec->ret_active;
  for (unsigned i = 0; i < spec->nparams; ++i)
    any |= spec->act[i] != ACT_CONST;
  return any;
}

/* Tangent functions left as stubs by a failed (muted) generation: removed,
 * so that an operator of this file asking for one later generates it again
 * and reports its error. */
static void drop_failed_stubs(ct_module *m) {
  for (int again = 1; again;) {
    again = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      size_t len = 0;
      const char *name = LLVMGetValueName2(f, &len);
      LLVMBasicBlockRef entry = LLVMIsDeclaration(f) ? NULL : LLVMGetFirstBasicBlock(f);
      if (!entry || LLVMGetFirstUse(f) || !strstr(name, ".ct_fwd.") ||
          strcmp(LLVMGetBasicBlockName(entry), "failed"))
        continue;
      LLVMDeleteFunction(f);
      again = 1;
    }
  }
}

/* A function of spec's tangent type that stops the program with `why`. */
static LLVMValueRef failing_tangent(ct_module *m, const ct_spec *spec, const char *name, const char *why) {
  LLVMValueRef f = LLVMAddFunction(m->mod, name, tangent_type(m, spec));
  LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, f, "entry"));
  size_t len = 0;
  const char *fname = LLVMGetValueName2(spec->fn, &len);
  char *msg = util_format("cotangent: the forward-mode derivative of '%.*s' (called from another file) could not be "
                          "generated where '%.*s' is defined: %s",
                          (int)len, fname, (int)len, fname, why ? why : "see that file's compilation");
  LLVMValueRef text = LLVMBuildGlobalStringPtr(m->b, msg, "ct.fwd.export.error");
  free(msg);
  LLVMTypeRef pty = LLVMPointerTypeInContext(m->ctx, 0);
  ir_build_call(m->b, m->mod, "__ct_runtime_error", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &pty, 1, 0),
                &text, 1, "");
  LLVMBuildUnreachable(m->b);
  return f;
}

/* Makes `name` refer to `target` (an alias), replacing a declaration of it
 * that a call in this file made. */
static void export_as(ct_module *m, LLVMValueRef target, const char *name) {
  LLVMValueRef decl = LLVMGetNamedFunction(m->mod, name);
  LLVMValueRef alias = LLVMAddAlias2(m->mod, LLVMGlobalGetValueType(target), 0, target, name);
  if (decl) {
    LLVMReplaceAllUsesWith(decl, alias);
    LLVMDeleteFunction(decl);
    LLVMSetValueName2(alias, name, strlen(name));
  }
}

void tangent_export_all(ct_module *m) {
  if (gpu_module_is_simt(m->mod))
    return; /* forward mode does not differentiate SIMT code */
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    ct_spec spec;
    if (!exportable(m, f, &spec))
      continue;
    char *name = export_name(f);
    LLVMValueRef made = LLVMGetNamedFunction(m->mod, name);
    if (LLVMGetNamedGlobalAlias(m->mod, name, strlen(name)) || (made && !LLVMIsDeclaration(made))) {
      free(name);
      continue;
    }
    diag_mute(2); /* errors held back, warnings dropped: nobody asked for this derivative here */
    LLVMValueRef t = tangent_get(m, &spec, NULL);
    char *why = t ? NULL : util_format("%s", diag_muted_first() ? diag_muted_first() : "");
    diag_mute(0);
    if (!t) {
      drop_failed_stubs(m);
      char *stub = util_format("%s.failed", name);
      t = failing_tangent(m, &spec, stub, why);
      free(stub);
      LLVMSetLinkage(t, LLVMInternalLinkage);
    }
    export_as(m, t, name);
    free(why);
    free(name);
    m->changed = 1;
  }
}

LLVMValueRef tangent_external(ct_module *m, const ct_spec *spec) {
  char *name = export_name(spec->fn);
  LLVMValueRef f = LLVMGetNamedGlobalAlias(m->mod, name, strlen(name));
  if (!f)
    f = LLVMGetNamedFunction(m->mod, name);
  if (!f)
    f = LLVMAddFunction(m->mod, name, tangent_type(m, spec));
  free(name);
  return f;
}
