/* The differential operators: finding their calls, reading the activity of
 * each argument, and replacing each call with a call of the generated
 * gradient function.
 *
 * Enzyme's C ABI: __enzyme_autodiff*(f, [marker] arg, [shadow]...), markers
 * are the int globals enzyme_out/const/dup/dupnoneed; default activity by
 * type (floating point active, integers constant, pointers duplicated); the
 * result holds the derivatives of the active scalars in argument order.
 *
 * Cotangent's own (include/cotangent.h): __ct_gradient(f, args...) and
 * __ct_value_with_gradient(f, args...), where every floating-point argument
 * is followed by a pointer that receives its derivative, pointers are
 * followed by their shadow, and __ct_const_marker before a floating-point
 * argument makes it constant. */
#include "core.h"

#include <llvm-c/Target.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  OP_NONE, OP_ENZYME_AUTODIFF, OP_ENZYME_AUGMENT, OP_ENZYME_REVERSE, OP_CT_GRADIENT, OP_CT_VALUE_WITH_GRADIENT,
  OP_CT_PULLBACK, OP_CT_VALUE_WITH_PULLBACK, OP_CT_GRADIENT_OF
} ct_op_kind;

static int is_enzyme(ct_op_kind k) {
  return k == OP_ENZYME_AUTODIFF || k == OP_ENZYME_AUGMENT || k == OP_ENZYME_REVERSE;
}

typedef struct {
  LLVMValueRef call;
  LLVMValueRef caller; /* the function containing the call, for diagnostics */
  ct_op_kind kind;
} ct_site;

static ct_op_kind op_kind_of_function(LLVMValueRef callee) {
  if (!callee || !LLVMIsAFunction(callee))
    return OP_NONE;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  char buf[256];
  if (len >= sizeof buf)
    return OP_NONE;
  memcpy(buf, name, len);
  buf[len] = 0;
  if (strstr(buf, "__enzyme_autodiff"))
    return OP_ENZYME_AUTODIFF;
  if (strstr(buf, "__enzyme_augmentfwd"))
    return OP_ENZYME_AUGMENT;
  if (strstr(buf, "__enzyme_reverse"))
    return OP_ENZYME_REVERSE;
  if (!strcmp(buf, "__ct_gradient"))
    return OP_CT_GRADIENT;
  if (!strcmp(buf, "__ct_value_with_gradient"))
    return OP_CT_VALUE_WITH_GRADIENT;
  if (!strcmp(buf, "__ct_gradient_of"))
    return OP_CT_GRADIENT_OF;
  if (!strcmp(buf, "__ct_pullback"))
    return OP_CT_PULLBACK;
  if (!strcmp(buf, "__ct_value_with_pullback"))
    return OP_CT_VALUE_WITH_PULLBACK;
  return OP_NONE;
}

static ct_op_kind op_kind_of(LLVMValueRef call) { return op_kind_of_function(LLVMGetCalledValue(call)); }

/* ---- markers ---- */

typedef enum { MARK_NONE, MARK_OUT, MARK_CONST, MARK_DUP, MARK_DUPNONEED, MARK_CT_CONST } ct_marker;

static const struct {
  const char *name;
  ct_marker mark;
} MARKERS[] = {{"enzyme_out", MARK_OUT},
               {"enzyme_const", MARK_CONST},
               {"enzyme_dup", MARK_DUP},
               {"enzyme_dupnoneed", MARK_DUPNONEED},
               {"__ct_const_marker", MARK_CT_CONST}};

static ct_marker marker_of_global(LLVMValueRef g) {
  if (!g || !LLVMIsAGlobalVariable(g))
    return MARK_NONE;
  size_t len = 0;
  const char *name = LLVMGetValueName2(g, &len);
  for (size_t i = 0; i < sizeof MARKERS / sizeof MARKERS[0]; ++i)
    if (strlen(MARKERS[i].name) == len && !memcmp(MARKERS[i].name, name, len))
      return MARKERS[i].mark;
  return MARK_NONE;
}

static ct_marker marker_of(LLVMValueRef arg) {
  if (!LLVMIsALoadInst(arg))
    return MARK_NONE;
  return marker_of_global(LLVMGetOperand(arg, 0));
}

/* ---- diagnostics at the call ---- */

