/* Calls in a tangent function (tangent.h): a differentiated call (one that
 * inlining left: recursion, a large function) calls the callee's tangent
 * function, made by the driver through tangent_tgen.callee; a call of a
 * function with a custom derivative (CT_DERIVATIVE) gets its tangent from
 * the pullback, seeded with 1, where the function takes scalars; a
 * registered forward derivative (Enzyme's __enzyme_register_derivative_f =
 * {f, f_fwd}, f_fwd(x, dx, p, dp, ..., n) returning the tangent or
 * { result, tangent }) becomes f's tangent function. */
#include "blas.h"
#include "enzyme.h"
#include "tangent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LLVMValueRef tangent_registered(LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn))
    return NULL;
  if (blas_is(fn)) /* the runtime's tangent of a BLAS or LAPACK routine */
    return blas_forward_derivative(fn);
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, ENZYME_FORWARD_ATTR,
                                                     (unsigned)strlen(ENZYME_FORWARD_ATTR));
  if (!a)
    return NULL;
  unsigned len = 0;
  const char *name = LLVMGetStringAttributeValue(a, &len);
  char *z = util_format("%.*s", (int)len, name);
  LLVMValueRef d = LLVMGetNamedFunction(LLVMGetGlobalParent(fn), z);
  free(z);
  return d;
}

/* ---- differentiated calls ---- */

/* A gradient registered the Enzyme way (reverse mode only)? */
static int has_registered_gradient(LLVMValueRef fn) {
  return LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, ENZYME_GRADIENT_ATTR,
                                       (unsigned)strlen(ENZYME_GRADIENT_ATTR)) != NULL;
}

/* Is fn a differentiable function of another file, whose file exports its
 * tangent (tangent_export.c)? */
static int has_exported_tangent(LLVMValueRef fn) {
  return LLVMIsDeclaration(fn) && !tangent_registered(fn) && !has_registered_gradient(fn) &&
         contract_is_differentiable(fn);
}

/* Does p point into an argument the tangent function holds constant (no
 * shadow)? The callee gets it as constant too. */
static int points_into_constant_argument(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef base = ir_base_object(p);
  int i = ir_param_index(base);
  if (i < 0 || LLVMGetParamParent(base) != g->pc || (unsigned)i >= g->spec->nparams)
    return 0;
  return g->spec->act[i] == ACT_CONST;
}

/* The activity the callee is differentiated for: what carries a tangent
 * here (aggregates too: their tangent is passed whole), pointers with a
 * shadow duplicated. */
static void call_spec(ct_tgen *t, LLVMValueRef call, ct_spec *spec) {
  ct_gen *g = &t->g;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (has_exported_tangent(callee) && contract_canonical_spec(g->m, callee, spec)) {
    /* a differentiable function of another file: its exported tangent
       (tangent_export.c), for its canonical activity */
    spec->split = 0;
    spec->ret_shadow = LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind;
    return;
  }
  *spec = (ct_spec){.fn = callee, .nparams = LLVMCountParams(callee), .width = g->spec->width};
  for (unsigned i = 0; i < spec->nparams; ++i) {
    LLVMValueRef arg = LLVMGetOperand(call, i);
    if (custom_param_no_derivative(callee, i))
      spec->act[i] = ACT_CONST;
    else if (adjoint_has(g, arg))
      spec->act[i] = ACT_ACTIVE;
    else if (LLVMGetTypeKind(LLVMTypeOf(arg)) == LLVMPointerTypeKind && vmap_get(&g->active, arg))
      spec->act[i] = points_into_constant_argument(g, arg) ? ACT_CONST : ACT_DUP;
    else
      spec->act[i] = ACT_CONST;
  }
  spec->ret_active = adjoint_has(g, call);
  spec->ret_shadow = vmap_get(&g->active, call) && LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind;
}

/* A function of another file with several differentiable configurations
 * exports the tangent of its first only: a tangent reaching a parameter
 * outside it would be dropped, an error at the call. */
