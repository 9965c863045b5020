/* ct_value_with_differential (cotangent.h): the linearisation of f at a
 * point, recorded once and applied to many tangents without running f
 * again (Swift's valueWithDifferential).
 *
 * Two functions are made from spec's tangent function (tangent.c), each
 * generated afresh with the same structure and transformed before it is
 * simplified (ct_tangent_post), with the record d as a last parameter:
 *   - the record run: the primal part only (the copies of f's code, which
 *     g.fwd maps); each primal value the tangent part uses, and each
 *     branch condition, is pushed onto d where it is defined
 *     (__ct_record_push), in program order; the tangent part is deleted.
 *   - the apply run: the tangent part only; each of those values is read
 *     back from d where it was defined (__ct_record_next) and the other
 *     primal instructions (stores, calls, ...) are deleted, so the branches
 *     follow the recorded path and the reads meet the pushes in order.
 * A wrapper <f>.ct_diff_apply(d, slots) passes the tangents (one 8-byte
 * slot each, a double or a pointer) to the apply run; the runtime
 * (lib/differential.c) fills the slots from ct_differential_apply's
 * arguments and rewinds d before each apply. */
#include "operators.h"
#include "tangent.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

enum { MODE_RECORD, MODE_APPLY };

typedef struct {
  int mode;
  LLVMValueRef site;
} post_data;

static int in_set(ct_vmap *s, LLVMValueRef v) { return vmap_get(s, v) != NULL; }

/* The exit block's value phi (tangent.c's finish: ret { value, tangent }
 * built by insertvalue), or NULL. It counts as primal: the record run
 * returns it, the apply run never needs it. */
static LLVMValueRef value_phi(LLVMValueRef f) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef ret = LLVMGetBasicBlockTerminator(bb);
    if (!ret || LLVMGetInstructionOpcode(ret) != LLVMRet || LLVMGetNumOperands(ret) != 1)
      continue;
    LLVMValueRef agg = LLVMGetOperand(ret, 0);
    while (agg && LLVMIsAInsertValueInst(agg)) {
      if (LLVMGetNumIndices(agg) == 1 && LLVMGetIndices(agg)[0] == 0)
        return LLVMIsAPHINode(LLVMGetOperand(agg, 1)) ? LLVMGetOperand(agg, 1) : NULL;
      agg = LLVMGetOperand(agg, 0);
    }
  }
  return NULL;
}

/* Is the primal value v used by what the apply run keeps: the tangent
 * part, a branch, or an integer computation it repeats (`again`)? */
static int needed(ct_vmap *primal, ct_vmap *again, LLVMValueRef vphi, LLVMValueRef v) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      continue;
    if (!in_set(primal, user) && user != vphi)
      return 1;
    if (LLVMIsATerminatorInst(user) || in_set(again, user))
      return 1;
  }
  return 0;
}

/* The primal's integer computations the apply run repeats instead of
 * reading them from the record (loop counters, indices, comparisons):
 * side-effect-free instructions of integer type whose operands are
 * constants, values the record holds or other such computations. Both runs
 * compute the same set (the same code), so the reads still meet the
 * pushes in order. */
static void repeated_set(LLVMValueRef f, ct_vmap *primal, ct_vmap *again) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      LLVMOpcode op = LLVMGetInstructionOpcode(i);
      int pure = (op >= LLVMAdd && op <= LLVMXor) || op == LLVMICmp || op == LLVMTrunc || op == LLVMZExt || op == LLVMSExt || op == LLVMPHI ||
                 op == LLVMSelect;
      if (pure && in_set(primal, i) && LLVMGetTypeKind(LLVMTypeOf(i)) == LLVMIntegerTypeKind)
        vmap_set(again, i, i);
    }
  /* an operand that is none of these (an integer loaded from memory, a
     float's conversion) is needed, so read from the record: the repeated
     computation sees the same values, divisions included */
}
static LLVMValueRef record_call(ct_module *m, LLVMBuilderRef b, const char *fn, LLVMValueRef d, LLVMTypeRef ty) {
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i64 = LLVMInt64TypeInContext(m->ctx);
  unsigned long long size = LLVMABISizeOfType(LLVMGetModuleDataLayout(m->mod), ty);
  LLVMTypeRef params[2] = {ptr, i64};
  LLVMValueRef args[2] = {d, LLVMConstInt(i64, size ? size : 1, 0)};
  return ir_build_call(b, m->mod, fn, LLVMFunctionType(ptr, params, 2, 0), args, 2, "");
}

