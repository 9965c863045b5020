/* The tangents of a tangent function's instructions (tangent.h), each
 * built right after the instruction's copy, by what classify.c says its
 * derivative is: a row of the rule table, a phi, a lane or member move, a
 * load or store through a shadow, a memory intrinsic, an allocation or
 * free, a differentiated or custom call (tangent_calls.c). What reverse
 * mode rejects is rejected here with the same messages.
 *
 * The rule table holds adjoint expressions: for a real operation r = f(a,
 * b, ...) the adjoint of operand k is d * df/dk, linear in the seed d, so
 * the same expression with k's tangent as seed is k's part of r's tangent.
 * A complex row's adjoint map A is the transpose of the tangent map T over
 * the real and imaginary parts (<u, v> = Re(conj(u) v)): T(v) =
 * Re(conj(A(1)) v) + i Re(conj(A(i)) v), which holds for every row,
 * holomorphic or not (creal, cabs). */
#include "tangent.h"

#include <stdlib.h>
#include <string.h>

/* The builder after inst's copy. */
static void at_copy(ct_tgen *t, LLVMValueRef inst) {
  LLVMValueRef copy = vmap_get(&t->g.fwd, inst);
  LLVMPositionBuilderBefore(t->g.m->b, LLVMGetNextInstruction(copy));
}

static void set_tangent(ct_tgen *t, LLVMValueRef v, LLVMValueRef d) {
  if (d)
    vmap_set(&t->tangent, v, d);
}

/* ---- rules ---- */

/* The type a row's expressions compute in for operand `arg`: its own (real
 * rows), its parts' (complex rows). */
static LLVMTypeRef part_type(const ct_rule *rule, LLVMValueRef arg) {
  LLVMTypeRef ty = LLVMTypeOf(arg);
  switch (rule->complex && rules_is_complex_type(ty) ? LLVMGetTypeKind(ty) : LLVMVoidTypeKind) {
  case LLVMStructTypeKind: return LLVMStructGetTypeAtIndex(ty, 0);
  case LLVMArrayTypeKind:
  case LLVMVectorTypeKind: return LLVMGetElementType(ty);
  default: return ty;
  }
}

/* x where the tangent is nonzero, else 0 (a zero tangent contributes zero
 * even where a partial derivative is infinite: sqrt at 0, log at 0). */
static LLVMValueRef guard_zero(LLVMBuilderRef b, LLVMValueRef is_zero, LLVMValueRef x) {
  return x ? LLVMBuildSelect(b, is_zero, LLVMConstNull(LLVMTypeOf(x)), x, "") : NULL;
}

/* Real row: operand k's part of the result's tangent, its tangent dv as the
 * seed (converted to the result's type: fpext, fptrunc). */
static LLVMValueRef real_term(ct_tgen *t, LLVMValueRef inst, const ct_rule *rule, unsigned k, LLVMValueRef dv,
                              const ct_rule_value *ops, ct_rule_value result) {
  ct_module *m = t->g.m;
  ct_rule_value seed = {dv, NULL};
  ct_rule_value c = rules_emit(m, rule->adjoint[k], LLVMTypeOf(dv), ops, rule->noperands, result, seed);
  if (!c.re)
    return NULL;
  if (rules_may_be_singular(rule->adjoint[k]))
    c.re = guard_zero(m->b, LLVMBuildFCmp(m->b, LLVMRealOEQ, dv, LLVMConstNull(LLVMTypeOf(dv)), ""), c.re);
  if (LLVMTypeOf(c.re) != LLVMTypeOf(inst))
    c.re = LLVMBuildFPCast(m->b, c.re, LLVMTypeOf(inst), "");
  return c.re;
}

/* Re(conj(a) v) for a complex (or real) a and complex v. */
static LLVMValueRef real_inner(LLVMBuilderRef b, ct_rule_value a, ct_rule_value v) {
  LLVMValueRef x = LLVMBuildFMul(b, a.re, v.re, "");
  return a.im ? LLVMBuildFAdd(b, x, LLVMBuildFMul(b, a.im, v.im, ""), "") : x;
}

