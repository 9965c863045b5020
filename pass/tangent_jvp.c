/* Custom tangents (JVPs) for forward mode: CT_TANGENT_IS(T) on f's
 * declaration ("ct.tangent_is:T", cotangent.h) makes T the tangent of every
 * call of f in tangent functions, as CT_DERIVATIVE_IS makes a pullback
 * serve reverse mode. The runtime kernels (ct_dot, ct_gemv, ...) carry one,
 * so forward mode runs their fast tangent kernels (lib/kernels_jvp.h)
 * instead of failing on arrays passed to a pullback.
 *
 * T runs right after the copy of f's call, with f's arguments, f's result
 * (when floating point), then each floating-point argument's tangent and
 * each pointer argument's shadow (null when it has none); it returns the
 * result's tangent. In vector mode it is called once per direction, with
 * that direction's lanes. f is called once (its side effects, `y += a x`,
 * are not repeated). */
#include "tangent.h"

#include <stdlib.h>
#include <string.h>

#define TANGENT_ATTR "ct-custom-tangent"

void tangent_jvp_register(ct_module *m, LLVMValueRef f, const char *jvp, size_t len) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, TANGENT_ATTR, (unsigned)strlen(TANGENT_ATTR), jvp,
                                                    (unsigned)len));
}

#define PULLBACK_ATTR "ct-custom-tangent-pullback"

void tangent_jvp_register_pullback(ct_module *m, LLVMValueRef f, const char *text, size_t len) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, PULLBACK_ATTR, (unsigned)strlen(PULLBACK_ATTR), text,
                                                    (unsigned)len));
}

/* T's pullback and access, from fn's "P;ACCESS", when T has none: a
 * gradient of the tangent function then differentiates T's calls. */
static void give_pullback(ct_module *m, LLVMValueRef fn, LLVMValueRef t) {
  LLVMAttributeRef a =
      LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, PULLBACK_ATTR, (unsigned)strlen(PULLBACK_ATTR));
  if (!a || custom_derivative_of(m, t))
    return;
  unsigned len = 0;
  const char *text = LLVMGetStringAttributeValue(a, &len);
  const char *semi = memchr(text, ';', len);
  size_t plen = semi ? (size_t)(semi - text) : len;
  custom_register_on_target(m, t, text, plen);
  if (semi && semi + 1 < text + len)
    custom_set_access(m, t, semi + 1, len - plen - 1);
}

/* The type T must have for fn: see above; NULL when fn takes too many
 * parameters. */
static LLVMTypeRef expected_type(LLVMValueRef fn) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn), rty = LLVMGetReturnType(fty);
  LLVMContextRef ctx = LLVMGetTypeContext(fty);
  unsigned np = LLVMCountParamTypes(fty), k = 0;
  if (np > CT_MAX_PARAMS)
    return NULL;
  LLVMTypeRef ptypes[CT_MAX_PARAMS], params[2 * CT_MAX_PARAMS + 1];
  LLVMGetParamTypes(fty, ptypes);
  for (unsigned i = 0; i < np; ++i)
    params[k++] = ptypes[i];
  int fp_result = type_is_fp(rty);
  if (fp_result)
    params[k++] = rty;
  for (unsigned i = 0; i < np; ++i)
    if (type_is_fp(ptypes[i]))
      params[k++] = ptypes[i];
    else if (LLVMGetTypeKind(ptypes[i]) == LLVMPointerTypeKind)
      params[k++] = LLVMPointerTypeInContext(ctx, 0);
  return LLVMFunctionType(fp_result ? rty : LLVMVoidTypeInContext(ctx), params, k, 0);
}

LLVMValueRef tangent_jvp_of(ct_module *m, LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn))
    return NULL;
  LLVMAttributeRef a =
      LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, TANGENT_ATTR, (unsigned)strlen(TANGENT_ATTR));
  if (!a)
    return NULL;
  unsigned len = 0;
  const char *tname = LLVMGetStringAttributeValue(a, &len);
  char *name = util_format("%.*s", (int)len, tname);
  LLVMValueRef t = LLVMGetNamedFunction(m->mod, name);
  LLVMTypeRef want = expected_type(fn);
  if (!t && want) /* a mere declaration, removed by the optimizer as unused */
    t = LLVMAddFunction(m->mod, name, want);
  free(name);
  if (t)
    give_pullback(m, fn, t);
  return t;
}