__attribute__((format(printf, 2, 3))) static void site_error(const ct_site *s, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_report(s->caller, s->call, CT_SEV_ERROR, "%s", msg);
}

static const char *op_name(ct_op_kind k) {
  switch (k) {
  case OP_ENZYME_AUTODIFF: return "__enzyme_autodiff";
  case OP_ENZYME_AUGMENT: return "__enzyme_augmentfwd";
  case OP_ENZYME_REVERSE: return "__enzyme_reverse";
  case OP_CT_GRADIENT: return "ct_gradient";
  case OP_CT_VALUE_WITH_GRADIENT: return "ct_value_with_gradient";
  case OP_CT_PULLBACK: return "ct_pullback";
  case OP_CT_GRADIENT_OF: return "ct_gradient_of";
  case OP_CT_VALUE_WITH_PULLBACK: return "ct_value_with_pullback";
  default: return "?";
  }
}

/* Converts an operator argument to the parameter type (variadic calls
 * promote float to double and small integers to int). */
static LLVMValueRef convert_arg(ct_module *m, const ct_site *s, LLVMValueRef v, LLVMTypeRef want, unsigned pidx) {
  LLVMTypeRef have = LLVMTypeOf(v);
  if (have == want)
    return v;
  if (type_is_fp_scalar(have) && type_is_fp_scalar(want))
    return LLVMBuildFPCast(m->b, v, want, "");
  if (LLVMGetTypeKind(have) == LLVMIntegerTypeKind && LLVMGetTypeKind(want) == LLVMIntegerTypeKind)
    return LLVMBuildIntCast2(m->b, v, want, 1, "");
  if (LLVMGetTypeKind(have) == LLVMIntegerTypeKind && type_is_fp_scalar(want)) {
    site_error(s, "%s: argument for parameter %u is an integer but the parameter is floating point "
                  "(write e.g. 2.0 instead of 2)", op_name(s->kind), pidx + 1);
    return NULL;
  }
  site_error(s, "%s: argument for parameter %u does not match the parameter's type", op_name(s->kind),
             pidx + 1);
  return NULL;
}

/* Writes the gradient's result fields into the operator call's return value
 * following the C ABI's coercion: store the natural struct, load the type
 * the call returns (or copy into the sret buffer). */
static LLVMValueRef coerce_results(ct_module *m, LLVMValueRef call, LLVMValueRef sret, LLVMValueRef *vals,
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

/* A function with a custom derivative, or a differentiable function of
 * another file, is differentiated through a wrapper that calls it, so the
 * generator sees one call and uses the pullback or the exported gradient. */
static LLVMValueRef call_wrapper(ct_module *m, LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *wname = util_format("%.*s.ct_call", (int)len, name);
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, wname);
  if (w) {
    free(wname);
    return w;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  w = LLVMAddFunction(m->mod, wname, fty);
  free(wname);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMAttributeRef nd = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  if (nd) /* the operator's argument layout follows it */
    LLVMAddAttributeAtIndex(w, LLVMAttributeFunctionIndex, nd);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  unsigned n = LLVMCountParams(w);
  LLVMValueRef args[CT_MAX_PARAMS];
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i)
    args[i] = LLVMGetParam(w, i);
  LLVMValueRef r = LLVMBuildCall2(b, fty, fn, args, n < CT_MAX_PARAMS ? n : CT_MAX_PARAMS, "");
  if (LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind)
    LLVMBuildRetVoid(b);
  else
    LLVMBuildRet(b, r);
  LLVMDisposeBuilder(b);
  return w;
}

/* ---- split mode (Enzyme's __enzyme_augmentfwd / __enzyme_reverse) ----
 * augmentfwd(f, args...) runs f and returns its tape (and f's result, when
 * the declared return type has room for it: { void *tape; double ret; });
 * reverse(f, args..., [seed if f returns floating point], tape) consumes
 * the tape and returns the derivatives of the active scalars. */
