/* Gradient entry points with a plain C signature.
 *
 *   ct_gradient_of(f) returns   T f_grad(<f's parameters, each floating-point
 *                               one followed by a pointer receiving its
 *                               derivative, each pointer by its shadow>)
 *                               returning f's value;
 *   run-time function pointers  use the same entry point with the types a
 *                               variadic call passes (float as double, small
 *                               integers as int, result as double), found by
 *                               address in the runtime's registry, where a
 *                               constructor added by the pass registers each
 *                               differentiable function defined in the file,
 *                               with its ct_gradient_of gradient and a
 *                               pullback maker (pullback_entry) for
 *                               ct_pullback and ct_value_with_pullback.
 * The activity is f's canonical one (contract.c) when f is declared
 * differentiable, else the default: floating point active, pointers
 * duplicated, integers and no_derivative parameters constant; a constant
 * parameter has no pointer after it.
 *
 * Also the exports of the `differentiable` contract (contract.c): other
 * files call a differentiable function's split gradient by stable names. */
#include "core.h"
#include "operators.h"
#include "release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The function a call wrapper (operators.c: "<f>.ct_call", one call of f)
 * calls, or fn itself. */
static LLVMValueRef unwrapped(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  if (len < 8 || memcmp(name + len - 8, ".ct_call", 8) || LLVMIsDeclaration(fn))
    return fn;
  LLVMValueRef call = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(fn));
  LLVMValueRef callee = call && LLVMIsACallInst(call) ? LLVMGetCalledValue(call) : NULL;
  return callee && LLVMIsAFunction(callee) ? callee : fn;
}

static void default_spec(ct_module *m, LLVMValueRef fn, ct_spec *spec) {
  if (contract_canonical_spec(m, unwrapped(fn), spec)) {
    spec->fn = fn;
    spec->split = 0;
    spec->want_value = 1;
    return;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  memset(spec, 0, sizeof *spec);
  spec->fn = fn;
  spec->nparams = LLVMCountParamTypes(fty);
  LLVMGetParamTypes(fty, ptypes);
  for (unsigned i = 0; i < spec->nparams; ++i)
    spec->act[i] = custom_param_no_derivative(fn, i) ? ACT_CONST
                   : type_is_fp(ptypes[i])          ? ACT_ACTIVE
                   : LLVMGetTypeKind(ptypes[i]) == LLVMPointerTypeKind ? ACT_DUP
                                                                      : ACT_CONST;
  spec->ret_active = type_is_fp(LLVMGetReturnType(fty)); /* void: results through pointers */
  spec->want_value = 1;
}

static LLVMTypeRef promoted(ct_module *m, LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) == LLVMFloatTypeKind || LLVMGetTypeKind(t) == LLVMHalfTypeKind)
    return LLVMDoubleTypeInContext(m->ctx);
  if (LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) < 32)
    return LLVMInt32TypeInContext(m->ctx);
  return t;
}