/* Lane j of a vector-mode tangent or shadow v (v itself in scalar mode). */
static LLVMValueRef lane(ct_tgen *t, LLVMValueRef v, unsigned j) {
  if (!t->g.spec->width || LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMVectorTypeKind)
    return v;
  return LLVMBuildExtractElement(t->g.m->b, v, LLVMConstInt(t->g.i32_ty, j, 0), "");
}

/* Checks T against fn; reports at the call and returns 0 when it differs,
 * or when the differential (ct_value_with_differential) would apply it
 * later, when the arrays it reads may have changed. */
static int usable(ct_tgen *t, LLVMValueRef call, LLVMValueRef fn, LLVMValueRef jvp) {
  ct_gen *g = &t->g;
  LLVMTypeRef want = expected_type(fn);
  char fname[256], tname[256];
  diag_function_name(fn, fname, sizeof fname);
  diag_function_name(jvp, tname, sizeof tname);
  if (!want || LLVMGlobalGetValueType(jvp) != want) {
    char *what = util_format("has a tangent '%s' (CT_TANGENT_IS) that does not take %s's parameters, its "
                             "result (when floating point), then one tangent per floating-point or pointer "
                             "parameter, and return the result's tangent",
                             tname, fname);
    gen_fail(g, call, what, "declare the tangent with that signature (see CT_TANGENT_IS in cotangent.h)");
    free(what);
    return 0;
  }
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  for (unsigned i = 0; i < n && t->mark_copies; ++i)
    if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, i))) == LLVMPointerTypeKind) {
      gen_fail(g, call, "has a tangent (CT_TANGENT_IS) that reads arrays, which a differential cannot record",
               "use ct_derivative (one run per tangent)");
      return 0;
    }
  return 1;
}

void tangent_jvp_call(ct_tgen *t, LLVMValueRef call, LLVMValueRef jvp) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef fn = LLVMGetCalledValue(call);
  if (!usable(t, call, fn, jvp))
    return;
  unsigned n = (unsigned)LLVMGetNumArgOperands(call), k = 0;
  LLVMTypeRef rty = LLVMTypeOf(call);
  int fp_result = type_is_fp(rty);
  /* the tangent (or shadow) of each argument, in all directions */
  LLVMValueRef args[2 * CT_MAX_PARAMS + 1], d[CT_MAX_PARAMS];
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    LLVMTypeRef ty = LLVMTypeOf(op);
    args[k++] = tangent_primal(t, op);
    d[i] = NULL;
    if (type_is_fp(ty)) {
      d[i] = tangent_of(t, op);
    } else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind) {
      d[i] = vmap_get(&g->shadow, op);
      if (!d[i] && vmap_get(&g->active, op)) {
        gen_fail(g, call, "passes a pointer to differentiable data that has no shadow", NULL);
        return;
      }
      if (!d[i])
        d[i] = LLVMConstNull(g->ptr_ty); /* carries no tangent */
    }
  }
  if (fp_result)
    args[k++] = vmap_get(&g->fwd, call);
  unsigned fixed = k, width = g->spec->width ? g->spec->width : 1;
  LLVMValueRef sum = fp_result ? LLVMGetUndef(tangent_type_of(t, rty)) : NULL;
  for (unsigned j = 0; j < width; ++j) {
    k = fixed;
    for (unsigned i = 0; i < n; ++i)
      if (d[i])
        args[k++] = lane(t, d[i], j);
    LLVMValueRef r = LLVMBuildCall2(b, LLVMGlobalGetValueType(jvp), jvp, args, k, "");
    if (fp_result)
      sum = g->spec->width ? LLVMBuildInsertElement(b, sum, r, LLVMConstInt(g->i32_ty, j, 0), "") : r;
  }
  if (fp_result && adjoint_has(g, call))
    vmap_set(&t->tangent, call, sum);
}