/* Complex row: operand k's part (re, and im when the result is complex) of
 * the result's tangent, v the operand's tangent (its parts, of type ty). */
static int complex_term(ct_tgen *t, const ct_rule *rule, unsigned k, ct_rule_value v, LLVMTypeRef ty,
                        int complex_result, const ct_rule_value *ops, ct_rule_value result, ct_rule_value *out) {
  ct_module *m = t->g.m;
  LLVMBuilderRef b = m->b;
  ct_rule_value one = {LLVMConstReal(ty, 1.0), NULL}, unit_i = {LLVMConstReal(ty, 0.0), LLVMConstReal(ty, 1.0)};
  ct_rule_value a1 = rules_emit(m, rule->adjoint[k], ty, ops, rule->noperands, result, one);
  ct_rule_value ai = complex_result ? rules_emit(m, rule->adjoint[k], ty, ops, rule->noperands, result, unit_i)
                                    : (ct_rule_value){NULL, NULL};
  if (!a1.re || (complex_result && !ai.re))
    return 0;
  if (!v.im)
    v.im = LLVMConstNull(ty);
  out->re = real_inner(b, a1, v);
  out->im = complex_result ? real_inner(b, ai, v) : NULL;
  if (rules_may_be_singular(rule->adjoint[k])) {
    LLVMValueRef zero = LLVMConstNull(ty);
    LLVMValueRef is_zero = LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, v.re, zero, ""),
                                        LLVMBuildFCmp(b, LLVMRealOEQ, v.im, zero, ""), "");
    out->re = guard_zero(b, is_zero, out->re);
    out->im = guard_zero(b, is_zero, out->im);
  }
  return 1;
}

/* A complex number as a value of type `ty` ({T, T}, [2 x T] or <2 x T>). */
static LLVMValueRef complex_whole(ct_module *m, LLVMTypeRef ty, LLVMValueRef re, LLVMValueRef im) {
  LLVMValueRef v = LLVMGetUndef(ty), parts[2] = {re, im};
  for (unsigned i = 0; i < 2; ++i)
    v = LLVMGetTypeKind(ty) == LLVMVectorTypeKind
            ? LLVMBuildInsertElement(m->b, v, parts[i], LLVMConstInt(LLVMInt32TypeInContext(m->ctx), i, 0), "")
            : LLVMBuildInsertValue(m->b, v, parts[i], i, "");
  return v;
}

/* Operand k's tangent as a row value: one real, or a complex number's two
 * parts (passed whole or as two arguments). */
static ct_rule_value operand_tangent(ct_tgen *t, LLVMValueRef inst, const ct_rule *rule, unsigned first,
                                     unsigned nargs) {
  LLVMValueRef v[2] = {tangent_of(t, LLVMGetOperand(inst, first)), NULL};
  if (nargs == 2)
    v[1] = tangent_of(t, LLVMGetOperand(inst, first + 1));
  return rules_value(rule, t->g.m->b, v, nargs);
}

