/* Second-derivative operators (cotangent.h), rewritten into the first-order
 * ones before those are lowered: reverse over forward, which keeps no tape
 * in the inner (tangent) code and so works through loops, branches and heap
 * memory.
 *
 *   ct_hessian_vector_product(f, args...)   each floating-point argument x
 *       of f is followed by its direction v (a value) and a pointer where
 *       (H v)_x is stored; each pointer argument by the direction array and
 *       the array H v is added to; integers and ct_const(c) as in a call.
 *     becomes  ct_gradient(f.ct_hvp, x, hv, ct_const(v), ...)  with
 *       f.ct_hvp(x, v, ...) = ct_derivative(f, x, v, ...)  (grad of J v).
 *   ct_hessian(f, H, n, args...)   H (n x n, row-major) = the Hessian of f
 *       with respect to its one pointer argument not in ct_const (n
 *       doubles); the other arguments as in a call.
 *     becomes  f.ct_hessian(H, n, args...): for each j, row j of H = H e_j
 *       by the product above.
 * The helpers are ordinary functions containing ct_derivative and
 * ct_gradient calls, so operators.c lowers them in order (inner first). */
#include "operators.h"

#include <llvm-c/DebugInfo.h>
#include <stdlib.h>
#include <string.h>

/* One parameter of f as the operator call gives it. */
typedef enum { HP_PLAIN, HP_CONST, HP_FP, HP_PTR } hp_kind;
typedef struct {
  hp_kind kind;
  LLVMValueRef value, dir, out; /* dir, out: HP_FP, HP_PTR only */
} hp_param;

static int is_named(LLVMValueRef call, const char *want) {
  size_t len = 0;
  const char *name = util_callee_name(call, &len);
  return name && len == strlen(want) && !memcmp(name, want, len);
}

/* v as a variadic call passes it: a float promoted to double. */
static LLVMValueRef promoted(ct_module *m, LLVMBuilderRef b, LLVMValueRef v) {
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(m->ctx);
  return type_is_fp_scalar(LLVMTypeOf(v)) && LLVMTypeOf(v) != dbl ? LLVMBuildFPCast(b, v, dbl, "") : v;
}

static LLVMValueRef const_marker(ct_module *m, LLVMBuilderRef b) {
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMValueRef g = LLVMGetNamedGlobal(m->mod, "__ct_const_marker");
  if (!g)
    g = LLVMAddGlobal(m->mod, i32, "__ct_const_marker");
  return LLVMBuildLoad2(b, i32, g, "");
}

/* Reads f's arguments from operand `first` on (hessian: no directions);
 * 0 after an error at the call. */