static int lower_split_site(ct_module *m, const ct_site *s, ct_spec *spec, LLVMValueRef *gargs, unsigned ng,
                            unsigned i, LLVMValueRef sret) {
  LLVMValueRef call = s->call;
  unsigned nargs = (unsigned)LLVMGetNumArgOperands(call);
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  spec->split = 1;
  spec->ret_active = type_is_fp(rty);
  spec->want_value = 0;
  unsigned extra = s->kind == OP_ENZYME_REVERSE ? 1u + (spec->ret_active ? 1u : 0u) : 0u;
  if (i + extra != nargs) {
    site_error(s, "%s: expected %u argument(s) after the function's arguments (%s), found %u", op_name(s->kind),
               extra, s->kind == OP_ENZYME_REVERSE ? (spec->ret_active ? "the result's seed, then the tape" : "the tape")
                                                   : "none",
               nargs - i);
    return 0;
  }
  ct_split split;
  if (!gradient_get_split(m, spec, call, &split))
    return 0;
  LLVMPositionBuilderBefore(m->b, call);
  LLVMValueRef fn = split.aug;
  if (s->kind == OP_ENZYME_REVERSE) {
    if (spec->ret_active) {
      LLVMValueRef seed = LLVMGetOperand(call, i++);
      if (!type_is_fp_scalar(LLVMTypeOf(seed))) {
        site_error(s, "%s: the seed of the result must be floating point", op_name(s->kind));
        return 0;
      }
      gargs[ng++] = LLVMBuildFPCast(m->b, seed, rty, "");
    }
    LLVMValueRef tape = LLVMGetOperand(call, i++);
    if (LLVMGetTypeKind(LLVMTypeOf(tape)) != LLVMPointerTypeKind) {
      site_error(s, "%s: the last argument must be the tape returned by __enzyme_augmentfwd", op_name(s->kind));
      return 0;
    }
    gargs[ng++] = tape;
    gargs[ng++] = LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 0, 0); /* consume the tape */
    fn = split.rev;
  }
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(fn), fn, gargs, ng, "");
  unsigned nfields = LLVMCountStructElementTypes(LLVMTypeOf(res));
  LLVMValueRef vals[CT_MAX_PARAMS + 1];
  for (unsigned f = 0; f < nfields; ++f)
    vals[f] = LLVMBuildExtractValue(m->b, res, f, "");
  /* augmentfwd declared as returning just the tape pointer */
  if (s->kind == OP_ENZYME_AUGMENT && !sret && LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind)
    nfields = 1;
  LLVMValueRef replacement = coerce_results(m, call, sret, vals, nfields);
  if (replacement)
    LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

/* ---- pullbacks (ct_pullback / ct_value_with_pullback) ----
 * The call runs f's augmented forward and builds a pullback object
 * (lib/pullback.c) holding the tape, f's arguments and a thunk:
 *   void thunk(obj, double seed, void **outs, i32 keep)
 * which reruns f's reverse from the stored arguments and writes the
 * derivative of each active scalar argument through outs[k]. */
static LLVMValueRef pullback_thunk(ct_module *m, const ct_spec *spec, const ct_split *split, LLVMTypeRef blob_ty) {
  size_t len = 0;
  const char *rname = LLVMGetValueName2(split->rev, &len);
  char *name = util_format("%.*s.thunk", (int)len, rname);
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
  args[n++] = LLVMBuildFPCast(b, LLVMGetParam(thunk, 1), rty, "");
  args[n++] = tape;
  args[n++] = LLVMBuildICmp(b, LLVMIntNE, LLVMGetParam(thunk, 3), LLVMConstInt(i32, 0, 0), "");
  LLVMValueRef res = LLVMBuildCall2(b, LLVMGlobalGetValueType(split->rev), split->rev, args, n, "");
  /* outs is NULL when the pullback is being freed */
  LLVMBasicBlockRef write = LLVMAppendBasicBlockInContext(m->ctx, thunk, "write");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(m->ctx, thunk, "done");
  LLVMBuildCondBr(b, LLVMBuildIsNull(b, outs, ""), done, write);
  LLVMPositionBuilderAtEnd(b, write);
  unsigned nres = LLVMCountStructElementTypes(LLVMTypeOf(res));
  for (unsigned k = 0; k < nres; ++k) {
    LLVMValueRef idx = LLVMConstInt(i64, k, 0);
    LLVMValueRef out = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, ptr, outs, &idx, 1, ""), "");
    LLVMBuildStore(b, LLVMBuildExtractValue(b, res, k, ""), out);
  }
  LLVMBuildBr(b, done);
  LLVMPositionBuilderAtEnd(b, done);
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  return thunk;
}