/* Record run: push v where the builder is. */
static void push(ct_module *m, LLVMBuilderRef b, LLVMValueRef d, LLVMValueRef v) {
  LLVMValueRef slot = record_call(m, b, "__ct_record_push", d, LLVMTypeOf(v));
  LLVMSetAlignment(LLVMBuildStore(b, v, slot), 8); /* the record's slots are 8-byte aligned */
}

/* Apply run: v's recorded value, read where the builder is. */
static LLVMValueRef read(ct_module *m, LLVMBuilderRef b, LLVMValueRef d, LLVMTypeRef ty) {
  LLVMValueRef slot = record_call(m, b, "__ct_record_next", d, ty);
  LLVMValueRef v = LLVMBuildLoad2(b, ty, slot, "ct.rec");
  LLVMSetAlignment(v, 8);
  return v;
}

/* v (primal, needed) is pushed (record) or replaced by a read (apply) at
 * the builder's position. */
static void record_or_read(ct_module *m, LLVMBuilderRef b, int mode, LLVMValueRef d, LLVMValueRef v) {
  if (mode == MODE_RECORD)
    push(m, b, d, v);
  else
    LLVMReplaceAllUsesWith(v, read(m, b, d, LLVMTypeOf(v)));
}

/* The set of the primal's copies in f (g.fwd's values, f's value
 * parameters); 0 after an error: a primal copy using a value of the
 * tangent part (a call that stays a call, returning its value with its
 * tangent), which the record run cannot keep. */
static int primal_set(ct_tgen *t, LLVMValueRef f, ct_vmap *primal, LLVMValueRef site) {
  ct_vmap copies; /* g.fwd may keep erased copies: only instructions of f marked as copies count */
  vmap_init(&copies);
  for (size_t i = 0; i < t->g.fwd.cap; ++i)
    if (t->g.fwd.keys[i] && t->g.fwd.vals[i])
      vmap_set(&copies, t->g.fwd.vals[i], t->g.fwd.vals[i]);
  unsigned kind = LLVMGetMDKindIDInContext(t->g.m->ctx, "ct.primal", 9);
  for (unsigned i = 0; i < LLVMCountParams(f); ++i)
    if (in_set(&copies, LLVMGetParam(f, i)))
      vmap_set(primal, LLVMGetParam(f, i), LLVMGetParam(f, i));
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
      if (LLVMGetMetadata(i, kind)) {
        if (in_set(&copies, i))
          vmap_set(primal, i, i);
        LLVMSetMetadata(i, kind, NULL);
      }
  vmap_free(&copies);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      if (!in_set(primal, i) || LLVMIsAPHINode(i))
        continue;
      int n = LLVMGetNumOperands(i);
      for (int k = 0; k < n; ++k) {
        LLVMValueRef op = LLVMGetOperand(i, k);
        if (op && LLVMIsAInstruction(op) && !in_set(primal, op)) {
          size_t len = 0;
          const char *name = LLVMGetValueName2(t->g.spec->fn, &len);
          diag_report(LLVMGetBasicBlockParent(LLVMGetInstructionParent(site)), site, CT_SEV_ERROR,
                      "ct_value_with_differential: cannot record the linearisation of '%.*s': its derivative "
                      "calls the derivative of a function that stays a call (recursion, or a function too large "
                      "to inline), which differentials do not support yet; use ct_derivative for each tangent",
                      (int)len, name);
          return 0;
        }
      }
    }
  return 1;
}

/* The transformation (file comment) of a freshly generated tangent
 * function f whose last parameter is the record. */
