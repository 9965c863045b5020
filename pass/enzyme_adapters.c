/* The split pair of a function with an Enzyme-registered derivative
 * (enzyme.h): adapters from the generator's calling convention for split
 * gradients (core.h, ct_split) to Enzyme's for custom derivatives:
 *
 *   augmented forward   aug(f's arguments, a shadow after each pointer that
 *                       has one) returns nothing, f's result, the tape, or
 *                       the C struct { tape; result }
 *   gradient            grad(the same arguments, [the derivative of f's
 *                       result when it is floating point], [the tape])
 *                       returns the derivatives of f's floating-point
 *                       parameters: one value, or a C struct of them
 *   forward derivative  fwd(f's arguments, each floating-point one followed
 *                       by its tangent) returns the C struct
 *                       { result; tangent }, or the tangent alone
 *
 * Structs come back as the C ABI returns them (in registers, coerced to
 * other types, or through an sret buffer): the adapters read their fields
 * through memory, at the C layout. An augmented forward that does not
 * return f's result leaves it to a call of f.
 *
 * The tape goes into a small heap box with a flag: a pullback runs the
 * reverse several times (keep) and then once more to free it, while the
 * user's gradient consumes its tape once; the box turns a second use into
 * an error message instead of a double free, and the releasing run after a
 * use only frees the box (the reverse's release twin, which ct_pullback_free
 * runs, is the reverse with keep = false and a zero seed: the user's
 * gradient runs then only to free a tape no application used). A forward
 * derivative (of a function of scalars)
 * gives the gradient with one call per floating-point parameter, whose
 * tangent is 1 while the others' are 0. */
#include "enzyme.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

#define ADAPTER_ATTR "ct-enzyme-adapter"

LLVMTypeRef enzyme_result_type(LLVMValueRef fn, int *sret) {
  *sret = 0;
  if (LLVMCountParams(fn) > 0) {
    LLVMAttributeRef a = LLVMGetEnumAttributeAtIndex(fn, 1, LLVMGetEnumAttributeKindForName("sret", 4));
    if (a) {
      *sret = 1;
      return LLVMGetTypeAttributeValue(a);
    }
  }
  return LLVMGetReturnType(LLVMGlobalGetValueType(fn));
}

/* The state of one adapter being built. */
typedef struct {
  ct_module *m;
  const ez_rule *r;
  LLVMValueRef fn;
  LLVMBuilderRef b, entry; /* entry: allocas, at the top of the entry block */
} ez_build;

static void build_init(ez_build *e, ct_module *m, const ez_rule *r, LLVMValueRef fn) {
  *e = (ez_build){m, r, fn, LLVMCreateBuilderInContext(m->ctx), LLVMCreateBuilderInContext(m->ctx)};
  LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(m->ctx, fn, "entry");
  LLVMPositionBuilderAtEnd(e->b, bb);
  LLVMPositionBuilderAtEnd(e->entry, bb);
}

static void build_free(ez_build *e) {
  LLVMDisposeBuilder(e->b);
  LLVMDisposeBuilder(e->entry);
}