static int lower_pullback_site(ct_module *m, const ct_site *s, ct_spec *spec, LLVMValueRef *gargs, unsigned ng,
                               LLVMValueRef pb_out) {
  LLVMValueRef call = s->call;
  spec->split = 1;
  spec->want_value = 0;
  ct_split split;
  if (!gradient_get_split(m, spec, call, &split))
    return 0;
  LLVMPositionBuilderAtEnd(m->b, LLVMGetInsertBlock(m->b));
  LLVMPositionBuilderBefore(m->b, call);
  LLVMTypeRef types[2 * CT_MAX_PARAMS + 1];
  for (unsigned k = 0; k < ng; ++k)
    types[k] = LLVMTypeOf(gargs[k]);
  LLVMTypeRef blob_ty = LLVMStructTypeInContext(m->ctx, types, ng, 0);
  LLVMValueRef thunk = pullback_thunk(m, spec, &split, blob_ty);
  LLVMPositionBuilderBefore(m->b, call);
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(split.aug), split.aug, gargs, ng, "");
  LLVMValueRef tape = LLVMBuildExtractValue(m->b, res, 0, "");
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  unsigned nouts = 0;
  for (unsigned p = 0; p < spec->nparams; ++p)
    nouts += spec->act[p] == ACT_ACTIVE;
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
  LLVMValueRef replacement = obj;
  if (pb_out) {
    LLVMBuildStore(m->b, obj, pb_out);
    replacement = LLVMBuildFPCast(m->b, LLVMBuildExtractValue(m->b, res, 1, ""), LLVMTypeOf(call), "");
  }
  LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

/* ---- operators on function pointers known only at run time ----
 * The gradient entry point is looked up by address in the runtime's
 * registry (registry.c) and called with the operator's arguments as the
 * variadic call passes them; an unregistered function is a run-time error
 * naming the operator. */
static int lower_runtime_pointer_site(ct_module *m, const ct_site *s, LLVMValueRef fnptr, unsigned i) {
  LLVMValueRef call = s->call;
  unsigned nargs = (unsigned)LLVMGetNumArgOperands(call);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 2];
  LLVMTypeRef types[2 * CT_MAX_PARAMS + 2];
  unsigned n = 0;
  if (nargs - i > 2 * CT_MAX_PARAMS) {
    site_error(s, "%s: %u arguments after the function pointer, more than a function of at most %u parameters "
                  "takes", op_name(s->kind), nargs - i, CT_MAX_PARAMS);
    return 0;
  }
  for (; i < nargs; ++i) {
    LLVMValueRef a = LLVMGetOperand(call, i);
    if (marker_of(a) != MARK_NONE) {
      site_error(s, "%s: ct_const cannot be used with a function pointer known only at run time (the "
                    "differentiable function's own activity applies)", op_name(s->kind));
      return 0;
    }
    args[n] = a;
    types[n++] = LLVMTypeOf(a);
  }
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef lparams[2] = {ptr, ptr};
  LLVMTypeRef lty = LLVMFunctionType(ptr, lparams, 2, 0);
  LLVMValueRef lookup = LLVMGetNamedFunction(m->mod, "__ct_lookup_gradient");
  if (!lookup)
    lookup = LLVMAddFunction(m->mod, "__ct_lookup_gradient", lty);
  LLVMValueRef opname = LLVMBuildGlobalStringPtr(m->b, op_name(s->kind), "ct.opname");
  LLVMValueRef largs[2] = {fnptr, opname};
  LLVMValueRef entry = LLVMBuildCall2(m->b, lty, lookup, largs, 2, "ct.entry");
  LLVMTypeRef ety = LLVMFunctionType(LLVMDoubleTypeInContext(m->ctx), types, n, 0);
  LLVMValueRef value = LLVMBuildCall2(m->b, ety, entry, args, n, "");
  if (LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind)
    LLVMReplaceAllUsesWith(call, LLVMBuildFPCast(m->b, value, LLVMTypeOf(call), ""));
  return 1;
}

/* The gradient is generated after LLVM's inliner ran, so it is inlined
 * here when it is small enough, letting LLVM optimize it together with its
 * caller (hoisting, vectorization). The budget is shared by the gradient's
 * calls: a large gradient called from several places stays one function
 * (inlining it everywhere multiplies the compile time and gains nothing
 * measurable). Not into optnone (-O0) callers, except on NVPTX. */