/* registry_entry_point's wrapper, named wname; NULL if fn has none. */
static LLVMValueRef build_entry_point(ct_module *m, LLVMValueRef fn, int variadic_abi, LLVMValueRef site,
                                      const char *wname) {
  LLVMValueRef w;
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  unsigned np = LLVMCountParamTypes(fty);
  int is_void = LLVMGetTypeKind(rty) == LLVMVoidTypeKind; /* results through pointers */
  if ((!type_is_fp_scalar(rty) && !is_void) || np > CT_MAX_PARAMS || LLVMIsFunctionVarArg(fty))
    return NULL;
  ct_spec spec;
  default_spec(m, fn, &spec);
  LLVMValueRef grad = gradient_get(m, &spec, site);
  if (!grad)
    return NULL;
  LLVMTypeRef ptypes[CT_MAX_PARAMS], wparams[2 * CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  unsigned nw = 0;
  for (unsigned i = 0; i < np; ++i) {
    wparams[nw++] = variadic_abi ? promoted(m, ptypes[i]) : ptypes[i];
    if (spec.act[i] == ACT_ACTIVE || spec.act[i] == ACT_DUP)
      wparams[nw++] = ptr;
  }
  LLVMTypeRef wret = variadic_abi ? LLVMDoubleTypeInContext(m->ctx) : rty;
  w = LLVMAddFunction(m->mod, wname, LLVMFunctionType(wret, wparams, nw, 0));
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 1], outs[CT_MAX_PARAMS];
  unsigned ng = 0, nout = 0, k = 0;
  for (unsigned i = 0; i < np; ++i) {
    LLVMValueRef v = LLVMGetParam(w, k++);
    if (LLVMTypeOf(v) != ptypes[i])
      v = type_is_fp_scalar(ptypes[i]) ? LLVMBuildFPCast(b, v, ptypes[i], "") : LLVMBuildIntCast2(b, v, ptypes[i], 1, "");
    gargs[ng++] = v;
    if (spec.act[i] == ACT_DUP)
      gargs[ng++] = LLVMGetParam(w, k++);
    else if (spec.act[i] == ACT_ACTIVE)
      outs[nout++] = LLVMGetParam(w, k++);
  }
  if (!is_void)
    gargs[ng++] = LLVMConstReal(rty, 1.0);
  LLVMValueRef res = LLVMBuildCall2(b, LLVMGlobalGetValueType(grad), grad, gargs, ng, "");
  /* the pointers the caller gave: derivative pointers, shadows */
  const char *op = variadic_abi ? "ct_gradient" : "ct_gradient_of";
  for (unsigned i = 0, k = 0; i < np; ++i, ++k)
    if (spec.act[i] == ACT_DUP || spec.act[i] == ACT_ACTIVE) {
      LLVMValueRef p = LLVMGetParam(w, ++k);
      LLVMValueRef primal = spec.act[i] == ACT_DUP ? LLVMGetParam(w, k - 1) : NULL;
      checks_nonnull(m, res, p, primal, op, primal ? "shadow" : "derivative pointer", i + 1, fn);
    }
  LLVMPositionBuilderAtEnd(b, LLVMGetInstructionParent(res));
  for (unsigned o = 0; o < nout; ++o)
    LLVMBuildStore(b, LLVMBuildExtractValue(b, res, (is_void ? 0 : 1) + o, ""), outs[o]);
  LLVMValueRef value = is_void ? NULL : LLVMBuildExtractValue(b, res, 0, "");
  if (is_void && !variadic_abi)
    LLVMBuildRetVoid(b);
  else
    LLVMBuildRet(b, !value ? LLVMConstNull(wret) : LLVMTypeOf(value) == wret ? value : LLVMBuildFPCast(b, value, wret, ""));
  LLVMDisposeBuilder(b);
  return w;
}

LLVMValueRef registry_entry_point(ct_module *m, LLVMValueRef fn, int variadic_abi, LLVMValueRef site) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *wname = util_format("%.*s.ct_%s", (int)len, name, variadic_abi ? "entry" : "gradient_of");
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, wname);
  if (!w)
    w = build_entry_point(m, fn, variadic_abi, site, wname);
  free(wname);
  return w;
}

/* Appends `ctor` to llvm.global_ctors (priority 65535). */
static void add_constructor(ct_module *m, LLVMValueRef ctor) {
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMTypeRef fields[3] = {i32, ptr, ptr};
  LLVMTypeRef entry_ty = LLVMStructTypeInContext(m->ctx, fields, 3, 0);
  LLVMValueRef old = LLVMGetNamedGlobal(m->mod, "llvm.global_ctors");
  LLVMValueRef init = old ? LLVMGetInitializer(old) : NULL;
  unsigned n = init ? (unsigned)LLVMGetNumOperands(init) : 0;
  LLVMValueRef *elems = malloc((n + 1) * sizeof *elems);
  for (unsigned i = 0; i < n; ++i)
    elems[i] = LLVMGetOperand(init, i);
  LLVMValueRef vals[3] = {LLVMConstInt(i32, 65535, 0), ctor, LLVMConstNull(ptr)};
  elems[n++] = LLVMConstNamedStruct(entry_ty, vals, 3);
  LLVMValueRef arr = LLVMConstArray2(entry_ty, elems, n);
  free(elems);
  LLVMValueRef g = LLVMAddGlobal(m->mod, LLVMTypeOf(arr), "llvm.global_ctors.ct");
  LLVMSetInitializer(g, arr);
  LLVMSetLinkage(g, LLVMAppendingLinkage);
  if (old) {
    LLVMDeleteGlobal(old);
  }
  LLVMSetValueName2(g, "llvm.global_ctors", 17);
}

/* The pullback maker of a differentiable function f for pointers known at
 * run time: double f.ct_pullback_entry(void **pb, <f's arguments as a
 * variadic call passes them, each pointer followed by its shadow unless f
 * returns nothing>) makes the pullback as ct_value_with_pullback does,
 * stores it into *pb and returns f's value (0 for a void f). NULL where
 * there is none (a void f whose forward needs the shadows). */