static int outside_first_config(ct_tgen *t, LLVMValueRef call, LLVMValueRef callee) {
  ct_gen *g = &t->g;
  ct_spec first;
  if (contract_config_count(g->m, callee) < 2 || !contract_canonical_spec(g->m, callee, &first))
    return 1;
  for (unsigned i = 0; i < first.nparams; ++i) {
    LLVMValueRef arg = LLVMGetOperand(call, i);
    int carries = adjoint_has(g, arg) ||
                  (LLVMGetTypeKind(LLVMTypeOf(arg)) == LLVMPointerTypeKind && vmap_get(&g->active, arg));
    if (carries && first.act[i] == ACT_CONST && !custom_param_no_derivative(callee, i)) {
      gen_fail(g, call,
               "passes a tangent to a parameter outside the first differentiable configuration of this function "
               "of another file, whose exported tangent (forward mode) is that configuration's",
               "put the wrt list this call needs first among its differentiable attributes, or differentiate "
               "the call in reverse mode (every configuration's gradient is exported)");
      return 0;
    }
  }
  return 1;
}

/* A callee without a body here needs a registered forward derivative, or
 * the differentiable contract (its file exports its tangent; one
 * direction). */
static int check_callee(ct_tgen *t, LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!LLVMIsDeclaration(callee) || tangent_registered(callee))
    return 1;
  int registered = has_registered_gradient(callee);
  if (has_exported_tangent(callee) && !t->g.spec->width)
    return outside_first_config(t, call, callee);
  if (!registered && contract_is_differentiable(callee))
    gen_fail(&t->g, call,
             "is a differentiable function of another file, whose exported tangent takes one direction",
             "use ct_derivative (one direction at a time), or define it in this file");
  else
    gen_fail(&t->g, call,
             registered ? "has a registered gradient (reverse mode) but no forward derivative"
                        : "has no body in this file",
             registered ? "register one for forward mode too (__enzyme_register_derivative_<f> = {f, f_fwd})"
                        : "declare it differentiable (CT_DIFFERENTIABLE), or define it in this file");
  return 0;
}

/* The tangent call's arguments: each value, then its tangent (an undef
 * placeholder when `placeholders`) or shadow. Returns 0 when a shadow is
 * missing. */
static int call_args(ct_tgen *t, LLVMValueRef call, const ct_spec *spec, int placeholders, LLVMValueRef *args,
                     unsigned *n) {
  *n = 0;
  for (unsigned k = 0; k < spec->nparams; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, k);
    args[(*n)++] = tangent_primal(t, op);
    if (spec->act[k] == ACT_ACTIVE)
      args[(*n)++] = placeholders ? LLVMGetUndef(LLVMTypeOf(op)) : tangent_of(t, op);
    else if (spec->act[k] != ACT_CONST && !(args[(*n)++] = vmap_get(&t->g.shadow, op)))
      return 0;
  }
  return 1;
}

/* The tangent call `res` replaces the primal call's copy: its value, and
 * the result's tangent or shadow. */
static void replace_copy(ct_tgen *t, LLVMValueRef call, LLVMValueRef res, const ct_spec *spec) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef copy = vmap_get(&g->fwd, call);
  if (LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind) {
    LLVMValueRef v = LLVMBuildExtractValue(b, res, 0, "");
    LLVMReplaceAllUsesWith(copy, v);
    vmap_set(&g->fwd, call, v);
    LLVMValueRef d = LLVMBuildExtractValue(b, res, 1, "");
    if (spec->ret_shadow)
      vmap_set(&g->shadow, call, d);
    else if (spec->ret_active)
      vmap_set(&t->tangent, call, d);
  } else {
    vmap_set(&g->fwd, call, res);
  }
  LLVMInstructionEraseFromParent(copy);
}

/* The callee's tangent function, or NULL (reported). */
static LLVMValueRef callee_tangent(ct_tgen *t, LLVMValueRef call, const ct_spec *spec) {
  if (!check_callee(t, call))
    return NULL;
  if (has_exported_tangent(spec->fn))
    return tangent_external(t->g.m, spec);
  LLVMValueRef fn = t->callee(t->g.m, spec, call);
  if (!fn)
    t->g.failed = 1;
  return fn;
}