static int transform(ct_tgen *t, LLVMValueRef f, void *data) {
  const post_data *pd = data;
  ct_module *m = t->g.m;
  LLVMValueRef d = LLVMGetParam(f, LLVMCountParams(f) - 1);
  ct_vmap primal;
  vmap_init(&primal);
  if (!primal_set(t, f, &primal, pd->site)) {
    vmap_free(&primal);
    return 0;
  }
  LLVMValueRef vphi = value_phi(f);
  ct_vmap again;
  vmap_init(&again);
  repeated_set(f, &primal, &again);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  /* f's instructions before any push or read is added */
  size_t ninsts = 0, icap = 256;
  LLVMValueRef *insts = malloc(icap * sizeof *insts);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      if (ninsts == icap)
        insts = realloc(insts, (icap *= 2) * sizeof *insts);
      insts[ninsts++] = i;
    }
  /* the value parameters, at the top of the entry block */
  LLVMValueRef top = LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(f));
  for (unsigned i = 0; i < t->g.spec->nparams; ++i) {
    LLVMValueRef p = vmap_get(&t->g.fwd, LLVMGetParam(t->g.pc, i));
    if (!p || !LLVMIsAArgument(p) || !needed(&primal, &again, vphi, p))
      continue;
    LLVMPositionBuilderBefore(b, top);
    record_or_read(m, b, pd->mode, d, p);
  }
  /* each block: its phis after the phis, the others where defined */
  LLVMValueRef *dead = NULL, first = NULL;
  size_t ndead = 0, cap = 0;
  for (size_t n = 0; n < ninsts; ++n) {
    LLVMValueRef i = insts[n], next = n + 1 < ninsts ? insts[n + 1] : NULL;
    if (i == LLVMGetFirstInstruction(LLVMGetInstructionParent(i))) {
      first = i;
      while (first && LLVMIsAPHINode(first))
        first = LLVMGetNextInstruction(first);
    }
    int is_primal = in_set(&primal, i) || i == vphi, repeated = in_set(&again, i);
    int keep = LLVMIsATerminatorInst(i) || (pd->mode == MODE_RECORD ? is_primal : !is_primal || repeated) ||
               (pd->mode == MODE_RECORD && LLVMGetInstructionOpcode(i) == LLVMInsertValue);
    if (in_set(&primal, i) && !repeated && !LLVMIsATerminatorInst(i) &&
        LLVMGetTypeKind(LLVMTypeOf(i)) != LLVMVoidTypeKind &&
        needed(&primal, &again, vphi, i)) {
      if (LLVMIsAPHINode(i))
        LLVMPositionBuilderBefore(b, first);
      else if (pd->mode == MODE_RECORD)
        LLVMPositionBuilderBefore(b, next);
      else
        LLVMPositionBuilderBefore(b, i);
      record_or_read(m, b, pd->mode, d, i);
    }
    if (keep)
      continue;
    if (ndead == cap)
      dead = realloc(dead, (cap = cap ? 2 * cap : 64) * sizeof *dead);
    dead[ndead++] = i;
  }
  free(insts);
  for (size_t i = 0; i < ndead; ++i)
    if (LLVMGetTypeKind(LLVMTypeOf(dead[i])) != LLVMVoidTypeKind)
      LLVMReplaceAllUsesWith(dead[i], LLVMGetPoison(LLVMTypeOf(dead[i])));
  for (size_t i = 0; i < ndead; ++i)
    LLVMInstructionEraseFromParent(dead[i]);
  free(dead);
  LLVMDisposeBuilder(b);
  vmap_free(&again);
  vmap_free(&primal);
  return 1;
}

/* spec's record or apply function (named by `suffix`), made on first use;
 * NULL after an error. */
static LLVMValueRef transformed(ct_module *m, const ct_spec *spec, int mode, LLVMValueRef site, const char *name) {
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  if (f)
    return f;
  LLVMTypeRef ty = tangent_type(m, spec);
  unsigned np = LLVMCountParamTypes(ty);
  LLVMTypeRef *params = malloc((np + 1) * sizeof *params);
  LLVMGetParamTypes(ty, params);
  params[np] = LLVMPointerTypeInContext(m->ctx, 0);
  f = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMGetReturnType(ty), params, np + 1, 0));
  free(params);
  LLVMSetLinkage(f, LLVMInternalLinkage);
  ir_copy_attributes(spec->fn, f, LLVMAttributeFunctionIndex);
  /* f's parameter indices do not name this function's (values and tangents): kept, they kept it from being
     inlined into a function differentiated in turn (reverse over forward) */
  LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  post_data pd = {mode, site};
  if (!tangent_build_into(m, spec, f, site, transform, &pd))
    return NULL;
  if (runtime_link_tape(m)) { /* the record's fast paths, inlined */
    ct_bridge_inline_calls(f, NULL, "__ct_record_");
    ct_bridge_simplify_function(f);
  }
  return f;
}

