/* Lowering a parsed operator call (operators.h), one function per kind:
 * the call's arguments become those of the generated gradient (converted
 * to the parameters' types, with run-time checks of derivative pointers
 * and shadows), and its results go where the operator puts them. */
#include "operators.h"
#include "release.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

/* The gradient's arguments: each parameter's value (converted: variadic
 * calls promote float to double and small integers to int), then its
 * shadow; derivative pointers go to outs (when given). Returns how many. */
static unsigned build_args(ct_module *m, const ct_op_call *c, LLVMValueRef *gargs, LLVMValueRef *outs,
                           unsigned *nout) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  unsigned ng = 0;
  for (unsigned p = 0; p < c->spec.nparams; ++p) {
    LLVMValueRef v = LLVMGetOperand(s->call, c->value[p]);
    LLVMTypeRef want = LLVMTypeOf(LLVMGetParam(c->fn, p));
    if (LLVMTypeOf(v) != want)
      v = type_is_fp_scalar(want) ? LLVMBuildFPCast(m->b, v, want, "") : LLVMBuildIntCast2(m->b, v, want, 1, "");
    gargs[ng++] = v;
    if (c->vjp && (c->spec.act[p] == ACT_DUP || c->spec.act[p] == ACT_DUPNONEED))
      gargs[ng++] = LLVMConstNull(want); /* the shadow comes with ct_pullback_apply */
    if (!c->extra[p])
      continue;
    LLVMValueRef x = LLVMGetOperand(s->call, c->extra[p]);
    if (c->spec.act[p] == ACT_DUP || c->spec.act[p] == ACT_DUPNONEED) {
      gargs[ng++] = x;
      if (c->spec.act[p] == ACT_DUP)
        checks_nonnull(m, s->call, x, v, op, "shadow", p + 1, c->fn);
    } else {
      outs[(*nout)++] = x;
      checks_nonnull(m, s->call, x, NULL, op, "derivative pointer", p + 1, c->fn);
    }
  }
  return ng;
}

/* Writes the gradient's result fields into the operator call's return value
 * following the C ABI's coercion: store the natural struct, load the type
 * the call returns (or copy into the sret buffer). */
LLVMValueRef operators_coerce_results(ct_module *m, LLVMValueRef call, LLVMValueRef sret, LLVMValueRef *vals,
                                      unsigned n) {
  LLVMTypeRef rty = LLVMTypeOf(call);
  if (!sret && LLVMGetTypeKind(rty) == LLVMVoidTypeKind)
    return NULL;
  if (!sret && n == 1 && LLVMTypeOf(vals[0]) == rty)
    return vals[0];
  LLVMTypeRef ftypes[CT_MAX_PARAMS];
  for (unsigned i = 0; i < n; ++i)
    ftypes[i] = LLVMTypeOf(vals[i]);
  LLVMTypeRef natural = LLVMStructTypeInContext(m->ctx, ftypes, n, 0);
  LLVMValueRef mem = sret;
  if (!mem) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
    unsigned long long size = LLVMABISizeOfType(td, natural);
    unsigned long long rsize = LLVMABISizeOfType(td, rty);
    LLVMTypeRef bytes = LLVMArrayType2(LLVMInt8TypeInContext(m->ctx), size > rsize ? size : rsize);
    /* allocas belong in the entry block */
    LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(LLVMGetBasicBlockParent(here));
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(m->ctx);
    LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(entry));
    mem = LLVMBuildAlloca(eb, bytes, "ct.result");
    LLVMSetAlignment(mem, 16);
    LLVMDisposeBuilder(eb);
    LLVMBuildStore(m->b, LLVMConstNull(bytes), mem);
  }
  for (unsigned i = 0; i < n; ++i)
    LLVMBuildStore(m->b, vals[i], LLVMBuildStructGEP2(m->b, natural, mem, i, ""));
  return sret ? NULL : LLVMBuildLoad2(m->b, rty, mem, "");
}