enum { INLINE_BUDGET = 2000 };

static unsigned count_calls_of(LLVMValueRef fn) {
  unsigned n = 0;
  for (LLVMUseRef u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u))
    n += LLVMIsACallInst(LLVMGetUser(u)) != NULL;
  return n;
}

static void maybe_inline(ct_module *m, LLVMValueRef call) {
  if (!strncmp(LLVMGetTarget(m->mod), "nvptx", 5)) {
    /* always on NVPTX, at -O0 too: PTX cannot return the empty result
       struct of a gradient without active scalars, and device calls are
       costly */
    ct_bridge_inline_call(call);
    return;
  }
  const char *env = ct_switch(CT_SWITCH_INLINE_GRADIENTS); /* "0": keep the calls (IR tests) */
  if (env && !strcmp(env, "0"))
    return;
  LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(call));
  if (LLVMGetEnumAttributeAtIndex(caller, LLVMAttributeFunctionIndex, LLVMGetEnumAttributeKindForName("optnone", 7)))
    return;
  LLVMValueRef grad = LLVMGetCalledValue(call);
  unsigned calls = count_calls_of(grad);
  unsigned budget = INLINE_BUDGET / (calls ? calls : 1);
  unsigned size = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(grad); bb && size <= budget; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
      ++size;
  if (size <= budget)
    ct_bridge_inline_call(call);
}

/* ---- one operator call ---- */

/* Does `fn` reach `target` through direct calls of functions whose bodies
 * are differentiated (fn == target included)? An operator applied to the function containing
 * it, or to one that calls it, would have to differentiate its own call. */
static int reaches(ct_module *m, LLVMValueRef fn, LLVMValueRef target) {
  ct_vmap seen;
  vmap_init(&seen);
  size_t cap = 16, n = 0;
  LLVMValueRef *work = malloc(cap * sizeof *work);
  work[n++] = fn;
  vmap_set(&seen, fn, fn);
  int found = 0;
  while (n && !found) {
    LLVMValueRef f = work[--n];
    if (f == target) {
      found = 1;
      break;
    }
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
          continue;
        LLVMValueRef callee = LLVMGetCalledValue(inst);
        if (!callee || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) || vmap_get(&seen, callee) ||
            custom_derivative_of(m, callee) ||
            LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-no-derivative", 16))
          continue; /* a body that is not differentiated */
        vmap_set(&seen, callee, callee);
        if (n == cap)
          work = realloc(work, (cap *= 2) * sizeof *work);
        work[n++] = callee;
      }
  }
  free(work);
  vmap_free(&seen);
  return found;
}