/* <f>.ct_diff_apply(d, slots): the apply run with the tangents from the
 * slots (8 bytes each: a double, or a tangent array); returns the tangent
 * of f's result as a double (0 for a void f). */
static LLVMValueRef apply_wrapper(ct_module *m, const ct_spec *spec, LLVMValueRef apply, const char *name) {
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), dbl = LLVMDoubleTypeInContext(m->ctx),
              i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMTypeRef params[2] = {ptr, ptr};
  LLVMValueRef w = LLVMAddFunction(m->mod, name, LLVMFunctionType(dbl, params, 2, 0));
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  unsigned n = LLVMCountParams(apply), a = 0, slot = 0;
  LLVMValueRef *args = malloc(n * sizeof *args);
  for (unsigned k = 0; k < spec->nparams; ++k) {
    LLVMTypeRef t = LLVMTypeOf(LLVMGetParam(spec->fn, k));
    args[a++] = LLVMGetPoison(t); /* read from the record where needed */
    if (spec->act[k] == ACT_CONST)
      continue;
    LLVMValueRef idx = LLVMConstInt(i64, slot++, 0);
    LLVMValueRef at = LLVMBuildGEP2(b, i64, LLVMGetParam(w, 1), &idx, 1, "");
    if (spec->act[k] == ACT_ACTIVE)
      args[a++] = LLVMBuildFPCast(b, LLVMBuildLoad2(b, dbl, at, ""), t, "");
    else
      args[a++] = LLVMBuildLoad2(b, ptr, at, "");
  }
  args[a++] = LLVMGetParam(w, 0);
  LLVMValueRef r = LLVMBuildCall2(b, LLVMGlobalGetValueType(apply), apply, args, a, "");
  free(args);
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  LLVMBuildRet(b, LLVMGetTypeKind(rty) == LLVMVoidTypeKind ? LLVMConstReal(dbl, 0)
                                                           : LLVMBuildFPCast(b, LLVMBuildExtractValue(b, r, 1, ""),
                                                                             dbl, ""));
  LLVMDisposeBuilder(b);
  return w;
}

/* Reads the arguments after (f, &d) like a call of f: ct_const(c) and
 * integers constant, floating point active, pointers with tangent arrays;
 * fills spec and the values; kinds gets 'd' or 'p' per tangent. 0 after
 * an error at the call. */
static int read_args(ct_module *m, LLVMValueRef call, LLVMValueRef caller, ct_spec *spec, LLVMValueRef *vals,
                     char *kinds) {
  LLVMValueRef fn = spec->fn;
  unsigned nargs = LLVMGetNumArgOperands(call), i = 2, nk = 0, k = 0;
  ct_spec declared;
  int has_declared = contract_canonical_spec(m, fn, &declared); /* a wrt list */
  for (; k < spec->nparams; ++k) {
    LLVMTypeRef t = LLVMTypeOf(LLVMGetParam(fn, k));
    int is_const = custom_param_no_derivative(fn, k) || (has_declared && declared.act[k] == ACT_CONST);
    if (!is_const && i < nargs && operators_marker(LLVMGetOperand(call, i)) == MARK_CT_CONST) {
      is_const = 1;
      ++i;
    }
    if (i >= nargs)
      break;
    vals[k] = LLVMGetOperand(call, i++);
    spec->act[k] = is_const || (!type_is_fp_scalar(t) && LLVMGetTypeKind(t) != LLVMPointerTypeKind) ? ACT_CONST
                   : type_is_fp_scalar(t)                                                           ? ACT_ACTIVE
                                                                                                    : ACT_DUP;
    if (spec->act[k] != ACT_CONST)
      kinds[nk++] = spec->act[k] == ACT_ACTIVE ? 'd' : 'p';
  }
  kinds[nk] = 0;
  if (i != nargs || k != spec->nparams) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(fn, &len);
    diag_report(caller, call, CT_SEV_ERROR,
                "ct_value_with_differential: the arguments do not match '%.*s': pass its arguments as in a call "
                "(ct_const(c) for constants); the tangents go to ct_differential_apply", (int)len, name);
    return 0;
  }
  return 1;
}