static LLVMValueRef entry_alloca(ez_build *e, unsigned long long bytes) {
  LLVMBasicBlockRef bb = LLVMGetEntryBasicBlock(e->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(bb);
  if (first)
    LLVMPositionBuilderBefore(e->entry, first);
  else
    LLVMPositionBuilderAtEnd(e->entry, bb);
  LLVMTypeRef t = LLVMArrayType2(LLVMInt8TypeInContext(e->m->ctx), bytes ? bytes : 1);
  LLVMValueRef a = LLVMBuildAlloca(e->entry, t, "ct.ez");
  LLVMSetAlignment(a, 16);
  return a;
}

static unsigned long long size_of(ez_build *e, LLVMTypeRef t) {
  return LLVMABISizeOfType(LLVMGetModuleDataLayout(e->m->mod), t);
}

/* A call of the user's function with the ABI attributes of its
 * parameters and result (sign extension of small integers, sret). */
static LLVMValueRef call_user(ez_build *e, LLVMValueRef fn, LLVMValueRef *args, unsigned n) {
  LLVMValueRef call = LLVMBuildCall2(e->b, LLVMGlobalGetValueType(fn), fn, args, n, "");
  LLVMSetInstructionCallConv(call, LLVMGetFunctionCallConv(fn));
  for (unsigned i = 0; i <= n; ++i) {
    LLVMAttributeIndex idx = i == n ? (LLVMAttributeIndex)LLVMAttributeReturnIndex : i + 1;
    unsigned count = LLVMGetAttributeCountAtIndex(fn, idx);
    if (!count)
      continue;
    LLVMAttributeRef *attrs = malloc(count * sizeof *attrs);
    LLVMGetAttributesAtIndex(fn, idx, attrs);
    for (unsigned k = 0; k < count; ++k)
      LLVMAddCallSiteAttribute(call, idx, attrs[k]);
    free(attrs);
  }
  return call;
}

/* Field k of a C struct laid out as `natural`, held in memory `mem` (an
 * sret buffer) or in the value `v` of another type (a coerced return). */
static LLVMValueRef field_of(ez_build *e, LLVMValueRef v, LLVMValueRef mem, LLVMTypeRef natural, unsigned k) {
  if (!mem) {
    unsigned long long a = size_of(e, LLVMTypeOf(v)), b = size_of(e, natural);
    mem = entry_alloca(e, a > b ? a : b);
    LLVMBuildStore(e->b, v, mem);
  }
  LLVMTypeRef ft = LLVMStructGetTypeAtIndex(natural, k);
  return LLVMBuildLoad2(e->b, ft, LLVMBuildStructGEP2(e->b, natural, mem, k, ""), "");
}

/* Calls fn with `args` (after an sret buffer, when fn has one); returns the
 * result value, and in *mem the buffer (NULL without one). */
static LLVMValueRef call_with_result(ez_build *e, LLVMValueRef fn, LLVMValueRef *args, unsigned n, LLVMValueRef *mem) {
  int sret = 0;
  LLVMTypeRef have = enzyme_result_type(fn, &sret);
  LLVMValueRef all[2 * CT_MAX_PARAMS + 4];
  unsigned k = 0;
  *mem = sret ? entry_alloca(e, size_of(e, have)) : NULL;
  if (sret)
    all[k++] = *mem;
  for (unsigned i = 0; i < n; ++i)
    all[k++] = args[i];
  return call_user(e, fn, all, k);
}

/* f's own arguments among the adapter's parameters (the shadows left out). */
static unsigned primal_args(const ez_build *e, LLVMValueRef *out) {
  unsigned k = 0, n = 0;
  for (unsigned p = 0; p < e->r->spec.nparams; ++p) {
    out[n++] = LLVMGetParam(e->fn, k++);
    if (e->r->spec.act[p] == ACT_DUP)
      ++k;
  }
  return n;
}

/* Stops the program with `msg` when `cond` holds (not on NVPTX: no
 * runtime there). */
static void fail_if(ez_build *e, LLVMValueRef cond, const char *msg) {
  if (!strncmp(LLVMGetTarget(e->m->mod), "nvptx", 5))
    return;
  LLVMContextRef ctx = e->m->ctx;
  LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.fail");
  LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.ok");
  LLVMBuildCondBr(e->b, cond, fail, cont);
  LLVMPositionBuilderAtEnd(e->b, fail);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), &ptr, 1, 0);
  LLVMValueRef text = LLVMBuildGlobalStringPtr(e->b, msg, "ct.ez.msg");
  LLVMValueRef call = ir_build_call(e->b, e->m->mod, "__ct_runtime_error", fty, &text, 1, "");
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
  LLVMBuildUnreachable(e->b);
  LLVMPositionBuilderAtEnd(e->b, cont);
}

/* The box holding the user's tape and its use flag. */
static LLVMTypeRef box_type(ez_build *e) {
  LLVMTypeRef fields[2] = {e->r->tape, LLVMInt8TypeInContext(e->m->ctx)};
  return LLVMStructTypeInContext(e->m->ctx, fields, 2, 0);
}

static char *message(const ez_build *e, const char *what) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(e->r->f, &len);
  return util_format("the gradient registered for '%.*s' (%s) %s", (int)len, name, e->r->global, what);
}

