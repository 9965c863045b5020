/* Lowering the forward-mode operators (operators.h,
 * operators_lower_derivative): a call of the tangent function of the
 * parsed activity (tangent.c), and the results where each operator puts
 * them.
 *
 *   double ct_derivative(f, args...)          the tangent of f's result (0
 *                                             for a void f, whose outputs'
 *                                             tangents go to the shadows)
 *   double ct_value_with_derivative(f, double *tangent_out, args...)
 *                                             f's value; *tangent_out = the
 *                                             tangent
 *   T __enzyme_fwddiff(f, [markers] args...)  the tangent; with
 *                                             enzyme_primal_return { value,
 *                                             tangent }; with
 *                                             enzyme_const_return no tangent
 *
 * Each floating-point argument is followed by its tangent value, each
 * pointer by its shadow (tangent array), as parsed (operators_parse.c). */
#include "operators.h"
#include "tangent.h"

/* The tangent function's arguments: each value (converted as a variadic
 * call promoted it), then its tangent (converted likewise) or shadow
 * (checked not NULL where the array is not). Returns how many. */
static unsigned build_args(ct_module *m, const ct_op_call *c, LLVMValueRef *args) {
  const ct_site *s = c->site;
  unsigned n = 0;
  for (unsigned p = 0; p < c->spec.nparams; ++p) {
    LLVMTypeRef want = LLVMTypeOf(LLVMGetParam(c->fn, p));
    LLVMValueRef v = LLVMGetOperand(s->call, c->value[p]);
    if (LLVMTypeOf(v) != want)
      v = type_is_fp_scalar(want) ? LLVMBuildFPCast(m->b, v, want, "") : LLVMBuildIntCast2(m->b, v, want, 1, "");
    args[n++] = v;
    if (!c->extra[p])
      continue;
    LLVMValueRef x = LLVMGetOperand(s->call, c->extra[p]);
    if (c->spec.act[p] == ACT_ACTIVE && LLVMTypeOf(x) != want)
      x = LLVMBuildFPCast(m->b, x, want, "");
    if (c->spec.act[p] == ACT_DUP)
      checks_nonnull(m, s->call, x, v, operator_name(s->kind), "shadow", p + 1, c->fn);
    args[n++] = c->width ? operators_vector_tangent(m, c, p, want) : x; /* N directions: operators_vector.c */
  }
  return n;
}

/* What the operator call returns, from f's value v and tangent d (NULL
 * for a void f). */
static LLVMValueRef result_of(ct_module *m, const ct_op_call *c, LLVMValueRef v, LLVMValueRef d) {
  const ct_site *s = c->site;
  LLVMTypeRef cty = LLVMTypeOf(s->call);
  int fp_call = type_is_fp_scalar(cty);
  switch (s->kind) {
  case OP_CT_DERIVATIVE:
    if (!fp_call)
      return NULL;
    return d ? LLVMBuildFPCast(m->b, d, cty, "") : LLVMConstReal(cty, 0.0);
  case OP_CT_VALUE_WITH_DERIVATIVE:
    LLVMBuildStore(m->b, LLVMBuildFPCast(m->b, d, LLVMDoubleTypeInContext(m->ctx), ""), c->pb_out);
    return fp_call ? LLVMBuildFPCast(m->b, v, cty, "") : NULL;
  default: {
    LLVMValueRef vals[2];
    unsigned n = 0;
    if (c->primal_return && v)
      vals[n++] = v;
    if (!c->const_return && d)
      vals[n++] = d;
    if (n == 1 && fp_call && type_is_fp_scalar(LLVMTypeOf(vals[0])) && !c->sret)
      return LLVMBuildFPCast(m->b, vals[0], cty, "");
    return n ? operators_coerce_results(m, s->call, c->sret, vals, n) : NULL;
  }
  }
}

int operators_lower_derivative(ct_module *m, const ct_op_call *c, LLVMValueRef *tangent_call) {
  const ct_site *s = c->site;
  LLVMValueRef call = s->call;
  const char *op = operator_name(s->kind);
  ct_spec spec = c->spec;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(c->fn));
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  if (s->kind != OP_ENZYME_FWDDIFF && has_ret && !type_is_fp_scalar(rty)) {
    operators_error(s, "%s: '%s' must return float or double", op, c->fname);
    return 0;
  }
  if (c->primal_return && !has_ret) {
    operators_error(s, "%s: enzyme_primal_return asks for the value of '%s', which returns nothing", op, c->fname);
    return 0;
  }
  spec.ret_active = type_is_fp(rty) && !c->const_return;
  /* a returned pointer: its shadow (Enzyme's) */
  spec.ret_shadow = s->kind == OP_ENZYME_FWDDIFF && LLVMGetTypeKind(rty) == LLVMPointerTypeKind && !c->const_return;
  spec.width = c->width;
  if (c->width && spec.ret_shadow) {
    operators_error(s, "%s: '%s' returns a pointer, whose shadows vector mode does not return yet (use "
                       "enzyme_const_return, or one direction at a time)", op, c->fname);
    return 0;
  }
  LLVMValueRef args[2 * CT_MAX_PARAMS];
  unsigned n = build_args(m, c, args);
  LLVMValueRef fn = tangent_get(m, &spec, call);
  if (!fn)
    return 0;
  LLVMPositionBuilderBefore(m->b, call); /* generating it moved the builder */
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(fn), fn, args, n, "");
  *tangent_call = res; /* inlined once every site is lowered */
  LLVMValueRef v = has_ret ? LLVMBuildExtractValue(m->b, res, 0, "") : NULL;
  LLVMValueRef d = has_ret ? LLVMBuildExtractValue(m->b, res, 1, "") : NULL;
  LLVMValueRef replacement = NULL;
  if (!c->width)
    replacement = result_of(m, c, v, d);
  else if (!operators_vector_result(m, c, v, d, &replacement)) /* N tangents: operators_vector.c */
    return 0;
  if (replacement)
    LLVMReplaceAllUsesWith(call, replacement);
  return 1;
}