int tangent_call_shadow(ct_gen *g, LLVMValueRef call, LLVMValueRef *s) {
  ct_tgen *t = g->tangent;
  ct_spec spec;
  call_spec(t, call, &spec);
  LLVMValueRef args[2 * CT_MAX_PARAMS];
  unsigned n;
  if (!call_args(t, call, &spec, 1, args, &n))
    return SHADOW_PENDING; /* an argument's shadow is not made yet */
  LLVMValueRef fn = callee_tangent(t, call, &spec);
  if (!fn)
    return SHADOW_FAILED;
  LLVMPositionBuilderBefore(g->m->b, vmap_get(&g->fwd, call));
  LLVMValueRef res = LLVMBuildCall2(g->m->b, LLVMGlobalGetValueType(fn), fn, args, n, "");
  replace_copy(t, call, res, &spec);
  vmap_set(&t->calls, call, res);
  *s = vmap_get(&g->shadow, call);
  return SHADOW_MADE;
}

void tangent_call(ct_tgen *t, LLVMValueRef call) {
  ct_gen *g = &t->g;
  ct_spec spec;
  call_spec(t, call, &spec);
  LLVMValueRef made = vmap_get(&t->calls, call);
  if (made) { /* made with the shadows: its tangent arguments now */
    unsigned i = 0;
    for (unsigned k = 0; k < spec.nparams; ++k) {
      ++i; /* the value */
      if (spec.act[k] == ACT_ACTIVE)
        LLVMSetOperand(made, i++, tangent_of(t, LLVMGetOperand(call, k)));
      else if (spec.act[k] != ACT_CONST)
        ++i; /* the shadow */
    }
    return;
  }
  LLVMValueRef args[2 * CT_MAX_PARAMS];
  unsigned n;
  if (!call_args(t, call, &spec, 0, args, &n)) {
    gen_fail(g, call, "passes a pointer to differentiable data that has no shadow", NULL);
    return;
  }
  LLVMValueRef fn = callee_tangent(t, call, &spec);
  if (!fn)
    return;
  LLVMPositionBuilderBefore(g->m->b, vmap_get(&g->fwd, call)); /* generating it moved the builder */
  replace_copy(t, call, LLVMBuildCall2(g->m->b, LLVMGlobalGetValueType(fn), fn, args, n, ""), &spec);
}

/* ---- custom derivatives (pullbacks) ---- */

void tangent_custom(ct_tgen *t, LLVMValueRef call) {
  if (tangent_registered(LLVMGetCalledValue(call))) { /* a BLAS/LAPACK routine: its forward derivative */
    tangent_call(t, call);
    return;
  }
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef callee = LLVMGetCalledValue(call), pullback = custom_derivative_of(g->m, callee);
  LLVMValueRef jvp = tangent_jvp_of(g->m, callee);
  if (jvp) { /* a tangent of its own (CT_TANGENT_IS: the runtime kernels) */
    tangent_jvp_call(t, call, jvp);
    return;
  }
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  LLVMTypeRef rty = LLVMTypeOf(call);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(&g->active, op)) {
      gen_fail(g, call, "passes differentiable memory (an array with a shadow) to a function whose custom "
               "derivative is a pullback",
               "forward mode gets tangents from a pullback for functions of scalars only; give it a tangent "
               "(CT_TANGENT_IS on its declaration), or differentiate it in reverse mode");
      return;
    }
  }
  if (!adjoint_has(g, call))
    return; /* its result's tangent is not needed */
  if (!type_is_fp_scalar(rty) || n > CT_MAX_PARAMS) {
    gen_fail(g, call, "returns a value forward mode cannot get from its custom derivative (a pullback)",
             "return a float or double");
    return;
  }
  LLVMValueRef args[2 * CT_MAX_PARAMS + 1], cells[CT_MAX_PARAMS] = {0};
  unsigned k = 0;
  for (unsigned i = 0; i < n; ++i)
    args[k++] = tangent_primal(t, LLVMGetOperand(call, i));
  args[k++] = LLVMConstReal(rty, 1.0); /* the seed: the pullback gives the partial derivatives */
  for (unsigned i = 0; i < n; ++i) {
    LLVMTypeRef ty = LLVMTypeOf(LLVMGetOperand(call, i));
    if (type_is_fp(ty)) {
      cells[i] = LLVMBuildAlloca(g->ab, ty, "ct.cell");
      LLVMBuildStore(b, LLVMConstNull(ty), cells[i]);
      args[k++] = cells[i];
    } else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind) {
      args[k++] = LLVMConstNull(ty); /* a constant array: no adjoint */
    }
  }
  LLVMBuildCall2(b, LLVMGlobalGetValueType(pullback), pullback, args, k, "");
  LLVMValueRef sum = NULL;
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    if (!cells[i] || !adjoint_has(g, op))
      continue;
    LLVMValueRef partial = tangent_broadcast(t, LLVMBuildLoad2(b, LLVMTypeOf(op), cells[i], ""));
    LLVMValueRef d = LLVMBuildFMul(b, partial, tangent_of(t, op), "");
    d = LLVMBuildFPCast(b, d, tangent_type_of(t, rty), "");
    sum = sum ? LLVMBuildFAdd(b, sum, d, "") : d;
  }
  if (sum)
    vmap_set(&t->tangent, call, sum);
}