static int read_params(ct_module *m, LLVMValueRef call, LLVMValueRef caller, LLVMValueRef fn, unsigned first,
                       int hessian, hp_param *p, unsigned np, const char *op) {
  unsigned nargs = LLVMGetNumArgOperands(call), i = first;
  size_t flen = 0;
  const char *fname = LLVMGetValueName2(fn, &flen);
  int have_x = 0;
  unsigned k = 0;
  ct_spec declared;
  int has_declared = contract_canonical_spec(m, fn, &declared); /* a wrt list */
  for (; k < np; ++k) {
    LLVMTypeRef t = LLVMTypeOf(LLVMGetParam(fn, k));
    int fp_or_ptr = type_is_fp_scalar(t) || LLVMGetTypeKind(t) == LLVMPointerTypeKind;
    if (custom_param_no_derivative(fn, k) || (has_declared && declared.act[k] == ACT_CONST && fp_or_ptr)) {
      if (i >= nargs) /* CT_NO_DERIVATIVE, or out of the wrt list: passed alone, as in ct_gradient */
        break;
      p[k] = (hp_param){HP_PLAIN, LLVMGetOperand(call, i++), NULL, NULL};
      continue;
    }
    if (i < nargs && operators_marker(LLVMGetOperand(call, i)) == MARK_CT_CONST) {
      if (i + 1 >= nargs)
        break;
      p[k] = (hp_param){HP_CONST, LLVMGetOperand(call, i + 1), NULL, NULL};
      i += 2;
      continue;
    }
    hp_kind kind = type_is_fp_scalar(t) ? HP_FP : LLVMGetTypeKind(t) == LLVMPointerTypeKind ? HP_PTR : HP_PLAIN;
    if (hessian && kind == HP_FP) {
      diag_report(caller, call, CT_SEV_ERROR,
                  "%s: '%.*s' has a floating-point parameter %u not in ct_const; ct_hessian differentiates with "
                  "respect to one array (use ct_hessian_vector_product for scalar arguments)", op, (int)flen, fname,
                  k + 1);
      return 0;
    }
    if (hessian && kind == HP_PTR && have_x++) {
      diag_report(caller, call, CT_SEV_ERROR,
                  "%s: '%.*s' has a second pointer parameter (%u) not in ct_const; ct_hessian differentiates with "
                  "respect to one array: hold the others constant with ct_const", op, (int)flen, fname, k + 1);
      return 0;
    }
    unsigned need = kind == HP_PLAIN || hessian ? 1 : 3;
    if (i + need > nargs)
      break;
    p[k] = (hp_param){kind, LLVMGetOperand(call, i), need == 3 ? LLVMGetOperand(call, i + 1) : NULL,
                      need == 3 ? LLVMGetOperand(call, i + 2) : NULL};
    i += need;
  }
  if (i != nargs || k != np || (hessian && !have_x)) {
    diag_report(caller, call, CT_SEV_ERROR,
                hessian ? "%s: the arguments do not match '%.*s': give its arguments as in a call, exactly one "
                          "pointer (the point, n doubles) not in ct_const"
                        : "%s: the arguments do not match '%.*s': each floating-point argument is followed by its "
                          "direction and a pointer to its component of H v, each pointer by the direction array "
                          "and the array H v is added to; integers and ct_const(c) as in a call",
                op, (int)flen, fname);
    return 0;
  }
  return 1;
}

/* f.ct_hvp(params with each FP/PTR one followed by its direction) =
 * ct_derivative(f, ...): the directional derivative, whose gradient with
 * respect to the point is H v. */
static LLVMValueRef directional(ct_module *m, LLVMValueRef fn, const hp_param *p, unsigned np) {
  size_t flen = 0;
  const char *fname = LLVMGetValueName2(fn, &flen);
  char *name = util_format("%.*s.ct_hvp.%u", (int)flen, fname, np);
  LLVMValueRef h = LLVMGetNamedFunction(m->mod, name);
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(m->ctx), ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef ptypes[2 * CT_MAX_PARAMS];
  unsigned n = 0;
  for (unsigned k = 0; k < np; ++k) {
    LLVMTypeRef t = LLVMTypeOf(LLVMGetParam(fn, k));
    ptypes[n++] = t;
    if (p[k].kind == HP_FP || p[k].kind == HP_PTR)
      ptypes[n++] = t;
  }
  LLVMTypeRef fty = LLVMFunctionType(dbl, ptypes, n, 0);
  if (h && LLVMGlobalGetValueType(h) == fty) {
    free(name);
    return h;
  }
  h = LLVMAddFunction(m->mod, name, fty);
  free(name);
  LLVMSetLinkage(h, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, h, "entry"));
  LLVMValueRef args[3 * CT_MAX_PARAMS + 1];
  unsigned a = 0, q = 0;
  args[a++] = fn;
  for (unsigned k = 0; k < np; ++k) {
    if (p[k].kind == HP_CONST)
      args[a++] = const_marker(m, b);
    LLVMValueRef v = LLVMGetParam(h, q++);
    args[a++] = promoted(m, b, v);
    if (p[k].kind == HP_FP || p[k].kind == HP_PTR)
      args[a++] = promoted(m, b, LLVMGetParam(h, q++));
  }
  LLVMValueRef r = ir_build_call(b, m->mod, "__ct_derivative", LLVMFunctionType(dbl, &ptr, 1, 1), args, a, "");
  LLVMBuildRet(b, r);
  LLVMDisposeBuilder(b);
  return h;
}

/* ct_gradient(dir, ...) at b: each FP/PTR parameter's value, its output
 * (out[k]), ct_const(direction) (dirs[k]); the others as given. */