/* ---- ct_gradient, ct_value_with_gradient, __enzyme_autodiff ---- */
int operators_lower_gradient(ct_module *m, const ct_op_call *c, LLVMValueRef *gradient_call) {
  const ct_site *s = c->site;
  LLVMValueRef call = s->call;
  ct_spec spec = c->spec;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(c->fn));
  spec.ret_active = type_is_fp(rty);
  spec.want_value = s->kind == OP_CT_VALUE_WITH_GRADIENT;
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 1], outs[CT_MAX_PARAMS]; /* outs: where each derivative goes */
  unsigned nout = 0, ng = build_args(m, c, gargs, outs, &nout);
  if (spec.ret_active)
    gargs[ng++] = type_const_real(rty, 1.0);
  LLVMValueRef grad = gradient_get(m, &spec, call);
  if (!grad)
    return 0;
  LLVMPositionBuilderBefore(m->b, call); /* generation moved the builder */
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(grad), grad, gargs, ng, "");
  unsigned nfields = LLVMCountStructElementTypes(LLVMTypeOf(res));
  LLVMValueRef vals[CT_MAX_PARAMS + 1];
  for (unsigned f = 0; f < nfields; ++f)
    vals[f] = LLVMBuildExtractValue(m->b, res, f, "");
  *gradient_call = res; /* inlined once every site is lowered */
  LLVMValueRef replacement = NULL;
  if (!operator_is_enzyme(s->kind)) {
    int has_value = spec.want_value && LLVMGetTypeKind(rty) != LLVMVoidTypeKind; /* a void f's value is 0 */
    unsigned first = has_value ? 1 : 0;
    for (unsigned k = 0; k < nout; ++k)
      LLVMBuildStore(m->b, vals[first + k], outs[k]);
    if (spec.want_value && LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind)
      replacement = has_value ? LLVMBuildFPCast(m->b, vals[0], LLVMTypeOf(call), "")
                              : LLVMConstNull(LLVMTypeOf(call));
  } else {
    replacement = operators_coerce_results(m, call, c->sret, vals, nfields);
  }
  if (replacement)
    LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

/* ---- ct_gradient_of: the address of an entry point ---- */
int operators_lower_gradient_of(ct_module *m, const ct_op_call *c) {
  LLVMValueRef entry = registry_entry_point(m, c->fn, 0, c->site->call);
  if (!entry) {
    operators_error(c->site, "%s: '%s' must return float or double", operator_name(c->site->kind), c->fname);
    return 0;
  }
  LLVMReplaceAllUsesWith(c->site->call, entry);
  return 1;
}

/* ---- split mode (Enzyme's __enzyme_augmentfwd / __enzyme_reverse) ----
 * augmentfwd(f, args...) runs f and returns its tape (and f's result, when
 * the declared return type has room for it: { void *tape; double ret; });
 * reverse(f, args..., [seed if f returns floating point], tape) consumes
 * the tape and returns the derivatives of the active scalars. With
 * enzyme_allocated, size, enzyme_tape, buffer the tape (a pointer to
 * Cotangent's tape object) goes into the caller's buffer instead, and the
 * reverse reads it from there; with enzyme_tape alone the reverse takes it
 * there instead of last. enzyme_nofree: the reverse keeps the tape (and
 * the shadows of memory f allocates) for another run. */

int operators_lower_augmentsize(ct_module *m, const ct_op_call *c) {
  LLVMTypeRef t = LLVMTypeOf(c->site->call);
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind) {
    operators_error(c->site, "%s must be declared to return an integer type (size_t or int)",
                    operator_name(c->site->kind));
    return 0;
  }
  LLVMReplaceAllUsesWith(c->site->call, LLVMConstInt(t, operators_tape_bytes(m), 0));
  return 1;
}

/* A buffer size known only at run time: the program stops when it is too
 * small for the tape. */
static void check_buffer_size(ct_module *m, const ct_op_call *c, LLVMValueRef size) {
  if (LLVMIsAConstantInt(size) || !strncmp(LLVMGetTarget(m->mod), "nvptx", 5))
    return; /* checked when parsed; no runtime on the device */
  LLVMValueRef call = c->site->call;
  LLVMValueRef small = LLVMBuildICmp(m->b, LLVMIntULT, size, LLVMConstInt(LLVMTypeOf(size), operators_tape_bytes(m), 0),
                                     "ct.tape.small");
  LLVMValueRef term = ct_bridge_split_if_then_unreachable(small, call);
  LLVMPositionBuilderBefore(m->b, term);
  char *msg = util_format("%s: the tape's buffer (enzyme_allocated) of '%s' is smaller than the %llu bytes "
                          "__enzyme_augmentsize gives",
                          operator_name(c->site->kind), c->fname, operators_tape_bytes(m));
  LLVMValueRef text = LLVMBuildGlobalStringPtr(m->b, msg, "ct.misuse");
  free(msg);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 0);
  LLVMValueRef err = ir_build_call(m->b, m->mod, "__ct_runtime_error", fty, &text, 1, "");
  LLVMAddCallSiteAttribute(err, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
  LLVMPositionBuilderBefore(m->b, call);
}