static int lower_site(ct_module *m, const ct_site *s, LLVMValueRef *gradient_call) {
  LLVMValueRef call = s->call;
  unsigned nargs = (unsigned)LLVMGetNumArgOperands(call);
  unsigned i = 0;
  LLVMValueRef sret = NULL;
  if (is_enzyme(s->kind) && nargs > 0 &&
      LLVMGetCallSiteEnumAttribute(call, 1, LLVMGetEnumAttributeKindForName("sret", 4)))
    sret = LLVMGetOperand(call, i++);
  if (i >= nargs) {
    site_error(s, "%s: missing the function to differentiate", op_name(s->kind));
    return 0;
  }
  LLVMValueRef fn = LLVMGetOperand(call, i++);
  int is_pullback = s->kind == OP_CT_PULLBACK || s->kind == OP_CT_VALUE_WITH_PULLBACK;
  LLVMValueRef pb_out = NULL;
  if (s->kind == OP_CT_VALUE_WITH_PULLBACK) {
    if (i >= nargs || LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, i))) != LLVMPointerTypeKind) {
      site_error(s, "%s: the second argument must point to where the pullback goes (&pb)", op_name(s->kind));
      return 0;
    }
    pb_out = LLVMGetOperand(call, i++);
  }
  if (!LLVMIsAFunction(fn)) {
    if (s->kind == OP_CT_GRADIENT || s->kind == OP_CT_VALUE_WITH_GRADIENT)
      return lower_runtime_pointer_site(m, s, fn, i);
    site_error(s, "%s: the function to differentiate must be a function known at compile time here, "
                  "not a function pointer computed at run time%s", op_name(s->kind),
               is_enzyme(s->kind) ? "" : " (ct_gradient and ct_value_with_gradient accept those)");
    return 0;
  }
  size_t fnlen = 0;
  const char *fname = LLVMGetValueName2(fn, &fnlen);
  char fnbuf[256];
  snprintf(fnbuf, sizeof fnbuf, "%.*s", (int)fnlen, fname);
  if (LLVMCountParams(fn) > CT_MAX_PARAMS) {
    site_error(s, "cannot differentiate '%s': it has %u parameters, more than the %u Cotangent differentiates",
               fnbuf, LLVMCountParams(fn), CT_MAX_PARAMS);
    return 0;
  }
  if (!LLVMIsDeclaration(fn) && !custom_derivative_of(m, fn) && reaches(m, fn, s->caller)) {
    site_error(s, "%s: cannot differentiate '%s' inside itself: this call is part of '%s' (in its body or "
                  "in a function it calls); call the operator from a function that '%s' does not call",
               op_name(s->kind), fnbuf, fnbuf, fnbuf);
    return 0;
  }
  ct_spec declared; /* a differentiable(wrt) declaration narrows the default activity */
  int has_declared = contract_canonical_spec(m, fn, &declared);
  if (custom_derivative_of(m, fn) || (LLVMIsDeclaration(fn) && has_declared))
    fn = call_wrapper(m, fn); /* its calls use the pullback, or the other file's gradient */
  if (s->kind == OP_CT_GRADIENT_OF) {
    if (i != nargs) {
      site_error(s, "%s takes just the function", op_name(s->kind));
      return 0;
    }
    if (LLVMIsDeclaration(fn)) {
      site_error(s, "cannot differentiate '%s': its body is not in this translation unit (define it "
                    "here, or declare it CT_DIFFERENTIABLE where it is defined)", fnbuf);
      return 0;
    }
    LLVMValueRef entry = registry_entry_point(m, fn, 0, call);
    if (!entry) {
      site_error(s, "%s: '%s' must return float or double", op_name(s->kind), fnbuf);
      return 0;
    }
    LLVMReplaceAllUsesWith(call, entry);
    return 1;
  }
  if (LLVMIsDeclaration(fn)) {
    site_error(s, "cannot differentiate '%s': its body is not in this translation unit (define it "
                  "in this file, or compile with LTO)", fnbuf);
    return 0;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  if (LLVMIsFunctionVarArg(fty)) {
    site_error(s, "cannot differentiate '%s': variadic functions are not supported", fnbuf);
    return 0;
  }
  unsigned nparams = LLVMCountParamTypes(fty); /* at most CT_MAX_PARAMS: checked above */
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  LLVMTypeRef rty = LLVMGetReturnType(fty);

  ct_spec spec = {.fn = fn, .nparams = nparams};
  LLVMValueRef gargs[2 * CT_MAX_PARAMS + 1];
  LLVMValueRef outs[CT_MAX_PARAMS]; /* native API: where each derivative goes */
  unsigned ng = 0, nout = 0;
  int native = !is_enzyme(s->kind);
  for (unsigned p = 0; p < nparams; ++p) {
    LLVMTypeRef pt = ptypes[p];
    int is_fp = type_is_fp(pt), is_ptr = LLVMGetTypeKind(pt) == LLVMPointerTypeKind;
    if (is_ptr && LLVMGetEnumAttributeAtIndex(fn, p + 1, LLVMGetEnumAttributeKindForName("byval", 5))) {
      site_error(s, "%s: parameter %u of '%s' is a struct passed by value: differentiating functions that take "
                    "structs by value is not supported yet (pass a pointer to the struct)",
                 op_name(s->kind), p + 1, fnbuf);
      return 0;
    }
    ct_activity act = custom_param_no_derivative(spec.fn, p) ||
                              (has_declared && declared.act[p] == ACT_CONST && (is_fp || is_ptr))
                          ? ACT_CONST
                      : is_fp                                ? ACT_ACTIVE
                      : is_ptr                               ? ACT_DUP
                                                             : ACT_CONST;
    ct_marker mk = i < nargs ? marker_of(LLVMGetOperand(call, i)) : MARK_NONE;
    if (mk != MARK_NONE) {
      if (native != (mk == MARK_CT_CONST)) {
        site_error(s, "%s: marker for parameter %u belongs to the other API", op_name(s->kind), p + 1);
        return 0;
      }
      i++;
      act = mk == MARK_OUT ? ACT_ACTIVE : mk == MARK_DUP ? ACT_DUP : mk == MARK_DUPNONEED ? ACT_DUPNONEED
                                                                                     : ACT_CONST;
    }
    if (act == ACT_ACTIVE && !is_fp) {
      site_error(s, "%s: parameter %u is marked active (enzyme_out) but is not floating point",
                 op_name(s->kind), p + 1);
      return 0;
    }
    if ((act == ACT_DUP || act == ACT_DUPNONEED) && !is_ptr) {
      site_error(s, "%s: parameter %u is marked duplicated but is not a pointer", op_name(s->kind), p + 1);
      return 0;
    }
    int wants_out = native && !is_pullback && act == ACT_ACTIVE; /* pullbacks write them when applied */
    unsigned need = 1 + (act == ACT_DUP || act == ACT_DUPNONEED || wants_out);
    if (i + need > nargs) {
      site_error(s, "%s: too few arguments: parameter %u of the function has no value (or no "
                    "derivative/shadow location)", op_name(s->kind), p + 1);
      return 0;
    }
    LLVMValueRef v = convert_arg(m, s, LLVMGetOperand(call, i++), pt, p);
    if (!v)
      return 0;
    gargs[ng++] = v;
    if (act == ACT_DUP || act == ACT_DUPNONEED) {
      LLVMValueRef shadow = LLVMGetOperand(call, i++);
      if (LLVMGetTypeKind(LLVMTypeOf(shadow)) != LLVMPointerTypeKind) {
        site_error(s, "%s: the shadow of parameter %u must be a pointer", op_name(s->kind), p + 1);
        return 0;
      }
      gargs[ng++] = shadow;
      if (act == ACT_DUP)
        checks_nonnull(m, call, shadow, v, op_name(s->kind), "shadow", p + 1, fn);
    } else if (wants_out) {
      LLVMValueRef out = LLVMGetOperand(call, i++);
      if (LLVMGetTypeKind(LLVMTypeOf(out)) != LLVMPointerTypeKind) {
        site_error(s, "%s: floating-point parameter %u must be followed by a pointer that receives its "
                      "derivative (e.g. &dx)", op_name(s->kind), p + 1);
        return 0;
      }
      outs[nout++] = out;
      checks_nonnull(m, call, out, NULL, op_name(s->kind), "derivative pointer", p + 1, fn);
    }
    spec.act[p] = act;
  }
  int ret_fp = type_is_fp(rty);
  if (s->kind == OP_ENZYME_AUGMENT || s->kind == OP_ENZYME_REVERSE)
    return lower_split_site(m, s, &spec, gargs, ng, i, sret);
  if (i != nargs) {
    site_error(s, "%s: %u argument(s) too many for the function's parameters", op_name(s->kind), nargs - i);
    return 0;
  }
  if (native && !ret_fp) {
    site_error(s, "%s: '%s' must return a floating-point value", op_name(s->kind), fnbuf);
    return 0;
  }
  spec.ret_active = ret_fp;
  spec.want_value = s->kind == OP_CT_VALUE_WITH_GRADIENT;
  if (is_pullback)
    return lower_pullback_site(m, s, &spec, gargs, ng, pb_out);
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
  if (native) {
    unsigned first = spec.want_value ? 1 : 0;
    for (unsigned k = 0; k < nout; ++k)
      LLVMBuildStore(m->b, vals[first + k], outs[k]);
    if (spec.want_value && LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind)
      replacement = LLVMBuildFPCast(m->b, vals[0], LLVMTypeOf(call), "");
  } else {
    replacement = coerce_results(m, call, sret, vals, nfields);
  }
  if (replacement)
    LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}

