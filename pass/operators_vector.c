/* Vector forward mode at the operator calls (operators.h): N directions in
 * one call of f's vector tangent function (tangent_vector.c).
 *
 *   double ct_derivative_n(N, f, double *dresult, args...)
 *       f's value; dresult[j] = the tangent of f's result in direction j.
 *       A floating-point argument is followed by its N tangents, a pointer
 *       by its tangent block and the block's stride in bytes (direction j's
 *       tangent array at (char *)block + j * stride).
 *   T __enzyme_fwddiff(f, enzyme_width, N, args...)
 *       enzyme_dup x, dx_1 ... dx_N (floating point: N tangent values;
 *       pointers: N shadows), or enzyme_dupv, byte_stride, x, dx (N shadows
 *       byte_stride apart); returns the N tangents (an array or struct of N
 *       values; with enzyme_primal_return the value first).
 *
 * N must be a constant known at compile time: the tangents are <N x T>. */
#include "operators.h"
#include "tangent.h"

#include <llvm-c/Target.h>

int operators_parse_width(ct_op_call *c, unsigned *i) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  int marker = s->kind != OP_CT_DERIVATIVE_N; /* enzyme_width, N */
  if (marker && s->kind != OP_ENZYME_FWDDIFF) {
    operators_error(s, "%s: enzyme_width belongs to forward mode (__enzyme_fwddiff)", op);
    return 0;
  }
  if (marker && (c->width || c->value[0])) {
    operators_error(s, "%s: enzyme_width %s", op,
                    c->width ? "is given twice" : "must come before the function's arguments");
    return 0;
  }
  unsigned at = *i + (unsigned)marker;
  LLVMValueRef n = at < c->nargs ? LLVMGetOperand(s->call, at) : NULL;
  if (!n || LLVMGetTypeKind(LLVMTypeOf(n)) != LLVMIntegerTypeKind) {
    operators_error(s, "%s: %s must be followed by the number of directions (an integer constant)", op,
                    marker ? "enzyme_width" : "the derivative pointer");
    return 0;
  }
  if (!LLVMIsAConstantInt(n)) {
    operators_error(s,
                    "%s: the number of directions (%s) must be a constant known at compile time: the "
                    "directions are computed together as vectors of that width",
                    op, marker ? "enzyme_width" : "N");
    return 0;
  }
  long long w = LLVMConstIntGetSExtValue(n);
  if (w < 1 || w > CT_MAX_WIDTH) {
    operators_error(s,
                    "%s: the number of directions is %lld; it must be from 1 to %d (more: split them into "
                    "several calls)",
                    op, w, CT_MAX_WIDTH);
    return 0;
  }
  c->width = (unsigned)w;
  *i = at + 1;
  return 1;
}

/* Operand *i is an integer (a stride); consumed. */
static int take_stride(ct_op_call *c, unsigned p, unsigned *i) {
  LLVMValueRef v = *i < c->nargs ? LLVMGetOperand(c->site->call, *i) : NULL;
  if (!v || LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMIntegerTypeKind) {
    operators_error(c->site,
                    "%s: the tangent block of parameter %u needs its stride, an integer number of bytes "
                    "between the directions' arrays",
                    operator_name(c->site->kind), p + 1);
    return 0;
  }
  c->stride[p] = (*i)++;
  return 1;
}

int operators_parse_vector_param(ct_op_call *c, unsigned p, LLVMTypeRef pt, int dupv, unsigned *i) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  ct_activity act = c->spec.act[p];
  int dup = act == ACT_DUP || act == ACT_DUPNONEED, block = dup && (dupv || s->kind == OP_CT_DERIVATIVE_N);
  unsigned w = c->width;
  if (dupv && !take_stride(c, p, i))
    return 0;
  unsigned need = 1 + (act == ACT_CONST ? 0 : block ? 1 : w);
  if (*i + need > c->nargs) {
    operators_error(s,
                    "%s: too few arguments: parameter %u of the function needs its value and %s (%u "
                    "directions)",
                    op, p + 1,
                    act == ACT_CONST ? "nothing else"
                    : block          ? "a tangent block"
                    : dup            ? "one shadow per direction"
                                     : "one tangent per direction",
                    w);
    return 0;
  }
  LLVMValueRef v = LLVMGetOperand(s->call, *i);
  LLVMTypeRef have = LLVMTypeOf(v);
  if (have != pt && !(type_is_fp_scalar(have) && type_is_fp_scalar(pt)) &&
      !(LLVMGetTypeKind(have) == LLVMIntegerTypeKind && LLVMGetTypeKind(pt) == LLVMIntegerTypeKind)) {
    operators_error(s, "%s: argument for parameter %u does not match the parameter's type", op, p + 1);
    return 0;
  }
  c->value[p] = (*i)++;
  c->extra[p] = act == ACT_CONST ? 0 : *i;
  for (unsigned k = 0; act != ACT_CONST && k < (block ? 1 : w); ++k) {
    LLVMTypeRef ty = LLVMTypeOf(LLVMGetOperand(s->call, *i));
    int ok = dup ? LLVMGetTypeKind(ty) == LLVMPointerTypeKind : type_is_fp_scalar(ty);
    if (!ok) {
      operators_error(s, "%s: parameter %u needs %s (%u directions); argument %u is %s", op, p + 1,
                      dup ? (block ? "a tangent block (a pointer)" : "one shadow (a pointer) per direction")
                          : "one floating-point tangent per direction",
                      w, *i - c->first + 2, dup ? "not a pointer" : "not floating point");
      return 0;
    }
    ++*i;
  }
  if (block && !dupv && !take_stride(c, p, i))
    return 0;
  return 1;
}