/* One call: d = the record, then the record run; the call's value is f's. */
static void lower(ct_module *m, LLVMValueRef call, LLVMValueRef caller) {
  unsigned nargs = LLVMGetNumArgOperands(call);
  LLVMValueRef fn = nargs >= 2 ? LLVMGetOperand(call, 0) : NULL;
  while (fn && LLVMIsAConstantExpr(fn))
    fn = LLVMGetOperand(fn, 0);
  if (!fn || !LLVMIsAFunction(fn) || LLVMIsDeclaration(fn)) {
    diag_report(caller, call, CT_SEV_ERROR,
                "ct_value_with_differential: the first argument must be a function defined in this file");
    return;
  }
  if (LLVMIsAConstantPointerNull(LLVMGetOperand(call, 1))) {
    diag_report(caller, call, CT_SEV_ERROR,
                "ct_value_with_differential: the second argument must point to where the differential goes, "
                "not NULL");
    return;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn), rty = LLVMGetReturnType(fty);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(fn, &len);
  if ((LLVMGetTypeKind(rty) != LLVMVoidTypeKind && !type_is_fp_scalar(rty)) || LLVMCountParams(fn) > CT_MAX_PARAMS ||
      LLVMIsFunctionVarArg(fty) || gpu_module_is_simt(m->mod) || tangent_registered(fn)) {
    diag_report(caller, call, CT_SEV_ERROR,
                "ct_value_with_differential: cannot record '%.*s': it must return float, double or nothing, take "
                "a fixed number of parameters, and have no registered forward derivative (host code)",
                (int)len, fname);
    return;
  }
  ct_spec spec = {.fn = fn, .nparams = LLVMCountParams(fn)};
  spec.ret_active = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMValueRef vals[CT_MAX_PARAMS];
  char kinds[CT_MAX_PARAMS + 1];
  if (!read_args(m, call, caller, &spec, vals, kinds))
    return;
  char *rname = util_format("%.*s.ct_diff_record.%s", (int)len, fname, kinds),
       *aname = util_format("%.*s.ct_diff_applyrun.%s", (int)len, fname, kinds),
       *wname = util_format("%.*s.ct_diff_apply.%s", (int)len, fname, kinds);
  for (unsigned k = 0; k < spec.nparams; ++k) /* names per activity: ct_const changes it */
    if (spec.act[k] == ACT_CONST && LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(fn, k))) != LLVMIntegerTypeKind) {
      char *r2 = util_format("%s.c%u", rname, k), *a2 = util_format("%s.c%u", aname, k),
           *w2 = util_format("%s.c%u", wname, k);
      free(rname), free(aname), free(wname);
      rname = r2, aname = a2, wname = w2;
    }
  LLVMValueRef rec = transformed(m, &spec, MODE_RECORD, call, rname);
  LLVMValueRef app = rec ? transformed(m, &spec, MODE_APPLY, call, aname) : NULL;
  LLVMValueRef w = app ? LLVMGetNamedFunction(m->mod, wname) : NULL;
  if (app && !w)
    w = apply_wrapper(m, &spec, app, wname);
  free(rname), free(aname), free(wname);
  if (!w)
    return;
  LLVMPositionBuilderBefore(m->b, call);
  LLVMSetCurrentDebugLocation2(m->b, LLVMInstructionGetDebugLoc(call));
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), dbl = LLVMDoubleTypeInContext(m->ctx);
  LLVMValueRef nargs2[2] = {w, LLVMBuildGlobalStringPtr(m->b, kinds, "ct.diff_kinds")};
  LLVMTypeRef p2[2] = {ptr, ptr};
  LLVMValueRef d = ir_build_call(m->b, m->mod, "__ct_differential_new", LLVMFunctionType(ptr, p2, 2, 0), nargs2, 2, "");
  LLVMBuildStore(m->b, d, LLVMGetOperand(call, 1));
  for (unsigned k = 0, slot = 0; k < spec.nparams; ++k) /* which arrays were not NULL: their tangents must not be */
    if (spec.act[k] == ACT_DUP) {
      LLVMTypeRef pp[3] = {ptr, LLVMInt32TypeInContext(m->ctx), ptr};
      LLVMValueRef pa[3] = {d, LLVMConstInt(pp[1], slot++, 0), vals[k]};
      ir_build_call(m->b, m->mod, "__ct_differential_pointer", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), pp, 3, 0),
                    pa, 3, "");
    } else if (spec.act[k] == ACT_ACTIVE)
      ++slot;
  unsigned np = LLVMCountParams(rec), a = 0;
  LLVMValueRef *args = malloc(np * sizeof *args);
  for (unsigned k = 0; k < spec.nparams; ++k) {
    LLVMTypeRef want = LLVMTypeOf(LLVMGetParam(fn, k));
    LLVMValueRef v = vals[k];
    if (LLVMTypeOf(v) != want)
      v = type_is_fp_scalar(want) ? LLVMBuildFPCast(m->b, v, want, "") : LLVMBuildIntCast2(m->b, v, want, 1, "");
    args[a++] = v;
    if (spec.act[k] != ACT_CONST)
      args[a++] = LLVMGetPoison(want); /* the record run has no tangent part */
  }
  args[a++] = d;
  LLVMValueRef r = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(rec), rec, args, a, "");
  free(args);
  LLVMTypeRef cty = LLVMTypeOf(call);
  if (LLVMGetTypeKind(cty) != LLVMVoidTypeKind)
    LLVMReplaceAllUsesWith(call, spec.ret_active ? LLVMBuildFPCast(m->b, LLVMBuildExtractValue(m->b, r, 0, ""), cty, "")
                                                 : LLVMConstReal(dbl, 0));
}