/* The reverse's tape: the operand after enzyme_tape (read from that buffer
 * when enzyme_allocated gave one), or the last one. */
static LLVMValueRef reverse_tape(ct_module *m, const ct_op_call *c, unsigned *i) {
  const ct_site *s = c->site;
  LLVMValueRef tape = LLVMGetOperand(s->call, c->tape ? c->tape : (*i)++);
  if (LLVMGetTypeKind(LLVMTypeOf(tape)) != LLVMPointerTypeKind) {
    operators_error(s, "%s: the last argument must be the tape returned by __enzyme_augmentfwd",
                    operator_name(s->kind));
    return NULL;
  }
  if (c->tape_size)
    tape = LLVMBuildLoad2(m->b, LLVMPointerTypeInContext(m->ctx, 0), tape, "ct.tape");
  return tape;
}

int operators_lower_split(ct_module *m, ct_op_call *c) {
  const ct_site *s = c->site;
  LLVMValueRef call = s->call, sret = c->sret;
  ct_spec *spec = &c->spec;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  spec->split = 1;
  spec->ret_active = type_is_fp(rty);
  spec->want_value = 0;
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 3];
  unsigned ng = build_args(m, c, gargs, NULL, NULL), i = c->next;
  ct_split split;
  if (!gradient_get_split(m, spec, call, &split))
    return 0;
  LLVMPositionBuilderBefore(m->b, call);
  if (c->tape_size)
    check_buffer_size(m, c, LLVMGetOperand(call, c->tape_size));
  LLVMValueRef fn = split.aug;
  if (s->kind == OP_ENZYME_REVERSE) {
    if (spec->ret_active) {
      LLVMValueRef seed = LLVMGetOperand(call, i++);
      if (!type_is_fp_scalar(LLVMTypeOf(seed))) {
        operators_error(s, "%s: the seed of the result must be floating point", operator_name(s->kind));
        return 0;
      }
      gargs[ng++] = LLVMBuildFPCast(m->b, seed, rty, "");
    }
    LLVMValueRef tape = reverse_tape(m, c, &i);
    if (!tape)
      return 0;
    gargs[ng++] = tape;
    /* consume the tape, or keep it for another run (enzyme_nofree) */
    gargs[ng++] = LLVMConstInt(LLVMInt1TypeInContext(m->ctx), c->nofree ? 1 : 0, 0);
    fn = split.rev;
  }
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(fn), fn, gargs, ng, "");
  unsigned nfields = LLVMCountStructElementTypes(LLVMTypeOf(res));
  LLVMValueRef vals[CT_MAX_PARAMS + 1], *first = vals;
  for (unsigned f = 0; f < nfields; ++f)
    vals[f] = LLVMBuildExtractValue(m->b, res, f, "");
  if (s->kind == OP_ENZYME_AUGMENT && c->tape) { /* into the caller's buffer; the result alone comes back */
    LLVMBuildStore(m->b, vals[0], LLVMGetOperand(call, c->tape));
    ++first;
    --nfields;
  } else if (s->kind == OP_ENZYME_AUGMENT && !sret && LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind)
    nfields = 1; /* augmentfwd declared as returning just the tape pointer */
  LLVMValueRef replacement = operators_coerce_results(m, call, sret, first, nfields);
  if (replacement)
    LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

/* ---- pullbacks (ct_pullback / ct_value_with_pullback) ----
 * The call runs f's augmented forward and builds a pullback object
 * (lib/pullback.c) holding the tape, f's arguments and a thunk:
 *   void thunk(obj, double seed, void **outs, i32 keep)
 * which reruns f's reverse from the stored arguments and writes the
 * derivative of each active scalar argument through outs[k]; with outs
 * NULL (ct_pullback_free) it runs the reverse's release twin instead. */