static LLVMValueRef box_tape(ez_build *e, LLVMValueRef tape) {
  LLVMContextRef ctx = e->m->ctx;
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0), i64 = LLVMInt64TypeInContext(ctx);
  LLVMTypeRef box = box_type(e);
  LLVMValueRef bytes = LLVMConstInt(i64, size_of(e, box), 0);
  LLVMValueRef p = ir_build_call(e->b, e->m->mod, "malloc", LLVMFunctionType(ptr, &i64, 1, 0), &bytes, 1, "ct.ez.box");
  char *msg = message(e, "cannot keep its tape: out of memory");
  fail_if(e, LLVMBuildIsNull(e->b, p, ""), msg);
  free(msg);
  LLVMBuildStore(e->b, tape, LLVMBuildStructGEP2(e->b, box, p, 0, ""));
  LLVMBuildStore(e->b, LLVMConstInt(LLVMInt8TypeInContext(ctx), 0, 0), LLVMBuildStructGEP2(e->b, box, p, 1, ""));
  return p;
}

/* ---- the augmented forward ---- */
static void build_aug(ez_build *e) {
  const ez_rule *r = e->r;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(r->f));
  unsigned n = LLVMCountParams(e->fn);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 2], tape = NULL, result = NULL;
  for (unsigned i = 0; i < n; ++i)
    args[i] = LLVMGetParam(e->fn, i);
  if (r->aug) {
    LLVMValueRef mem;
    LLVMValueRef res = call_with_result(e, r->aug, args, n, &mem);
    LLVMTypeRef both[2] = {r->tape, rty};
    switch (r->aug_kind) {
    case EZ_AUG_NONE: break;
    case EZ_AUG_RESULT: result = res; break;
    case EZ_AUG_TAPE:
      tape = !mem && LLVMTypeOf(res) == r->tape ? res
                                                 : field_of(e, res, mem, LLVMStructTypeInContext(e->m->ctx, both, 1, 0), 0);
      break;
    case EZ_AUG_BOTH: {
      LLVMTypeRef natural = LLVMStructTypeInContext(e->m->ctx, both, 2, 0);
      tape = field_of(e, res, mem, natural, 0);
      result = field_of(e, res, mem, natural, 1);
      break;
    }
    }
  }
  if (LLVMGetTypeKind(rty) != LLVMVoidTypeKind && !result) { /* f's result from f */
    LLVMValueRef prim[CT_MAX_PARAMS];
    unsigned np = primal_args(e, prim);
    result = call_user(e, r->f, prim, np);
  }
  LLVMTypeRef ret = LLVMGetReturnType(LLVMGlobalGetValueType(e->fn));
  LLVMValueRef box = r->tape ? box_tape(e, tape) : LLVMConstNull(LLVMPointerTypeInContext(e->m->ctx, 0));
  LLVMValueRef agg = LLVMBuildInsertValue(e->b, LLVMGetUndef(ret), box, 0, "");
  if (result)
    agg = LLVMBuildInsertValue(e->b, agg, result, 1, "");
  LLVMBuildRet(e->b, agg);
}

/* ---- the reverse ---- */

/* The user's gradient, from the adapter's arguments; its result's fields
 * go to the adapter's result struct. */
static LLVMValueRef call_gradient(ez_build *e, LLVMValueRef seed, LLVMValueRef tape) {
  const ez_rule *r = e->r;
  unsigned nprim = 0;
  for (unsigned p = 0; p < r->spec.nparams; ++p)
    nprim += r->spec.act[p] == ACT_DUP ? 2 : 1;
  LLVMValueRef args[2 * CT_MAX_PARAMS + 3], mem;
  unsigned n = 0;
  for (unsigned i = 0; i < nprim; ++i)
    args[n++] = LLVMGetParam(e->fn, i);
  if (seed)
    args[n++] = seed;
  if (tape)
    args[n++] = tape;
  LLVMValueRef res = call_with_result(e, r->deriv, args, n, &mem);
  LLVMTypeRef ret = LLVMGetReturnType(LLVMGlobalGetValueType(e->fn));
  unsigned nf = LLVMCountStructElementTypes(ret);
  LLVMValueRef agg = LLVMGetUndef(ret);
  for (unsigned k = 0; k < nf; ++k) {
    LLVMValueRef v = nf == 1 && !mem && LLVMTypeOf(res) == LLVMStructGetTypeAtIndex(ret, 0)
                         ? res
                         : field_of(e, res, mem, ret, k);
    agg = LLVMBuildInsertValue(e->b, agg, v, k, "");
  }
  return agg;
}