LLVMValueRef operators_vector_tangent(ct_module *m, const ct_op_call *c, unsigned p, LLVMTypeRef want) {
  LLVMValueRef call = c->site->call;
  unsigned w = c->width;
  LLVMTypeRef vty = tangent_vector_type(w, want);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx), i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMValueRef vec = LLVMGetUndef(vty);
  if (c->stride[p]) { /* a block: direction j at base + j * stride */
    LLVMValueRef base = LLVMGetOperand(call, c->extra[p]);
    LLVMValueRef stride = LLVMBuildSExtOrBitCast(m->b, LLVMGetOperand(call, c->stride[p]), i64, "");
    for (unsigned j = 0; j < w; ++j) {
      LLVMValueRef off = LLVMBuildMul(m->b, stride, LLVMConstInt(i64, j, 0), "");
      LLVMValueRef lane = LLVMBuildGEP2(m->b, LLVMInt8TypeInContext(m->ctx), base, &off, 1, "");
      vec = LLVMBuildInsertElement(m->b, vec, lane, LLVMConstInt(i32, j, 0), "");
    }
    return vec;
  }
  for (unsigned j = 0; j < w; ++j) {
    LLVMValueRef x = LLVMGetOperand(call, c->extra[p] + j);
    if (type_is_fp_scalar(want) && LLVMTypeOf(x) != want)
      x = LLVMBuildFPCast(m->b, x, want, "");
    vec = LLVMBuildInsertElement(m->b, vec, x, LLVMConstInt(i32, j, 0), "");
  }
  return vec;
}

int operators_vector_result(ct_module *m, const ct_op_call *c, LLVMValueRef v, LLVMValueRef d, LLVMValueRef *out) {
  const ct_site *s = c->site;
  LLVMValueRef call = s->call;
  LLVMTypeRef cty = LLVMTypeOf(call), dbl = LLVMDoubleTypeInContext(m->ctx);
  unsigned w = c->width;
  *out = NULL;
  if (s->kind == OP_CT_DERIVATIVE_N) {
    if (d) { /* into dresult, or nowhere when it is NULL (a scratch slot in the entry block) */
      LLVMTypeRef vty = LLVMVectorType(dbl, w);
      LLVMBuilderRef eb = LLVMCreateBuilderInContext(m->ctx);
      LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(s->caller)));
      LLVMValueRef scratch = LLVMBuildAlloca(eb, vty, "ct.dresult");
      LLVMDisposeBuilder(eb);
      LLVMValueRef to = LLVMBuildSelect(m->b, LLVMBuildIsNull(m->b, c->pb_out, ""), scratch, c->pb_out, "");
      LLVMSetAlignment(LLVMBuildStore(m->b, LLVMBuildFPCast(m->b, d, vty, ""), to), 8);
    }
    if (type_is_fp_scalar(cty))
      *out = v ? LLVMBuildFPCast(m->b, v, cty, "") : LLVMConstReal(cty, 0.0);
    return 1;
  }
  LLVMValueRef vals[2];
  unsigned n = 0;
  if (c->primal_return && v)
    vals[n++] = v;
  if (!c->const_return && d) { /* the N tangents as an array */
    LLVMTypeRef ety = LLVMGetElementType(LLVMTypeOf(d));
    LLVMValueRef arr = LLVMGetUndef(LLVMArrayType2(ety, w));
    for (unsigned j = 0; j < w; ++j)
      arr = LLVMBuildInsertValue(
          m->b, arr, LLVMBuildExtractElement(m->b, d, LLVMConstInt(LLVMInt32TypeInContext(m->ctx), j, 0), ""), j, "");
    vals[n++] = arr;
  }
  if (!n)
    return 1;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  LLVMTypeRef types[2] = {LLVMTypeOf(vals[0]), n > 1 ? LLVMTypeOf(vals[1]) : NULL};
  unsigned long long need = LLVMABISizeOfType(td, LLVMStructTypeInContext(m->ctx, types, n, 0));
  LLVMTypeRef holder = cty;
  if (c->sret) {
    LLVMAttributeRef a = LLVMGetCallSiteEnumAttribute(call, 1, LLVMGetEnumAttributeKindForName("sret", 4));
    holder = a ? LLVMGetTypeAttributeValue(a) : NULL;
  }
  unsigned long long have = holder && LLVMGetTypeKind(holder) != LLVMVoidTypeKind ? LLVMABISizeOfType(td, holder) : 0;
  if (have < need) {
    operators_error(s,
                    "%s: with enzyme_width %u the result holds %s%u tangents (%llu bytes), but the call's result "
                    "type has %llu bytes: declare it as a struct or array of %u values%s",
                    operator_name(s->kind), w, n > 1 ? "the value and " : "", w, need, have, w + (n > 1),
                    n > 1 ? " (the value first)" : "");
    return 0;
  }
  *out = operators_coerce_results(m, call, c->sret, vals, n);
  return 1;
}