static LLVMValueRef pullback_thunk(ct_module *m, const ct_spec *spec, const ct_split *split, LLVMTypeRef blob_ty,
                                   int vjp) {
  size_t len = 0;
  const char *rname = LLVMGetValueName2(split->rev, &len);
  char *name = util_format("%.*s.%s", (int)len, rname, vjp ? "vjp_thunk" : "thunk");
  LLVMValueRef thunk = LLVMGetNamedFunction(m->mod, name);
  if (thunk) {
    free(name);
    return thunk;
  }
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx), dbl = LLVMDoubleTypeInContext(m->ctx);
  LLVMTypeRef params[4] = {ptr, dbl, ptr, i32};
  thunk = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 4, 0));
  free(name);
  LLVMSetLinkage(thunk, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, thunk, "entry"));
  LLVMValueRef obj = LLVMGetParam(thunk, 0), outs = LLVMGetParam(thunk, 2);
  LLVMValueRef off = LLVMConstInt(i64, 32, 0); /* CT_PULLBACK_ARGS_OFFSET */
  LLVMValueRef blob = LLVMBuildLoad2(b, blob_ty, LLVMBuildGEP2(b, LLVMInt8TypeInContext(m->ctx), obj, &off, 1, ""), "");
  LLVMValueRef eight = LLVMConstInt(i64, 8, 0);
  LLVMValueRef tape = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, LLVMInt8TypeInContext(m->ctx), obj, &eight, 1, ""), "");
  unsigned nblob = LLVMCountStructElementTypes(blob_ty);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 3];
  unsigned n = 0;
  for (unsigned k = 0; k < nblob; ++k)
    args[n++] = LLVMBuildExtractValue(b, blob, k, "");
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  if (spec->ret_active)
    args[n++] = LLVMBuildFPCast(b, LLVMGetParam(thunk, 1), rty, "");
  args[n++] = tape;
  args[n++] = LLVMBuildICmp(b, LLVMIntNE, LLVMGetParam(thunk, 3), LLVMConstInt(i32, 0, 0), "");
  /* outs is NULL when the pullback is being freed: the reverse's twin
     releases the tape without touching any shadow (release.c) */
  LLVMBasicBlockRef apply = LLVMAppendBasicBlockInContext(m->ctx, thunk, "apply");
  LLVMBasicBlockRef release = LLVMAppendBasicBlockInContext(m->ctx, thunk, "release");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(m->ctx, thunk, "done");
  LLVMBuildCondBr(b, LLVMBuildIsNull(b, outs, ""), release, apply);
  LLVMPositionBuilderAtEnd(b, release);
  LLVMValueRef twin = release_of(m, split->rev);
  LLVMBuildCall2(b, LLVMGlobalGetValueType(twin), twin, args, n, "");
  LLVMBuildBr(b, done);
  LLVMPositionBuilderAtEnd(b, apply);
  /* outs[k]: the k-th derivative pointer, or (vjp) the k-th pointer given
     to ct_pullback_apply, in f's parameter order: where an active
     argument's derivative goes, or a pointer argument's shadow */
  LLVMValueRef *dest = calloc(spec->nparams + 1, sizeof *dest);
  unsigned nd = 0;
  for (unsigned p = 0, a = 0, k = 0; p < spec->nparams; ++p, ++a) {
    int shadow = spec->act[p] == ACT_DUP || spec->act[p] == ACT_DUPNONEED;
    if (spec->act[p] != ACT_ACTIVE && !(vjp && shadow)) {
      a += shadow;
      continue;
    }
    LLVMValueRef idx = LLVMConstInt(i64, k++, 0);
    LLVMValueRef out = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, ptr, outs, &idx, 1, ""), "");
    if (shadow)
      args[++a] = out;
    else
      dest[nd++] = out;
  }
  LLVMValueRef res = LLVMBuildCall2(b, LLVMGlobalGetValueType(split->rev), split->rev, args, n, "");
  unsigned nres = LLVMCountStructElementTypes(LLVMTypeOf(res));
  for (unsigned k = 0; k < nres && k < nd; ++k)
    LLVMBuildStore(b, LLVMBuildExtractValue(b, res, k, ""), dest[k]);
  free(dest);
  LLVMBuildBr(b, done);
  LLVMPositionBuilderAtEnd(b, done);
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  return thunk;
}