static void tangent_rule(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  const ct_rule *rule = classify_rule(inst);
  ct_rule_operands ops;
  if (!classify_rule_operands(g, inst, rule, &ops)) {
    gen_fail(g, inst, "passes a complex number in a way Cotangent does not differentiate",
             "pass double or float complex numbers");
    return;
  }
  ct_rule_value operands[RULE_MAX_OPERANDS] = {{0}}, result = {0};
  for (unsigned i = 0; i < rule->noperands; ++i) {
    LLVMValueRef v[2] = {NULL, NULL};
    for (unsigned j = 0; ops.uses[i] && j < ops.nargs[i]; ++j)
      v[j] = tangent_primal(t, LLVMGetOperand(inst, ops.first[i] + j));
    if (v[0])
      operands[i] = rules_value(rule, b, v, ops.nargs[i]);
  }
  if (ops.uses[RULE_MAX_OPERANDS]) {
    LLVMValueRef r = tangent_primal(t, inst);
    result = rules_value(rule, b, &r, 1);
  }
  int complex_result = rule->complex && rules_is_complex_type(LLVMTypeOf(inst));
  LLVMValueRef sum = NULL, sum_im = NULL;
  for (unsigned k = 0; k < rule->noperands; ++k) {
    if (!rule->adjoint[k] || !ops.active[k])
      continue;
    ct_rule_value c = {NULL, NULL};
    if (rule->complex) {
      LLVMTypeRef ty = part_type(rule, LLVMGetOperand(inst, ops.first[k]));
      ct_rule_value v = operand_tangent(t, inst, rule, ops.first[k], ops.nargs[k]);
      if (!complex_term(t, rule, k, v, ty, complex_result, operands, result, &c))
        c.re = NULL;
    } else {
      c.re = real_term(t, inst, rule, k, tangent_of(t, LLVMGetOperand(inst, ops.first[k])), operands, result);
    }
    if (!c.re) {
      gen_fail(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    sum = sum ? LLVMBuildFAdd(b, sum, c.re, "") : c.re;
    if (c.im)
      sum_im = sum_im ? LLVMBuildFAdd(b, sum_im, c.im, "") : c.im;
  }
  if (sum && complex_result)
    sum = complex_whole(g->m, LLVMTypeOf(inst), sum, sum_im ? sum_im : LLVMConstNull(LLVMTypeOf(sum)));
  set_tangent(t, inst, sum);
}

/* ---- lane and member moves ---- */

static LLVMValueRef shuffle_mask(ct_module *m, LLVMValueRef inst) {
  unsigned n = LLVMGetNumMaskElements(inst);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMValueRef *lanes = malloc((n ? n : 1) * sizeof *lanes);
  for (unsigned j = 0; j < n; ++j) {
    int k = LLVMGetMaskValue(inst, j);
    lanes[j] = k == LLVMGetUndefMaskElem() ? LLVMGetPoison(i32) : LLVMConstInt(i32, (unsigned)k, 0);
  }
  LLVMValueRef mask = LLVMConstVector(lanes, n);
  free(lanes);
  return mask;
}

static LLVMValueRef insert_at_path(LLVMBuilderRef b, LLVMValueRef agg, LLVMValueRef v, const unsigned *path,
                                   unsigned n) {
  if (n == 1)
    return LLVMBuildInsertValue(b, agg, v, path[0], "");
  LLVMValueRef inner = LLVMBuildExtractValue(b, agg, path[0], "");
  return LLVMBuildInsertValue(b, agg, insert_at_path(b, inner, v, path + 1, n - 1), path[0], "");
}

/* llvm.vector.reduce.fadd(start, v) at the builder. */
static LLVMValueRef reduce_fadd(ct_module *m, LLVMValueRef start, LLVMValueRef v) {
  const char *name = "llvm.vector.reduce.fadd";
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMTypeRef vty = LLVMTypeOf(v);
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m->mod, id, &vty, 1);
  LLVMValueRef args[2] = {start, v};
  return LLVMBuildCall2(m->b, LLVMIntrinsicGetType(m->ctx, id, &vty, 1), fn, args, 2, "");
}

/* A vector reduction: fadd is linear in its operands (the same call on the
 * tangents, with its flags); fmax/fmin's tangent comes from the lanes
 * equal to the result (all of them at a tie, as the reverse gives each the
 * adjoint). */
static LLVMValueRef tangent_reduction(ct_tgen *t, LLVMValueRef inst) {
  ct_module *m = t->g.m;
  LLVMValueRef copy = tangent_primal(t, inst);
  if (LLVMGetNumArgOperands(inst) == 2) {
    LLVMValueRef d = LLVMInstructionClone(copy);
    LLVMInsertIntoBuilder(m->b, d);
    LLVMSetOperand(d, 0, tangent_of(t, LLVMGetOperand(inst, 0)));
    LLVMSetOperand(d, 1, tangent_of(t, LLVMGetOperand(inst, 1)));
    return d;
  }
  LLVMValueRef v = LLVMGetOperand(inst, 0);
  LLVMTypeRef vty = LLVMTypeOf(v);
  LLVMValueRef splat = LLVMGetUndef(vty);
  for (unsigned j = 0; j < LLVMGetVectorSize(vty); ++j)
    splat = LLVMBuildInsertElement(m->b, splat, copy, LLVMConstInt(LLVMInt32TypeInContext(m->ctx), j, 0), "");
  LLVMValueRef at = LLVMBuildFCmp(m->b, LLVMRealOEQ, tangent_primal(t, v), splat, "");
  LLVMValueRef lanes = LLVMBuildSelect(m->b, at, tangent_of(t, v), LLVMConstNull(vty), "");
  return reduce_fadd(m, LLVMConstReal(LLVMTypeOf(inst), -0.0), lanes);
}

static void tangent_lanes(ct_tgen *t, LLVMValueRef inst) {
  LLVMBuilderRef b = t->g.m->b;
  LLVMValueRef d = NULL;
  switch (LLVMIsACallInst(inst) ? LLVMCall : LLVMGetInstructionOpcode(inst)) {
  case LLVMExtractElement:
    d = LLVMBuildExtractElement(b, tangent_of(t, LLVMGetOperand(inst, 0)), tangent_primal(t, LLVMGetOperand(inst, 1)),
                                "");
    break;
  case LLVMInsertElement:
    d = LLVMBuildInsertElement(b, tangent_of(t, LLVMGetOperand(inst, 0)), tangent_of(t, LLVMGetOperand(inst, 1)),
                               tangent_primal(t, LLVMGetOperand(inst, 2)), "");
    break;
  case LLVMShuffleVector:
    d = LLVMBuildShuffleVector(b, tangent_of(t, LLVMGetOperand(inst, 0)), tangent_of(t, LLVMGetOperand(inst, 1)),
                               shuffle_mask(t->g.m, inst), "");
    break;
  case LLVMExtractValue: {
    d = tangent_of(t, LLVMGetOperand(inst, 0));
    const unsigned *path = LLVMGetIndices(inst);
    for (unsigned i = 0; i < LLVMGetNumIndices(inst); ++i)
      d = LLVMBuildExtractValue(b, d, path[i], "");
    break;
  }
  case LLVMInsertValue:
    d = insert_at_path(b, tangent_of(t, LLVMGetOperand(inst, 0)), tangent_of(t, LLVMGetOperand(inst, 1)),
                       LLVMGetIndices(inst), LLVMGetNumIndices(inst));
    break;
  default:
    d = tangent_reduction(t, inst);
    break;
  }
  set_tangent(t, inst, d);
}

/* ---- memory ---- */

/* The shadow of ptr in the tangent function; reports (NULL) when it has
 * none. */
static LLVMValueRef shadow_of(ct_tgen *t, LLVMValueRef inst, LLVMValueRef ptr) {
  LLVMValueRef s = vmap_get(&t->g.shadow, ptr);
  if (!s)
    gen_fail(&t->g, inst, "accesses differentiable memory through a pointer Cotangent has no shadow for",
             "pass every pointer to differentiable data with a shadow");
  return s;
}

/* Is sp, ptr's shadow, possibly ptr itself (a pointer to constant data
 * stored into shadowed memory, read back: stored_pointers.c)? Then the
 * i1 telling so, else NULL. */
static LLVMValueRef self_shadow(ct_tgen *t, LLVMValueRef ptr, LLVMValueRef sp) {
  if (!stored_pointers_maybe_self(&t->g, ptr))
    return NULL;
  return LLVMBuildICmp(t->g.m->b, LLVMIntEQ, sp, tangent_primal(t, ptr), "ct.self_shadow");
}

static void tangent_load(ct_tgen *t, LLVMValueRef inst) {
  LLVMBuilderRef b = t->g.m->b;
  LLVMValueRef ptr = LLVMGetOperand(inst, 0), sp = shadow_of(t, inst, ptr);
  if (!sp)
    return;
  LLVMValueRef d = LLVMBuildLoad2(b, LLVMTypeOf(inst), sp, "");
  LLVMSetAlignment(d, LLVMGetAlignment(inst));
  scopes_tag_shadow(&t->g, d, ptr);
  LLVMValueRef self = self_shadow(t, ptr, sp);
  if (self) /* constant data: no tangent */
    d = LLVMBuildSelect(b, self, LLVMConstNull(LLVMTypeOf(inst)), d, "");
  set_tangent(t, inst, d);
}

static void tangent_store(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1), sp = shadow_of(t, inst, ptr);
  if (!sp)
    return;
  LLVMValueRef self = self_shadow(t, ptr, sp);
  if (self) /* constant data: the tangent goes nowhere */
    sp = LLVMBuildSelect(g->m->b, self, LLVMBuildAlloca(g->ab, LLVMTypeOf(val), "ct.discard"), sp, "");
  LLVMValueRef st = LLVMBuildStore(g->m->b, tangent_of(t, val), sp);
  LLVMSetAlignment(st, LLVMGetAlignment(inst));
  scopes_tag_shadow(g, st, ptr);
}