/* The gradient from a forward derivative: one call per floating-point
 * parameter, that one's tangent 1, the others' 0. */
static LLVMValueRef forward_gradient(ez_build *e, LLVMValueRef seed) {
  const ez_rule *r = e->r;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(r->f));
  LLVMTypeRef ret = LLVMGetReturnType(LLVMGlobalGetValueType(e->fn));
  LLVMTypeRef pair[2] = {rty, rty};
  LLVMTypeRef natural = LLVMStructTypeInContext(e->m->ctx, pair, 2, 0);
  LLVMValueRef agg = LLVMGetUndef(ret);
  unsigned field = 0;
  for (unsigned p = 0; p < r->spec.nparams; ++p) {
    if (r->spec.act[p] != ACT_ACTIVE)
      continue;
    LLVMValueRef args[2 * CT_MAX_PARAMS], mem;
    unsigned n = 0;
    for (unsigned q = 0; q < r->spec.nparams; ++q) {
      LLVMValueRef v = LLVMGetParam(e->fn, q);
      args[n++] = v;
      if (r->spec.act[q] == ACT_ACTIVE)
        args[n++] = type_const_real(LLVMTypeOf(v), q == p ? 1.0 : 0.0);
    }
    LLVMValueRef res = call_with_result(e, r->deriv, args, n, &mem);
    LLVMValueRef tangent = !mem && LLVMTypeOf(res) == rty ? res : field_of(e, res, mem, natural, 1);
    LLVMValueRef d = LLVMBuildFMul(e->b, seed, tangent, "");
    LLVMTypeRef pt = LLVMStructGetTypeAtIndex(ret, field);
    agg = LLVMBuildInsertValue(e->b, agg, LLVMBuildFPCast(e->b, d, pt, ""), field++, "");
  }
  return agg;
}

static void build_rev(ez_build *e) {
  const ez_rule *r = e->r;
  LLVMContextRef ctx = e->m->ctx;
  unsigned idx = 0;
  for (unsigned p = 0; p < r->spec.nparams; ++p)
    idx += r->spec.act[p] == ACT_DUP ? 2 : 1;
  LLVMValueRef seed = r->spec.ret_active ? LLVMGetParam(e->fn, idx++) : NULL;
  LLVMValueRef box = LLVMGetParam(e->fn, idx++), keep = LLVMGetParam(e->fn, idx);
  LLVMTypeRef ret = LLVMGetReturnType(LLVMGlobalGetValueType(e->fn));
  if (r->forward) {
    LLVMBuildRet(e->b, forward_gradient(e, seed));
    return;
  }
  if (!r->tape) {
    LLVMBuildRet(e->b, call_gradient(e, seed, NULL));
    return;
  }
  LLVMTypeRef bt = box_type(e), i8 = LLVMInt8TypeInContext(ctx);
  LLVMValueRef used_at = LLVMBuildStructGEP2(e->b, bt, box, 1, "");
  LLVMValueRef used = LLVMBuildICmp(e->b, LLVMIntNE, LLVMBuildLoad2(e->b, i8, used_at, ""), LLVMConstInt(i8, 0, 0), "");
  LLVMBasicBlockRef was_used = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.used");
  LLVMBasicBlockRef fresh = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.fresh");
  LLVMBuildCondBr(e->b, used, was_used, fresh);
  /* used before: only the releasing run may come again */
  LLVMPositionBuilderAtEnd(e->b, was_used);
  char *msg = message(e, "consumes its tape: a pullback through it can be applied only once");
  fail_if(e, keep, msg);
  free(msg);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
  LLVMTypeRef free_ty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), &ptr, 1, 0);
  ir_build_call(e->b, e->m->mod, "free", free_ty, &box, 1, "");
  LLVMBuildRet(e->b, LLVMConstNull(ret));
  LLVMPositionBuilderAtEnd(e->b, fresh);
  LLVMValueRef tape = LLVMBuildLoad2(e->b, r->tape, LLVMBuildStructGEP2(e->b, bt, box, 0, ""), "");
  LLVMValueRef agg = call_gradient(e, seed, tape);
  LLVMBasicBlockRef mark = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.keep");
  LLVMBasicBlockRef release = LLVMAppendBasicBlockInContext(ctx, e->fn, "ct.ez.release");
  LLVMBuildCondBr(e->b, keep, mark, release);
  LLVMPositionBuilderAtEnd(e->b, mark);
  LLVMBuildStore(e->b, LLVMConstInt(i8, 1, 0), used_at);
  LLVMBuildRet(e->b, agg);
  LLVMPositionBuilderAtEnd(e->b, release);
  ir_build_call(e->b, e->m->mod, "free", free_ty, &box, 1, "");
  LLVMBuildRet(e->b, agg);
}