/* A vjp pullback runs f's augmented forward before its shadows exist (they
 * come with each ct_pullback_apply): that forward must not use them (it
 * would for f storing pointers into memory, whose shadows the forward
 * writes). */
int operators_vjp_forward_shadowless(const ct_spec *spec, const ct_split *split) {
  int ok = !LLVMIsDeclaration(split->aug);
  for (unsigned p = 0, a = 0; ok && p < spec->nparams; ++p, ++a)
    if (spec->act[p] == ACT_DUP || spec->act[p] == ACT_DUPNONEED)
      ok = !LLVMGetFirstUse(LLVMGetParam(split->aug, ++a));
  return ok;
}

LLVMValueRef operators_build_pullback(ct_module *m, const ct_spec *spec, const ct_split *split, LLVMValueRef *gargs,
                                      unsigned ng, int vjp, LLVMValueRef *value) {
  LLVMTypeRef types[2 * CT_MAX_PARAMS + 1];
  for (unsigned k = 0; k < ng; ++k)
    types[k] = LLVMTypeOf(gargs[k]);
  LLVMTypeRef blob_ty = LLVMStructTypeInContext(m->ctx, types, ng, 0);
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(split->aug), split->aug, gargs, ng, "");
  LLVMValueRef thunk = pullback_thunk(m, spec, split, blob_ty, vjp); /* its own builder */
  LLVMValueRef tape = LLVMBuildExtractValue(m->b, res, 0, "");
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  unsigned nouts = 0;
  for (unsigned p = 0; p < spec->nparams; ++p)
    nouts += spec->act[p] == ACT_ACTIVE || (vjp && (spec->act[p] == ACT_DUP || spec->act[p] == ACT_DUPNONEED));
  if (vjp)
    nouts |= CT_VJP_FLAG; /* applied with shadows, not a seed */
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  LLVMTypeRef nparams[4] = {ptr, ptr, i32, i64};
  LLVMTypeRef new_ty = LLVMFunctionType(ptr, nparams, 4, 0);
  LLVMValueRef newfn = LLVMGetNamedFunction(m->mod, "__ct_pullback_new");
  if (!newfn)
    newfn = LLVMAddFunction(m->mod, "__ct_pullback_new", new_ty);
  LLVMValueRef nargs[4] = {thunk, tape, LLVMConstInt(i32, nouts, 0), LLVMConstInt(i64, LLVMABISizeOfType(td, blob_ty), 0)};
  LLVMValueRef obj = LLVMBuildCall2(m->b, new_ty, newfn, nargs, 4, "ct.pullback");
  LLVMValueRef blob = LLVMGetUndef(blob_ty);
  for (unsigned k = 0; k < ng; ++k)
    blob = LLVMBuildInsertValue(m->b, blob, gargs[k], k, "");
  LLVMValueRef off = LLVMConstInt(i64, 32, 0);
  LLVMBuildStore(m->b, blob, LLVMBuildGEP2(m->b, LLVMInt8TypeInContext(m->ctx), obj, &off, 1, ""));
  *value = vjp || LLVMCountStructElementTypes(LLVMTypeOf(res)) < 2 ? NULL : LLVMBuildExtractValue(m->b, res, 1, "");
  return obj;
}

/* The differentiable function of another file that fn is, or that its
 * wrapper (operators_parse.c: "<f>.ct_call") calls; else NULL. */
static LLVMValueRef other_files_function(LLVMValueRef fn) {
  LLVMValueRef first = LLVMIsDeclaration(fn) ? NULL : LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(fn));
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  if (first && len > 8 && !memcmp(name + len - 8, ".ct_call", 8) && LLVMIsACallInst(first))
    fn = LLVMGetCalledValue(first);
  return fn && LLVMIsAFunction(fn) && LLVMIsDeclaration(fn) && contract_is_differentiable(fn) ? fn : NULL;
}