/* memset clears the tangents; memcpy/memmove copy them (zeros from memory
 * without a shadow). Copies of memory holding pointers moved their shadows
 * with the shadows already (forward.c). */
static void tangent_copy(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  const char *mem = ir_mem_intrinsic(inst);
  LLVMValueRef dst = LLVMGetOperand(inst, 0), sdst = shadow_of(t, inst, dst);
  LLVMValueRef len = tangent_primal(t, LLVMGetOperand(inst, 2));
  if (!sdst)
    return;
  LLVMValueRef ssrc = strcmp(mem, "memset") ? vmap_get(&g->shadow, LLVMGetOperand(inst, 1)) : NULL;
  if (strcmp(mem, "memset") && stored_pointers_copies_pointers(g, inst)) {
    stored_pointers_check_copy(g, inst);
    return;
  }
  if (!ssrc)
    LLVMBuildMemSet(b, sdst, LLVMConstInt(LLVMInt8TypeInContext(g->m->ctx), 0, 0), len, 1);
  else if (!strcmp(mem, "memcpy"))
    LLVMBuildMemCpy(b, sdst, 1, ssrc, 1, len);
  else
    LLVMBuildMemMove(b, sdst, 1, ssrc, 1, len);
}

static LLVMValueRef masked_call(ct_gen *g, const char *name, LLVMTypeRef vty, LLVMValueRef *args, unsigned n) {
  LLVMTypeRef types[2] = {vty, g->ptr_ty};
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m->mod, id, types, 2);
  return LLVMBuildCall2(g->m->b, LLVMIntrinsicGetType(g->m->ctx, id, types, 2), fn, args, n, "");
}