/* The reverse's release twin (release.c: what ct_pullback_free runs, with
 * no adjoint written): the reverse with a zero seed and keep = false, which
 * frees the tape's box, and lets the user's gradient free a tape no
 * application used; nothing when there is no tape. */
static void build_release(ez_build *e, LLVMValueRef rev) {
  LLVMTypeRef ret = LLVMGetReturnType(LLVMGlobalGetValueType(e->fn));
  if (!e->r->tape || e->r->forward) {
    LLVMBuildRet(e->b, LLVMConstNull(ret));
    return;
  }
  unsigned n = LLVMCountParams(e->fn);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 3];
  for (unsigned i = 0; i < n; ++i)
    args[i] = LLVMGetParam(e->fn, i);
  args[n - 1] = LLVMConstNull(LLVMTypeOf(args[n - 1])); /* keep = false */
  if (e->r->spec.ret_active)
    args[n - 3] = LLVMConstNull(LLVMTypeOf(args[n - 3])); /* seed 0 */
  LLVMBuildRet(e->b, LLVMBuildCall2(e->b, LLVMGlobalGetValueType(rev), rev, args, n, ""));
}

/* ---- the pair ---- */

static LLVMValueRef add_adapter(ct_module *m, const char *name, LLVMTypeRef ty) {
  LLVMValueRef fn = LLVMAddFunction(m->mod, name, ty);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, ADAPTER_ATTR, (unsigned)strlen(ADAPTER_ATTR), "", 0));
  util_list_edit(m, "llvm.compiler.used", fn, 1); /* until differentiation is done */
  return fn;
}

int enzyme_build_adapters(ct_module *m, const ez_rule *r) {
  char *aug_name, *rev_name;
  contract_stable_names(r->f, &aug_name, &rev_name);
  int taken = LLVMGetNamedFunction(m->mod, aug_name) || LLVMGetNamedFunction(m->mod, rev_name) ||
              LLVMGetNamedGlobalAlias(m->mod, aug_name, strlen(aug_name));
  if (taken) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(r->f, &len);
    diag_report(r->f, NULL, CT_SEV_ERROR,
                "'%.*s' has a derivative registered with Enzyme and is also declared differentiable "
                "(CT_DIFFERENTIABLE) here or in another file: give it one derivative",
                (int)len, name);
    free(aug_name);
    free(rev_name);
    return 0;
  }
  LLVMTypeRef aug_ty, rev_ty;
  signature_split(m, &r->spec, &aug_ty, &rev_ty);
  ez_build e;
  build_init(&e, m, r, add_adapter(m, aug_name, aug_ty));
  build_aug(&e);
  build_free(&e);
  LLVMValueRef rev = add_adapter(m, rev_name, rev_ty);
  build_init(&e, m, r, rev);
  build_rev(&e);
  build_free(&e);
  char *twin_name = util_format("%s.release", rev_name);
  LLVMValueRef twin = add_adapter(m, twin_name, rev_ty);
  LLVMAddAttributeAtIndex(twin, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(m->ctx, "ct-release", 10, "", 0));
  free(twin_name);
  build_init(&e, m, r, twin);
  build_release(&e, rev);
  build_free(&e);
  free(aug_name);
  free(rev_name);
  return 1;
}

static int is_adapter(LLVMValueRef f) {
  return LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, ADAPTER_ATTR, (unsigned)strlen(ADAPTER_ATTR)) !=
         NULL;
}

void enzyme_release_adapters(ct_module *m) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    if (is_adapter(f))
      util_list_edit(m, "llvm.compiler.used", f, 0);
  /* those nothing calls (a twin calls its reverse: until none is left) */
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      if (is_adapter(f) && !LLVMGetFirstUse(f)) {
        LLVMDeleteFunction(f);
        changed = 1;
      }
    }
  }
}