static void gradient_call(ct_module *m, LLVMBuilderRef b, LLVMValueRef dir, const hp_param *p, unsigned np,
                          LLVMValueRef *vals, LLVMValueRef *dirs, LLVMValueRef *outs) {
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMValueRef args[4 * CT_MAX_PARAMS + 1];
  unsigned a = 0;
  args[a++] = dir;
  for (unsigned k = 0; k < np; ++k) {
    LLVMValueRef v = promoted(m, b, vals[k]);
    LLVMTypeKind tk = LLVMGetTypeKind(LLVMTypeOf(v));
    /* the helper's copy of a CT_NO_DERIVATIVE parameter is not marked */
    if (p[k].kind == HP_CONST || (p[k].kind == HP_PLAIN && (tk == LLVMPointerTypeKind || type_is_fp_scalar(LLVMTypeOf(v)))))
      args[a++] = const_marker(m, b);
    args[a++] = v;
    if (p[k].kind == HP_FP || p[k].kind == HP_PTR) {
      args[a++] = outs[k];
      args[a++] = const_marker(m, b);
      args[a++] = promoted(m, b, dirs[k]);
    }
  }
  ir_build_call(b, m->mod, "__ct_gradient", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 1), args, a,
                "");
}

/* f.ct_hessian(H, n, f's params): for j < n, H[j n .. j n + n) = H e_j
 * (zeroed, then the product added); e is calloc'd. */
static LLVMValueRef hessian_helper(ct_module *m, LLVMValueRef fn, LLVMValueRef dir, hp_param *p, unsigned np) {
  size_t flen = 0;
  const char *fname = LLVMGetValueName2(fn, &flen);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), i64 = LLVMInt64TypeInContext(m->ctx),
              dbl = LLVMDoubleTypeInContext(m->ctx), i8 = LLVMInt8TypeInContext(m->ctx);
  LLVMTypeRef ptypes[CT_MAX_PARAMS + 2] = {ptr, i64};
  for (unsigned k = 0; k < np; ++k)
    ptypes[2 + k] = LLVMTypeOf(LLVMGetParam(fn, k));
  char *name = util_format("%.*s.ct_hessian", (int)flen, fname);
  LLVMValueRef h = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), ptypes, np + 2, 0));
  free(name);
  LLVMSetLinkage(h, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(m->ctx, h, "entry"),
                    loop = LLVMAppendBasicBlockInContext(m->ctx, h, "loop"),
                    body = LLVMAppendBasicBlockInContext(m->ctx, h, "body"),
                    done = LLVMAppendBasicBlockInContext(m->ctx, h, "done");
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMValueRef H = LLVMGetParam(h, 0), n = LLVMGetParam(h, 1);
  LLVMValueRef cargs[2] = {n, LLVMConstInt(i64, 8, 0)};
  LLVMTypeRef c2[2] = {i64, i64};
  LLVMValueRef e = ir_build_call(b, m->mod, "calloc", LLVMFunctionType(ptr, c2, 2, 0), cargs, 2, "e");
  LLVMBuildBr(b, loop);
  LLVMPositionBuilderAtEnd(b, loop);
  LLVMValueRef j = LLVMBuildPhi(b, i64, "j");
  LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
  LLVMAddIncoming(j, &zero, &entry, 1);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, j, n, ""), body, done);
  LLVMPositionBuilderAtEnd(b, body);
  LLVMValueRef ej = LLVMBuildGEP2(b, dbl, e, &j, 1, "");
  LLVMBuildStore(b, LLVMConstReal(dbl, 1.0), ej);
  LLVMValueRef off = LLVMBuildMul(b, j, n, "");
  LLVMValueRef row = LLVMBuildGEP2(b, dbl, H, &off, 1, "row");
  LLVMBuildMemSet(b, row, LLVMConstInt(i8, 0, 0), LLVMBuildMul(b, n, LLVMConstInt(i64, 8, 0), ""), 8);
  LLVMValueRef vals[CT_MAX_PARAMS], dirs[CT_MAX_PARAMS], outs[CT_MAX_PARAMS];
  for (unsigned k = 0; k < np; ++k) {
    vals[k] = LLVMGetParam(h, 2 + k);
    dirs[k] = e;
    outs[k] = row;
  }
  gradient_call(m, b, dir, p, np, vals, dirs, outs);
  LLVMBuildStore(b, LLVMConstReal(dbl, 0.0), ej);
  LLVMValueRef next = LLVMBuildAdd(b, j, LLVMConstInt(i64, 1, 0), "");
  LLVMAddIncoming(j, &next, &body, 1);
  LLVMBuildBr(b, loop);
  LLVMPositionBuilderAtEnd(b, done);
  ir_build_call(b, m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 0), &e, 1, "");
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  return h;
}