static void remove_dead_markers(ct_module *m) {
  for (size_t k = 0; k < sizeof MARKERS / sizeof MARKERS[0]; ++k) {
    LLVMValueRef g = LLVMGetNamedGlobal(m->mod, MARKERS[k].name);
    if (!g)
      continue;
    for (LLVMUseRef u = LLVMGetFirstUse(g); u;) {
      LLVMValueRef user = LLVMGetUser(u);
      u = LLVMGetNextUse(u);
      if (LLVMIsALoadInst(user) && !LLVMGetFirstUse(user))
        LLVMInstructionEraseFromParent(user);
    }
    if (!LLVMGetFirstUse(g))
      LLVMDeleteGlobal(g);
  }
}

/* The function an operator call differentiates (its first argument after
 * an sret pointer), or NULL. */
static LLVMValueRef site_function(const ct_site *s) {
  unsigned nargs = (unsigned)LLVMGetNumArgOperands(s->call), i = 0;
  if (is_enzyme(s->kind) && nargs > 0 &&
      LLVMGetCallSiteEnumAttribute(s->call, 1, LLVMGetEnumAttributeKindForName("sret", 4)))
    i++;
  LLVMValueRef fn = i < nargs ? LLVMGetOperand(s->call, i) : NULL;
  return fn && LLVMIsAFunction(fn) && !LLVMIsDeclaration(fn) ? fn : NULL;
}