/* ---- registered forward derivatives ---- */

/* "(double, double (tangent), a pointer, a pointer (its shadow), int)": what
 * fwd must take for fn. */
static char *expected_params(LLVMValueRef fn) {
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), ptypes);
  char *s = util_format("(");
  for (unsigned p = 0; p < LLVMCountParams(fn); ++p) {
    char *ty = LLVMPrintTypeToString(ptypes[p]);
    int fp = type_is_fp(ptypes[p]), ptr = LLVMGetTypeKind(ptypes[p]) == LLVMPointerTypeKind;
    char *next = util_format("%s%s%s%s%s", s, p ? ", " : "", ptr ? "a pointer" : ty,
                             fp ? ", its tangent" : "", ptr ? ", its shadow" : "");
    LLVMDisposeMessage(ty);
    free(s);
    s = next;
  }
  char *done = util_format("%s)", s);
  free(s);
  return done;
}

/* Does fwd take fn's parameters, each floating-point one followed by its
 * tangent and each pointer by its shadow (after an sret buffer), and
 * return nothing (fn returns nothing), the tangent or { result, tangent }? */
static int fits(ct_module *m, LLVMValueRef fn, LLVMValueRef fwd) {
  int sret = 0;
  LLVMTypeRef res = enzyme_result_type(fwd, &sret), rty = LLVMGetReturnType(LLVMGlobalGetValueType(fn));
  LLVMTypeRef pair[2] = {rty, rty};
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  if (LLVMGetTypeKind(rty) == LLVMVoidTypeKind ? LLVMGetTypeKind(res) != LLVMVoidTypeKind || sret
      : LLVMGetTypeKind(res) == LLVMVoidTypeKind ||
            ((sret || res != rty) &&
             LLVMABISizeOfType(td, res) < LLVMABISizeOfType(td, LLVMStructTypeInContext(m->ctx, pair, 2, 0)))) 
    return 0;
  LLVMTypeRef want[CT_MAX_PARAMS], have[2 * CT_MAX_PARAMS + 2];
  unsigned np = LLVMCountParams(fn), nh = LLVMCountParams(fwd), k = (unsigned)sret;
  if (nh > 2 * CT_MAX_PARAMS + 2)
    return 0;
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), want);
  LLVMGetParamTypes(LLVMGlobalGetValueType(fwd), have);
  for (unsigned p = 0; p < np; ++p) {
    int twice = type_is_fp(want[p]) || LLVMGetTypeKind(want[p]) == LLVMPointerTypeKind;
    for (int j = 0; j <= twice; ++j)
      if (k >= nh || have[k++] != want[p])
        return 0;
  }
  return k == nh;
}

/* The value and tangent fwd's result `res` holds: the tangent alone (then
 * the value comes from calling fn), or { result, tangent } returned, coerced
 * or through sret memory `mem`. */