static LLVMValueRef pullback_entry(ct_module *m, LLVMValueRef fn) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn), rty = LLVMGetReturnType(fty);
  int vjp = LLVMGetTypeKind(rty) == LLVMVoidTypeKind;
  unsigned np = LLVMCountParamTypes(fty);
  if ((!type_is_fp_scalar(rty) && !vjp) || np > CT_MAX_PARAMS || LLVMIsFunctionVarArg(fty) ||
      !strncmp(LLVMGetTarget(m->mod), "nvptx", 5)) /* no pullback objects on a GPU */
    return NULL;
  /* the split gradient that registry_export_all made for an external f (no
     new code, no new errors); for a static f only when this file applies
     pullbacks or gradients to run-time pointers */
  ct_spec spec;
  LLVMLinkage link = LLVMGetLinkage(fn);
  if (!contract_canonical_spec(m, fn, &spec) ||
      ((link == LLVMInternalLinkage || link == LLVMPrivateLinkage) && !LLVMGetNamedFunction(m->mod, "__ct_lookup_entry")))
    return NULL;
  spec.ret_shadow = 0;
  ct_split split;
  if (!gradient_get_split(m, &spec, NULL, &split) || (vjp && !operators_vjp_forward_shadowless(&spec, &split)))
    return NULL;
  LLVMTypeRef ptypes[CT_MAX_PARAMS], wparams[2 * CT_MAX_PARAMS + 1], ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMGetParamTypes(fty, ptypes);
  unsigned nw = 0;
  wparams[nw++] = ptr;
  for (unsigned i = 0; i < np; ++i) {
    wparams[nw++] = promoted(m, ptypes[i]);
    if (!vjp && (spec.act[i] == ACT_DUP || spec.act[i] == ACT_DUPNONEED))
      wparams[nw++] = ptr;
  }
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *wname = util_format("%.*s.ct_pullback_entry", (int)len, name);
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(m->ctx);
  LLVMValueRef w = LLVMAddFunction(m->mod, wname, LLVMFunctionType(dbl, wparams, nw, 0));
  free(wname);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMBuilderRef saved = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 1];
  unsigned ng = 0, k = 1;
  for (unsigned i = 0; i < np; ++i) {
    LLVMValueRef v = LLVMGetParam(w, k++);
    if (LLVMTypeOf(v) != ptypes[i])
      v = type_is_fp_scalar(ptypes[i]) ? LLVMBuildFPCast(m->b, v, ptypes[i], "")
                                       : LLVMBuildIntCast2(m->b, v, ptypes[i], 1, "");
    gargs[ng++] = v;
    if (spec.act[i] == ACT_DUP || spec.act[i] == ACT_DUPNONEED)
      gargs[ng++] = vjp ? LLVMConstNull(ptr) : LLVMGetParam(w, k++);
  }
  LLVMValueRef value = NULL;
  LLVMValueRef obj = operators_build_pullback(m, &spec, &split, gargs, ng, vjp, &value);
  LLVMBuildStore(m->b, obj, LLVMGetParam(w, 0));
  LLVMBuildRet(m->b, value ? LLVMBuildFPCast(m->b, value, dbl, "") : LLVMConstReal(dbl, 0.0));
  LLVMDisposeBuilder(m->b);
  m->b = saved;
  return w;
}

void registry_register_all(ct_module *m) {
  LLVMValueRef *entries = NULL, *fns = NULL;
  unsigned n = 0, cap = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    ct_spec spec;
    LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(f));
    if (LLVMIsDeclaration(f) || !contract_canonical_spec(m, f, &spec) ||
        (!type_is_fp_scalar(rty) && LLVMGetTypeKind(rty) != LLVMVoidTypeKind))
      continue;
    LLVMValueRef e[3] = {registry_entry_point(m, f, 1, NULL), registry_entry_point(m, f, 0, NULL),
                         pullback_entry(m, f)};
    if (!e[0])
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      entries = realloc(entries, 3 * cap * sizeof *entries);
      fns = realloc(fns, cap * sizeof *fns);
    }
    fns[n] = f;
    for (int j = 0; j < 3; ++j)
      entries[3 * n + j] = e[j] ? e[j] : LLVMConstNull(LLVMPointerTypeInContext(m->ctx, 0));
    ++n;
  }
  if (!n)
    return;
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx), ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMValueRef ctor = LLVMAddFunction(m->mod, "ct.register_gradients", LLVMFunctionType(voidt, NULL, 0, 0));
  LLVMSetLinkage(ctor, LLVMInternalLinkage);
  LLVMTypeRef rparams[4] = {ptr, ptr, ptr, ptr};
  LLVMTypeRef rty = LLVMFunctionType(voidt, rparams, 4, 0);
  LLVMValueRef reg = ir_declare_function(m->mod, "__ct_register_entries", rty, NULL);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, ctor, "entry"));
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef args[4] = {fns[i], entries[3 * i], entries[3 * i + 1], entries[3 * i + 2]};
    LLVMBuildCall2(b, rty, reg, args, 4, "");
  }
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  free(entries);
  free(fns);
  add_constructor(m, ctor);
  m->changed = 1;
}