/* One call of either operator: rewritten, or an error (the call goes). */
static void rewrite(ct_module *m, LLVMValueRef call, LLVMValueRef caller, int hessian) {
  const char *op = hessian ? "ct_hessian" : "ct_hessian_vector_product";
  unsigned first = hessian ? 3 : 1, nargs = LLVMGetNumArgOperands(call);
  LLVMValueRef fn = nargs ? LLVMGetOperand(call, 0) : NULL;
  while (fn && LLVMIsAConstantExpr(fn))
    fn = LLVMGetOperand(fn, 0);
  if (!fn || !LLVMIsAFunction(fn) || LLVMIsDeclaration(fn)) {
    diag_report(caller, call, CT_SEV_ERROR, "%s: the first argument must be a function defined in this file", op);
    return;
  }
  unsigned np = LLVMCountParams(fn);
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(fn));
  if (!type_is_fp_scalar(rty) || np > CT_MAX_PARAMS || LLVMIsFunctionVarArg(LLVMGlobalGetValueType(fn))) {
    size_t flen = 0;
    const char *fname = LLVMGetValueName2(fn, &flen);
    diag_report(caller, call, CT_SEV_ERROR, "%s: '%.*s' must return float or double (a scalar objective)%s", op,
                (int)flen, fname, np > CT_MAX_PARAMS ? ", with fewer parameters" : "");
    return;
  }
  hp_param p[CT_MAX_PARAMS];
  if (!read_params(m, call, caller, fn, first, hessian, p, np, op))
    return;
  LLVMValueRef dir = directional(m, fn, p, np);
  LLVMPositionBuilderBefore(m->b, call);
  LLVMSetCurrentDebugLocation2(m->b, LLVMInstructionGetDebugLoc(call));
  if (hessian) {
    LLVMValueRef h = hessian_helper(m, fn, dir, p, np);
    LLVMValueRef args[CT_MAX_PARAMS + 2];
    args[0] = LLVMGetOperand(call, 1);
    args[1] = LLVMBuildIntCast2(m->b, LLVMGetOperand(call, 2), LLVMInt64TypeInContext(m->ctx), 1, "");
    for (unsigned k = 0; k < np; ++k) {
      LLVMValueRef v = p[k].value;
      LLVMTypeRef want = LLVMTypeOf(LLVMGetParam(fn, k));
      if (LLVMTypeOf(v) != want)
        v = type_is_fp_scalar(want) ? LLVMBuildFPCast(m->b, v, want, "") : LLVMBuildIntCast2(m->b, v, want, 1, "");
      args[2 + k] = v;
    }
    LLVMBuildCall2(m->b, LLVMGlobalGetValueType(h), h, args, np + 2, "");
    return;
  }
  LLVMValueRef vals[CT_MAX_PARAMS], dirs[CT_MAX_PARAMS], outs[CT_MAX_PARAMS];
  for (unsigned k = 0; k < np; ++k) {
    LLVMValueRef v = p[k].value;
    LLVMTypeRef want = LLVMTypeOf(LLVMGetParam(fn, k));
    if (LLVMTypeOf(v) != want && !type_is_fp_scalar(want))
      v = LLVMBuildIntCast2(m->b, v, want, 1, "");
    vals[k] = v;
    dirs[k] = p[k].dir;
    outs[k] = p[k].out;
  }
  gradient_call(m, m->b, dir, p, np, vals, dirs, outs);
}

int hessian_rewrite_all(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
        next = LLVMGetNextInstruction(inst);
        if (!LLVMIsACallInst(inst))
          continue;
        int hvp = is_named(inst, "__ct_hessian_vector_product"), hes = is_named(inst, "__ct_hessian");
        if (!hvp && !hes)
          continue;
        rewrite(m, inst, f, hes);
        LLVMSetCurrentDebugLocation2(m->b, NULL);
        if (LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMVoidTypeKind)
          LLVMReplaceAllUsesWith(inst, LLVMGetUndef(LLVMTypeOf(inst)));
        LLVMInstructionEraseFromParent(inst);
        changed = 1;
      }
  return changed;
}