int operators_lower_pullback(ct_module *m, ct_op_call *c) {
  LLVMValueRef call = c->site->call, pb_out = c->pb_out;
  ct_spec *spec = &c->spec;
  spec->ret_active = !c->vjp; /* checked: the function returns floating point, or nothing (vjp) */
  spec->split = 1;
  LLVMValueRef elsewhere = c->vjp ? other_files_function(c->fn) : NULL;
  if (elsewhere) {
    /* a differentiable function of another file: its file registered a
       pullback maker, which checked there that its forward needs no
       shadows; found by address as for a run-time pointer */
    c->fn = elsewhere;
    LLVMPositionBuilderBefore(m->b, call);
    return operators_lower_runtime_pointer(m, c);
  }
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 1];
  unsigned ng = build_args(m, c, gargs, NULL, NULL);
  ct_split split;
  if (!gradient_get_split(m, spec, call, &split))
    return 0;
  if (c->vjp && !operators_vjp_forward_shadowless(spec, &split)) {
    operators_error(c->site, "%s: the pullback of '%s' (which returns nothing) gets the shadows of its pointer "
                             "arguments when applied, but its forward pass needs them already (it stores pointers "
                             "into memory, or is defined in another file): use ct_gradient with the shadows instead",
                    operator_name(c->site->kind), c->fname);
    return 0;
  }
  LLVMPositionBuilderBefore(m->b, call); /* generation moved the builder */
  LLVMValueRef value = NULL;
  LLVMValueRef obj = operators_build_pullback(m, spec, &split, gargs, ng, c->vjp, &value);
  LLVMValueRef replacement = obj;
  if (pb_out) {
    LLVMBuildStore(m->b, obj, pb_out);
    replacement = !value ? LLVMConstNull(LLVMTypeOf(call)) /* a void f's value is 0 */
                         : LLVMBuildFPCast(m->b, value, LLVMTypeOf(call), "");
  }
  LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

/* ---- ct_pullback_apply ----
 * A variadic function cannot count its arguments: each call becomes one of
 * __ct_pullback_apply_counted with the number of derivative pointers it
 * passes, which the runtime checks against the pullback's (a call with too
 * few read garbage: a segfault at -O0). Where the pullback comes from a
 * ct_pullback in view (the value itself, or a local variable stored once),
 * a wrong number is a compile error at the call. */

/* The __ct_pullback_new call that made pullback v, or NULL. */
static LLVMValueRef pullback_made(LLVMValueRef v) {
  if (LLVMIsALoadInst(v) && LLVMIsAAllocaInst(LLVMGetOperand(v, 0))) {
    LLVMValueRef var = LLVMGetOperand(v, 0), stored = NULL;
    for (LLVMUseRef u = LLVMGetFirstUse(var); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      size_t len = 0;
      const char *name = util_callee_name(user, &len);
      if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == var && !stored)
        stored = LLVMGetOperand(user, 0);
      else if (!LLVMIsALoadInst(user) && !(name && len > 14 && !strncmp(name, "llvm.lifetime.", 14)))
        return NULL; /* stored twice, or its address escapes */
    }
    v = stored;
  }
  size_t len = 0;
  const char *name = v ? util_callee_name(v, &len) : NULL;
  return name && len == 17 && !memcmp(name, "__ct_pullback_new", 17) && LLVMIsAConstantInt(LLVMGetOperand(v, 2)) ? v
                                                                                                                : NULL;
}