/* ct_differential_apply(d, tangents...) -> __ct_differential_apply_counted
 * (d, n, tangents...); each tangent a double (a promoted float) or a
 * pointer. */
static void count_apply(ct_module *m, LLVMValueRef call, LLVMValueRef caller) {
  unsigned nargs = LLVMGetNumArgOperands(call);
  LLVMValueRef *args = malloc((nargs + 1) * sizeof *args);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx), ptr = LLVMPointerTypeInContext(m->ctx, 0),
              dbl = LLVMDoubleTypeInContext(m->ctx);
  args[0] = nargs ? LLVMGetOperand(call, 0) : LLVMConstPointerNull(ptr);
  args[1] = LLVMConstInt(i32, nargs ? nargs - 1 : 0, 0);
  for (unsigned k = 1; k < nargs; ++k) {
    LLVMValueRef a = LLVMGetOperand(call, k);
    LLVMTypeKind tk = LLVMGetTypeKind(LLVMTypeOf(a));
    if (tk != LLVMDoubleTypeKind && tk != LLVMPointerTypeKind)
      diag_report(caller, call, CT_SEV_ERROR,
                  "ct_differential_apply: tangent %u is neither a floating-point value nor a tangent array", k);
    args[k + 1] = a;
  }
  LLVMPositionBuilderBefore(m->b, call);
  LLVMSetCurrentDebugLocation2(m->b, LLVMInstructionGetDebugLoc(call));
  LLVMTypeRef p2[2] = {ptr, i32};
  LLVMValueRef r = ir_build_call(m->b, m->mod, "__ct_differential_apply_counted", LLVMFunctionType(dbl, p2, 2, 1),
                                 args, nargs + 1, "");
  free(args);
  if (LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind)
    LLVMReplaceAllUsesWith(call, LLVMTypeOf(call) == dbl ? r : LLVMGetUndef(LLVMTypeOf(call)));
}

int differential_lower_all(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
        next = LLVMGetNextInstruction(inst);
        size_t len = 0;
        const char *name = LLVMIsACallInst(inst) ? util_callee_name(inst, &len) : NULL;
        int apply = name && len == 21 && !memcmp(name, "ct_differential_apply", 21);
        if (!apply && (!name || len != 28 || memcmp(name, "__ct_value_with_differential", 28)))
          continue;
        if (apply)
          count_apply(m, inst, f);
        else
          lower(m, inst, f);
        LLVMSetCurrentDebugLocation2(m->b, NULL);
        if (LLVMGetFirstUse(inst))
          LLVMReplaceAllUsesWith(inst, LLVMGetUndef(LLVMTypeOf(inst)));
        LLVMInstructionEraseFromParent(inst);
        changed = 1;
      }
  return changed;
}