/* Masked vector loads (ptr, align, mask, passthru) and stores (value, ptr,
 * align, mask): the same on the shadow, lane by lane. */
static void tangent_masked(ct_tgen *t, LLVMValueRef inst, int load) {
  ct_gen *g = &t->g;
  LLVMValueRef ptr = LLVMGetOperand(inst, load ? 0 : 1), sp = shadow_of(t, inst, ptr);
  if (!sp)
    return;
  if (load) {
    LLVMValueRef args[4] = {sp, LLVMGetOperand(inst, 1), tangent_primal(t, LLVMGetOperand(inst, 2)),
                            tangent_of(t, LLVMGetOperand(inst, 3))};
    set_tangent(t, inst, masked_call(g, "llvm.masked.load", LLVMTypeOf(inst), args, 4));
    return;
  }
  LLVMValueRef val = LLVMGetOperand(inst, 0);
  LLVMValueRef args[4] = {tangent_of(t, val), sp, LLVMGetOperand(inst, 2), tangent_primal(t, LLVMGetOperand(inst, 3))};
  masked_call(g, "llvm.masked.store", LLVMTypeOf(val), args, 4);
}

/* An atomic add (or subtract) into shadowed memory: the same on the
 * shadow with the tangent. */
static void tangent_atomic_add(ct_tgen *t, LLVMValueRef inst) {
  LLVMValueRef ptr = LLVMGetOperand(inst, 0), val = LLVMGetOperand(inst, 1), sp = shadow_of(t, inst, ptr);
  if (!sp || !adjoint_has(&t->g, val))
    return;
  LLVMBuildAtomicRMW(t->g.m->b, LLVMGetAtomicRMWBinOp(inst), sp, tangent_of(t, val), LLVMGetOrdering(inst),
                     LLVMIsAtomicSingleThread(inst));
}