static void export_config(ct_module *m, LLVMValueRef f, const ct_spec *spec);

/* The contract across files (contract.c): each differentiable function with
 * external linkage exports its split gradient for its canonical activity
 * as __ct_aug_<f>, __ct_rev_<f> (aliases of the generated pair). */
void registry_export_all(ct_module *m) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    ct_spec spec;
    unsigned tlen = 0;
    if (!LLVMIsDeclaration(f) && LLVMCountParams(f) > CT_MAX_PARAMS && contract_differentiable_text(m, f, &tlen)) {
      size_t len = 0;
      const char *name = LLVMGetValueName2(f, &len);
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but has %u parameters, more than the %u Cotangent "
                  "differentiates",
                  (int)len, name, LLVMCountParams(f), CT_MAX_PARAMS);
      continue;
    }
    if (LLVMIsDeclaration(f) || !contract_canonical_spec(m, f, &spec))
      continue;
    int any_fp = spec.ret_active;
    for (unsigned i = 0; i < spec.nparams; ++i)
      any_fp |= spec.act[i] == ACT_ACTIVE || spec.act[i] == ACT_DUP;
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(f));
    spec.ret_shadow = LLVMGetTypeKind(rty) == LLVMPointerTypeKind; /* an accessor: its shadow too */
    if (!spec.ret_active && !spec.ret_shadow && LLVMGetTypeKind(rty) != LLVMVoidTypeKind) {
      /* the frontend reports this at the attribute; this is for the
         annotate fallback */
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but its result is not floating point (a differentiable "
                  "function returns float or double, a pointer, or void when it writes its results through "
                  "pointers)",
                  (int)len, name);
      continue;
    }
    if (!any_fp) {
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but has no floating-point parameter or result to "
                  "differentiate",
                  (int)len, name);
      continue;
    }
    LLVMLinkage link = LLVMGetLinkage(f);
    if (link == LLVMInternalLinkage || link == LLVMPrivateLinkage)
      continue; /* only this file can call it: gradients are made on demand */
    for (unsigned k = 0, n = contract_config_count(m, f); k < n; ++k) /* every configuration */
      if (k == 0 || contract_config_spec(m, f, k, &spec)) {
        spec.ret_shadow = LLVMGetTypeKind(rty) == LLVMPointerTypeKind;
        export_config(m, f, &spec);
      }
  }
}

/* Exports the split gradient of configuration `spec` of f under its names
 * (contract_config_names). */
static void export_config(ct_module *m, LLVMValueRef f, const ct_spec *spec) {
  {
    char *aug, *rev;
    contract_config_names(m, f, spec, &aug, &rev);
    ct_split split;
    if (LLVMGetNamedGlobalAlias(m->mod, aug, strlen(aug)) || !gradient_get_split(m, spec, NULL, &split)) {
      free(aug);
      free(rev);
      return;
    }
    /* a declaration made by a call in this file gives way to the alias;
       the reverse's release twin goes under the reverse's name + ".release"
       (release.c), for pullbacks made in other files */
    char *rel = util_format("%s.release", rev);
    LLVMValueRef names[3] = {split.aug, split.rev, release_of(m, split.rev)};
    const char *exported[3] = {aug, rev, rel};
    for (int k = 0; k < 3; ++k) {
      LLVMValueRef decl = LLVMGetNamedFunction(m->mod, exported[k]);
      LLVMValueRef alias = LLVMAddAlias2(m->mod, LLVMGlobalGetValueType(names[k]), 0, names[k], exported[k]);
      if (decl) {
        LLVMReplaceAllUsesWith(decl, alias);
        LLVMDeleteFunction(decl);
        LLVMSetValueName2(alias, exported[k], strlen(exported[k]));
      }
    }
    free(aug);
    free(rev);
    free(rel);
    m->changed = 1;
  }
}