/* The call's count checked where the pullback is in view; 0 after an error. */
static int check_apply_count(LLVMValueRef caller, LLVMValueRef call, unsigned given) {
  LLVMValueRef made = pullback_made(LLVMGetOperand(call, 0));
  unsigned long long takes = made ? LLVMConstIntGetZExtValue(LLVMGetOperand(made, 2)) : given;
  if (takes == given)
    return 1;
  size_t len = 0;
  const char *thunk = LLVMGetValueName2(LLVMGetOperand(made, 0), &len), *dot = strstr(thunk, ".ct_");
  int fl = (int)(dot ? dot - thunk : 0);
  if ((takes ^ given) & CT_VJP_FLAG)
    diag_report(caller, call, CT_SEV_ERROR,
                takes & CT_VJP_FLAG
                    ? "ct_pullback_apply: '%.*s' returns nothing: its pullback takes no seed, only one pointer per "
                      "argument not constant, in order (a pointer argument's shadow holding the seed of what "
                      "'%.*s' writes there, or where a floating-point argument's derivative goes)"
                    : "ct_pullback_apply: '%.*s' has a floating-point result: its pullback takes the result's seed "
                      "(a floating-point value) first, then one derivative pointer per floating-point argument of "
                      "'%.*s'",
                fl, thunk, fl, thunk);
  else
    diag_report(caller, call, CT_SEV_ERROR,
                takes & CT_VJP_FLAG
                    ? "ct_pullback_apply: the pullback of '%.*s' takes %llu pointer(s) (one per argument of '%.*s' "
                      "not constant), given %u"
                    : "ct_pullback_apply: the pullback of '%.*s' takes %llu derivative pointer(s) (one per "
                      "floating-point argument of '%.*s'), given %u",
                fl, thunk, takes & ~(unsigned long long)CT_VJP_FLAG, fl, thunk, given & ~CT_VJP_FLAG);
  return 0;
}

/* One call of ct_pullback_apply (or of __ct_pullback_apply, as the macro
 * spells it): its seed (converted to double), or, when a pointer comes
 * first, no seed and only pointers (a vjp pullback's). */
static void lower_apply(ct_module *m, LLVMValueRef call, LLVMTypeRef counted_ty) {
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx), dbl = LLVMDoubleTypeInContext(m->ctx);
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(call));
  LLVMValueRef seed = LLVMGetOperand(call, 1);
  LLVMTypeKind sk = LLVMGetTypeKind(LLVMTypeOf(seed));
  int vjp = sk == LLVMPointerTypeKind;
  unsigned given = (vjp ? n - 1 : n - 2) | (vjp ? CT_VJP_FLAG : 0);
  if (!vjp && !type_is_fp_scalar(LLVMTypeOf(seed)) && sk != LLVMIntegerTypeKind) {
    diag_report(caller, call, CT_SEV_ERROR, "ct_pullback_apply: the seed (second argument) must be a number, or "
                                            "for a function returning nothing a pointer (a shadow)");
    return;
  }
  if (!check_apply_count(caller, call, given))
    return;
  LLVMPositionBuilderBefore(m->b, call);
  LLVMValueRef *args = malloc((n + 2) * sizeof *args);
  unsigned k = 0;
  args[k++] = LLVMGetOperand(call, 0);
  args[k++] = vjp ? LLVMConstReal(dbl, 0.0)
              : sk == LLVMIntegerTypeKind ? LLVMBuildSIToFP(m->b, seed, dbl, "")
                                          : LLVMBuildFPCast(m->b, seed, dbl, "");
  args[k++] = LLVMConstInt(i32, given, 0);
  for (unsigned o = vjp ? 1 : 2; o < n; ++o)
    args[k++] = LLVMGetOperand(call, o);
  if (LLVMIsAInvokeInst(call)) { /* C++: keeps its unwind edge */
    LLVMValueRef counted = ir_declare_function(m->mod, "__ct_pullback_apply_counted", counted_ty, NULL);
    LLVMBuildInvoke2(m->b, counted_ty, counted, args, k, LLVMGetNormalDest(call), LLVMGetUnwindDest(call), "");
  } else {
    ir_build_call(m->b, m->mod, "__ct_pullback_apply_counted", counted_ty, args, k, "");
  }
  free(args);
  LLVMInstructionEraseFromParent(call);
  m->changed = 1;
}

void operators_lower_pullback_applies(ct_module *m) {
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMTypeRef params[3] = {ptr, LLVMDoubleTypeInContext(m->ctx), i32};
  LLVMTypeRef counted_ty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 3, 1);
  static const char *const names[2] = {"ct_pullback_apply", "__ct_pullback_apply"};
  for (int i = 0; i < 2; ++i) {
    LLVMValueRef apply = LLVMGetNamedFunction(m->mod, names[i]);
    for (LLVMUseRef u = apply ? LLVMGetFirstUse(apply) : NULL, next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef call = LLVMGetUser(u);
      if ((!LLVMIsACallInst(call) && !LLVMIsAInvokeInst(call)) || LLVMGetCalledValue(call) != apply)
        continue;
      if (LLVMGetNumArgOperands(call) >= 2)
        lower_apply(m, call, counted_ty);
      else
        diag_report(LLVMGetBasicBlockParent(LLVMGetInstructionParent(call)), call, CT_SEV_ERROR,
                    "ct_pullback_apply: missing the seed (or, for a function returning nothing, the pointers) "
                    "after the pullback");
    }
  }
}