/* free(p) (or a user's deallocator): p's shadow goes too, unless it is p
 * itself (constant data stored in shadowed memory) or p has none. */
static void free_shadow(ct_tgen *t, LLVMValueRef p, LLVMValueRef shadow) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef fp = tangent_primal(t, p);
  if (LLVMTypeOf(shadow) != g->ptr_ty || LLVMTypeOf(fp) != g->ptr_ty)
    return;
  LLVMValueRef own = LLVMBuildICmp(b, LLVMIntNE, shadow, fp, "");
  LLVMValueRef arg = LLVMBuildSelect(b, own, shadow, LLVMConstNull(g->ptr_ty), "");
  LLVMTypeRef pty = g->ptr_ty;
  ir_build_call(b, g->m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), &pty, 1, 0), &arg, 1, "");
}

/* realloc: the new shadow holds the old one's contents (heap.c); the old
 * shadow is released once the block moved. */
static void tangent_realloc(ct_tgen *t, LLVMValueRef inst) {
  ct_alloc_info info;
  if (!alloc_call_info(inst, &info) || info.old < 0)
    return;
  LLVMValueRef old = LLVMGetOperand(inst, (unsigned)info.old), sold = vmap_get(&t->g.shadow, old);
  if (!sold || LLVMIsAConstantPointerNull(sold))
    return;
  LLVMBuilderRef b = t->g.m->b;
  LLVMValueRef moved = LLVMBuildIsNotNull(b, tangent_primal(t, inst), "");
  free_shadow(t, old, LLVMBuildSelect(b, moved, sold, LLVMConstNull(t->g.ptr_ty), ""));
}

/* ---- one instruction ---- */

static void tangent_instruction(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  if (LLVMIsATerminatorInst(inst))
    return; /* branches and returns carry no values (returns: tangent.c) */
  ct_rev_kind kind = classify(g, inst);
  if (LLVMIsAPHINode(inst)) {
    if (kind == REV_PHI) { /* its incoming tangents come last (close_phis) */
      LLVMPositionBuilderBefore(g->m->b, vmap_get(&g->fwd, inst));
      LLVMValueRef phi = LLVMBuildPhi(g->m->b, tangent_type_of(t, LLVMTypeOf(inst)), "tangent");
      vmap_set(&t->phis, inst, phi);
      set_tangent(t, inst, phi);
    }
    return;
  }
  if (!vmap_get(&g->fwd, inst)) { /* no copy in the tangent function */
    if (kind == REV_NONE)
      return; /* nothing to differentiate, nothing uses it there */
    gen_fail(g, inst, "has no copy in the tangent function (internal error; please report)",
             "differentiate it in reverse mode (ct_gradient)");
    return;
  }
  at_copy(t, inst);
  if (g->spec->width && tangent_vector_instruction(t, inst, kind))
    return; /* N directions: tangent_vector.c */
  switch (kind) {
  case REV_RULE: tangent_rule(t, inst); break;
  case REV_PASS: set_tangent(t, inst, tangent_of(t, LLVMGetOperand(inst, 0))); break;
  case REV_LANES: tangent_lanes(t, inst); break;
  case REV_LOAD: tangent_load(t, inst); break;
  case REV_STORE: tangent_store(t, inst); break;
  case REV_MEMSET:
  case REV_MEMCPY: tangent_copy(t, inst); break;
  case REV_MASKED_LOAD: tangent_masked(t, inst, 1); break;
  case REV_MASKED_STORE: tangent_masked(t, inst, 0); break;
  case REV_ATOMIC_ADD: tangent_atomic_add(t, inst); break;
  case REV_ALLOC: tangent_realloc(t, inst); break;
  case REV_CALL: tangent_call(t, inst); break;
  case REV_CUSTOM: tangent_custom(t, inst); break;
  case REV_OMP_FORK: tangent_omp_fork(t, inst); break;
  case REV_OMP_SYNC: /* critical sections and barriers: the copy runs them */
    if (LLVMIsAAtomicRMWInst(inst))
      tangent_atomic_add(t, inst);
    break;
  case REV_UNSUPPORTED: classify_report_unsupported(g, inst); break;
  default: {
    LLVMValueRef freed = alloc_freed_pointer(inst);
    LLVMValueRef shadow = freed ? vmap_get(&g->shadow, freed) : NULL;
    if (shadow && vmap_get(&g->fwd, inst))
      free_shadow(t, freed, shadow);
    break;
  }
  }
}

