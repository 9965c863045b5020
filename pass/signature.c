/* The names and signatures of generated gradients: the calling convention
 * that gradient.c builds and contract.c declares for calls into other
 * files (core.h, gradient_get and ct_split, gives the layouts). */
#include "core.h"

#include <stdlib.h>

static const char ACT_CODE[] = {'c', 'a', 'd', 'n'};

char *signature_name(const ct_spec *spec) {
  size_t len = 0;
  const char *fname = LLVMGetValueName2(spec->fn, &len);
  char codes[CT_MAX_PARAMS + 1];
  for (unsigned i = 0; i < spec->nparams; ++i)
    codes[i] = ACT_CODE[spec->act[i]];
  codes[spec->nparams] = 0;
  return util_format("%.*s.ct_%s.%s%s%s%s%s%s%s", (int)len, fname, spec->split ? "aug" : "grad", codes,
                     spec->ret_active ? ".r" : "", spec->ret_shadow ? ".s" : "", spec->owns_escaping ? ".o" : "",
                     spec->want_value ? ".v" : "", spec->concurrent ? ".mt" : "", spec->shared_tape ? ".st" : "");
}

LLVMTypeRef signature_combined(ct_module *m, const ct_spec *spec, LLVMTypeRef *ret_struct) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(spec->fn);
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  LLVMTypeRef params[2 * CT_MAX_PARAMS + 1];
  LLVMTypeRef fields[CT_MAX_PARAMS + 1];
  unsigned np = 0, nf = 0;
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  if (spec->want_value && has_ret)
    fields[nf++] = rty;
  for (unsigned i = 0; i < spec->nparams; ++i) {
    params[np++] = ptypes[i];
    if (spec->act[i] == ACT_DUP || spec->act[i] == ACT_DUPNONEED)
      params[np++] = ptypes[i];
    if (spec->act[i] == ACT_ACTIVE)
      fields[nf++] = ptypes[i];
  }
  if (spec->ret_active)
    params[np++] = rty;
  *ret_struct = LLVMStructTypeInContext(m->ctx, fields, nf, 0);
  return LLVMFunctionType(*ret_struct, params, np, 0);
}

void signature_split(ct_module *m, const ct_spec *spec, LLVMTypeRef *aug_ty, LLVMTypeRef *rev_ty) {
  LLVMTypeRef result_struct;
  LLVMTypeRef gty = signature_combined(m, spec, &result_struct);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  /* aug: the primal parameters (with shadows), returns { tape, [ret],
     [ret's shadow] } */
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  LLVMTypeRef fields[3] = {ptr, rty, rty};
  unsigned nfields = LLVMGetTypeKind(rty) == LLVMVoidTypeKind ? 1 : spec->ret_shadow ? 3 : 2;
  LLVMTypeRef aug_ret = LLVMStructTypeInContext(m->ctx, fields, nfields, 0);
  unsigned np = LLVMCountParamTypes(gty);
  LLVMTypeRef params[2 * CT_MAX_PARAMS + 3];
  LLVMGetParamTypes(gty, params);
  unsigned nprimal = np - (spec->ret_active ? 1 : 0);
  LLVMTypeRef seed = spec->ret_active ? params[nprimal] : NULL;
  if (spec->shared_tape) /* the caller's tape, after the primal parameters */
    params[nprimal] = ptr;
  *aug_ty = LLVMFunctionType(aug_ret, params, nprimal + (spec->shared_tape ? 1 : 0), 0);
  if (seed)
    params[nprimal] = seed;
  /* rev: the gradient's parameters, the tape, and whether to keep the tape
     for another run (pullbacks) */
  params[np] = ptr;
  params[np + 1] = LLVMInt1TypeInContext(m->ctx);
  *rev_ty = LLVMFunctionType(result_struct, params, np + 2, 0);
}

static const char SHARED_TAPE[] = "ct-shared-tape";

void signature_mark_shared(ct_module *m, LLVMValueRef split_fn) {
  LLVMAddAttributeAtIndex(split_fn, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, SHARED_TAPE, sizeof SHARED_TAPE - 1, "", 0));
}

int signature_shares_tape(LLVMValueRef split_fn) {
  return LLVMGetStringAttributeAtIndex(split_fn, LLVMAttributeFunctionIndex, SHARED_TAPE, sizeof SHARED_TAPE - 1) !=
         NULL;
}