/* ---- operators on function pointers known only at run time ----
 * The gradient entry point is looked up by address in the runtime's
 * registry (registry.c) and called with the operator's arguments as the
 * variadic call passes them; an unregistered function is a run-time error
 * naming the operator. */
/* An alloca of type t in the entry block of the function m->b is in. */
static LLVMValueRef build_entry_alloca(ct_module *m, LLVMTypeRef t, const char *name) {
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(LLVMGetBasicBlockParent(LLVMGetInsertBlock(m->b)));
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(entry));
  LLVMValueRef a = LLVMBuildAlloca(eb, t, name);
  LLVMDisposeBuilder(eb);
  return a;
}

int operators_lower_runtime_pointer(ct_module *m, const ct_op_call *c) {
  const ct_site *s = c->site;
  LLVMValueRef call = s->call, fnptr = c->fn;
  unsigned nargs = c->nargs, i = c->first;
  LLVMValueRef args[2 * CT_MAX_PARAMS + 2];
  LLVMTypeRef types[2 * CT_MAX_PARAMS + 2];
  unsigned n = 0;
  if (nargs - i > 2 * CT_MAX_PARAMS) {
    operators_error(s, "%s: %u arguments after the function pointer, more than a function of at most %u parameters "
                  "takes", operator_name(s->kind), nargs - i, CT_MAX_PARAMS);
    return 0;
  }
  for (; i < nargs; ++i) {
    LLVMValueRef a = LLVMGetOperand(call, i);
    if (operators_marker(a) != MARK_NONE) {
      operators_error(s, "%s: ct_const cannot be used with a function pointer known only at run time (the "
                    "differentiable function's own activity applies)", operator_name(s->kind));
      return 0;
    }
    args[n] = a;
    types[n++] = LLVMTypeOf(a);
  }
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMTypeRef lparams[3] = {ptr, ptr, i32};
  LLVMTypeRef lty = LLVMFunctionType(ptr, lparams, 3, 0);
  LLVMValueRef lookup = ir_declare_function(m->mod, "__ct_lookup_entry", lty, NULL);
  int pullback = s->kind == OP_CT_PULLBACK || s->kind == OP_CT_VALUE_WITH_PULLBACK;
  int which = s->kind == OP_CT_GRADIENT_OF ? 1 : pullback ? 2 : 0; /* the registry's entries (lib/registry.c) */
  LLVMValueRef opname = LLVMBuildGlobalStringPtr(m->b, operator_name(s->kind), "ct.opname");
  LLVMValueRef largs[3] = {fnptr, opname, LLVMConstInt(i32, (unsigned long long)which, 0)};
  LLVMValueRef entry = LLVMBuildCall2(m->b, lty, lookup, largs, 3, "ct.entry");
  if (which == 1) { /* ct_gradient_of: the gradient itself */
    LLVMReplaceAllUsesWith(call, entry);
    return 1;
  }
  LLVMValueRef pb = c->pb_out;
  if (pullback) { /* the maker takes where the pullback goes first */
    if (!pb)
      pb = build_entry_alloca(m, ptr, "ct.pullback");
    memmove(args + 1, args, n * sizeof *args);
    memmove(types + 1, types, n * sizeof *types);
    args[0] = pb;
    types[0] = ptr;
    ++n;
  }
  LLVMTypeRef ety = LLVMFunctionType(LLVMDoubleTypeInContext(m->ctx), types, n, 0);
  LLVMValueRef value = LLVMBuildCall2(m->b, ety, entry, args, n, "");
  if (s->kind == OP_CT_PULLBACK)
    LLVMReplaceAllUsesWith(call, LLVMBuildLoad2(m->b, ptr, pb, ""));
  else if (LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind)
    LLVMReplaceAllUsesWith(call, LLVMBuildFPCast(m->b, value, LLVMTypeOf(call), ""));
  return 1;
}