static void split_result(ct_module *m, LLVMBuilderRef b, LLVMValueRef fn, LLVMValueRef *args, unsigned n,
                         LLVMValueRef res, LLVMValueRef mem, LLVMValueRef *v, LLVMValueRef *d) {
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(fn));
  if (!mem && LLVMTypeOf(res) == rty) {
    *d = res;
    *v = LLVMBuildCall2(b, LLVMGlobalGetValueType(fn), fn, args, n, "");
    return;
  }
  LLVMTypeRef pair[2] = {rty, rty}, natural = LLVMStructTypeInContext(m->ctx, pair, 2, 0);
  if (!mem) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
    unsigned long long a = LLVMABISizeOfType(td, LLVMTypeOf(res)), c = LLVMABISizeOfType(td, natural);
    mem = LLVMBuildAlloca(b, LLVMArrayType2(LLVMInt8TypeInContext(m->ctx), a > c ? a : c), "");
    LLVMSetAlignment(mem, 16);
    LLVMBuildStore(b, res, mem);
  }
  *v = LLVMBuildLoad2(b, rty, LLVMBuildStructGEP2(b, natural, mem, 0, ""), "");
  *d = LLVMBuildLoad2(b, rty, LLVMBuildStructGEP2(b, natural, mem, 1, ""), "");
}

int tangent_build_registered(ct_module *m, const ct_spec *spec, LLVMValueRef tfn, LLVMValueRef site) {
  LLVMValueRef fn = spec->fn, fwd = tangent_registered(fn);
  char fname[512], dname[512];
  diag_function_name(fn, fname, sizeof fname);
  diag_function_name(fwd, dname, sizeof dname);
  if (!fits(m, fn, fwd)) {
    char *want = expected_params(fn);
    int is_void = LLVMGetTypeKind(LLVMGetReturnType(LLVMGlobalGetValueType(fn))) == LLVMVoidTypeKind;
    diag_report(fn, site, CT_SEV_ERROR,
                "the forward derivative '%s' of '%s' (__enzyme_register_derivative_%s) must take %s and return %s",
                dname, fname, fname, want,
                is_void ? "nothing" : "the tangent of the result, or the struct { result; tangent; }");
    free(want);
    return 0;
  }
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, tfn, "entry"));
  int sret = 0;
  LLVMTypeRef rty = enzyme_result_type(fwd, &sret);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 1], primal[CT_MAX_PARAMS];
  unsigned n = 0, k = 0, ok = 1;
  LLVMValueRef mem = sret ? LLVMBuildAlloca(b, rty, "") : NULL;
  if (mem)
    args[n++] = mem;
  for (unsigned p = 0; p < spec->nparams; ++p) {
    LLVMValueRef v = LLVMGetParam(tfn, k++);
    LLVMTypeRef ty = LLVMTypeOf(v);
    primal[p] = args[n++] = v;
    if (spec->act[p] != ACT_CONST)
      args[n++] = LLVMGetParam(tfn, k++);
    else if (type_is_fp(ty))
      args[n++] = LLVMConstNull(ty); /* held constant: tangent 0 */
    else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind && blas_is(fn))
      args[n++] = LLVMConstNull(ty); /* a constant array of a BLAS routine: zero tangent */
    else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind && ok) {
      diag_report(fn, site, CT_SEV_ERROR, "cannot differentiate '%s' in forward mode: parameter %u is a pointer "
                  "without a shadow, and its registered forward derivative '%s' takes one", fname, p + 1, dname);
      ok = 0;
    }
  }
  if (ok) {
    LLVMValueRef res = LLVMBuildCall2(b, LLVMGlobalGetValueType(fwd), fwd, args, n, "");
    if (sret)
      LLVMAddCallSiteAttribute(res, 1, LLVMCreateTypeAttribute(m->ctx, LLVMGetEnumAttributeKindForName("sret", 4), rty));
    if (LLVMGetTypeKind(LLVMGetReturnType(LLVMGlobalGetValueType(fn))) == LLVMVoidTypeKind) {
      LLVMBuildRetVoid(b);
    } else {
      LLVMValueRef v, d;
      split_result(m, b, fn, primal, spec->nparams, res, mem, &v, &d);
      LLVMValueRef agg = LLVMGetUndef(LLVMGetReturnType(LLVMGlobalGetValueType(tfn)));
      agg = LLVMBuildInsertValue(b, agg, v, 0, "");
      LLVMBuildRet(b, LLVMBuildInsertValue(b, agg, d, 1, ""));
    }
  }
  LLVMDisposeBuilder(b);
  return (int)ok;
}