/* Lowers site s after the sites inside the code it differentiates (state:
 * 0 pending, 1 in progress, 2 done): their calls become gradient calls
 * before that code is copied, instead of operator calls nobody lowers. */
static void lower_in_order(ct_module *m, ct_site *sites, size_t n, size_t s, unsigned char *state,
                           LLVMValueRef *gradient_calls) {
  if (state[s])
    return;
  state[s] = 1;
  LLVMValueRef fn = site_function(&sites[s]);
  int ok = 1;
  for (size_t t = 0; t < n && fn && ok; ++t) {
    if (t == s || state[t] == 2 || !reaches(m, fn, sites[t].caller))
      continue;
    if (state[t] == 1) { /* t differentiates code containing s, and s code containing t */
      size_t len = 0;
      const char *name = LLVMGetValueName2(fn, &len);
      site_error(&sites[s], "%s: cannot differentiate '%.*s' here: its code contains an operator call that "
                            "differentiates the function containing this one (operators applied to each "
                            "other)", op_name(sites[s].kind), (int)len, name);
      ok = 0;
    } else
      lower_in_order(m, sites, n, t, state, gradient_calls);
  }
  LLVMPositionBuilderBefore(m->b, sites[s].call);
  if (!ok || !lower_site(m, &sites[s], &gradient_calls[s])) {
    /* keep the IR valid after an error: the compilation fails anyway */
    LLVMTypeRef t = LLVMTypeOf(sites[s].call);
    if (LLVMGetTypeKind(t) != LLVMVoidTypeKind)
      LLVMReplaceAllUsesWith(sites[s].call, LLVMGetUndef(t));
  }
  LLVMInstructionEraseFromParent(sites[s].call);
  m->changed = 1;
  state[s] = 2;
}

void operators_lower_all(ct_module *m) {
  size_t cap = 16, n = 0;
  ct_site *sites = malloc(cap * sizeof *sites);
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
          continue;
        ct_op_kind k = op_kind_of(inst);
        if (k == OP_NONE)
          continue;
        /* C++ with locals that have destructors invokes the operator: it
           throws nothing, so it becomes a call and a branch */
        if (LLVMIsAInvokeInst(inst))
          inst = ct_bridge_invoke_to_call(inst);
        if (n == cap)
          sites = realloc(sites, (cap *= 2) * sizeof *sites);
        sites[n++] = (ct_site){inst, f, k};
      }
  LLVMValueRef *gradient_calls = calloc(n ? n : 1, sizeof *gradient_calls);
  unsigned char *state = calloc(n ? n : 1, 1);
  for (size_t s = 0; s < n; ++s)
    lower_in_order(m, sites, n, s, state, gradient_calls);
  free(state);
  /* after all sites: each gradient's calls are known */
  for (size_t s = 0; s < n; ++s)
    if (gradient_calls[s])
      maybe_inline(m, gradient_calls[s]);
  free(gradient_calls);
  free(sites);
  if (n)
    remove_dead_markers(m);
  /* operator declarations nobody calls any more */
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
    next = LLVMGetNextFunction(f);
    if (LLVMIsDeclaration(f) && !LLVMGetFirstUse(f) && op_kind_of_function(f) != OP_NONE)
      LLVMDeleteFunction(f);
  }
}