/* The incoming tangents of the tangent phis (each defined where its
 * primal value is, which dominates the edge). */
static void close_phis(ct_tgen *t) {
  for (size_t i = 0; i < t->phis.cap; ++i) {
    LLVMValueRef inst = t->phis.keys[i], phi = inst ? t->phis.vals[i] : NULL;
    if (!phi)
      continue;
    unsigned n = LLVMCountIncoming(inst);
    for (unsigned k = 0; k < n; ++k) {
      LLVMValueRef d = tangent_of(t, LLVMGetIncomingValue(inst, k));
      LLVMBasicBlockRef from =
          LLVMValueAsBasicBlock(vmap_get(&t->g.fwd, LLVMBasicBlockAsValue(LLVMGetIncomingBlock(inst, k))));
      LLVMAddIncoming(phi, &d, &from, 1);
    }
  }
}

/* The primal's blocks in reverse post-order (a block after its
 * dominators), then any the entry does not reach. */
static LLVMBasicBlockRef *block_order(ct_gen *g) {
  unsigned n = g->nblocks, nout = 0, depth = 0;
  LLVMBasicBlockRef *out = malloc((n ? n : 1) * sizeof *out), *stack = malloc((n ? n : 1) * sizeof *stack);
  unsigned *next = calloc(n ? n : 1, sizeof *next);
  unsigned char *seen = calloc(n ? n : 1, 1);
  stack[depth++] = g->blocks[0].bb;
  seen[0] = 1;
  while (depth) { /* post-order, iteratively: out holds it reversed */
    LLVMBasicBlockRef bb = stack[depth - 1];
    unsigned i = (unsigned)(cfg_block_of(g, bb) - g->blocks);
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    unsigned nsucc = term ? LLVMGetNumSuccessors(term) : 0;
    if (next[i] < nsucc) {
      LLVMBasicBlockRef s = LLVMGetSuccessor(term, next[i]++);
      unsigned j = (unsigned)(cfg_block_of(g, s) - g->blocks);
      if (!seen[j]) {
        seen[j] = 1;
        stack[depth++] = s;
      }
      continue;
    }
    out[n - 1 - nout++] = bb;
    --depth;
  }
  /* unreached blocks go last, in layout order (nout of n are placed) */
  unsigned rest = 0;
  for (unsigned i = 0; i < n; ++i)
    if (!seen[i])
      stack[rest++] = g->blocks[i].bb;
  memmove(out, out + (n - nout), nout * sizeof *out);
  memcpy(out + nout, stack, rest * sizeof *out);
  free(stack);
  free(next);
  free(seen);
  return out;
}

void tangent_instructions(ct_tgen *t) {
  ct_gen *g = &t->g;
  LLVMBasicBlockRef *order = block_order(g);
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i) {
    LLVMValueRef inst = LLVMGetFirstInstruction(order[i]);
    while (inst && !g->failed) {
      LLVMValueRef next = LLVMGetNextInstruction(inst);
      tangent_instruction(t, inst);
      inst = next;
    }
  }
  free(order);
  if (!g->failed)
    close_phis(t);
}
