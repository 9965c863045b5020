/* The reverse emitter: the reverse part of a gradient, one reverse block
 * per primal block (the driver, gradient.c, chains them in the reverse
 * order of the forward path).
 *
 * A reverse block takes the values its reverse needs from where the
 * forward part left them (its record on the tape or in a stack slot,
 * values taped at a loop's exit, recomputed values: plan.c decided which),
 * then propagates adjoints through the block's active instructions in
 * reverse order, one helper per kind of instruction (classify.c): the rule
 * table's expressions (rules.c), lane and member moves, loads and stores
 * through shadows, memory intrinsics, allocations, differentiated calls
 * (the callee's reverse with this execution's tape), custom derivatives,
 * OpenMP (omp.c) and GPU barriers (gpu.c). Last it moves the phi adjoints
 * along the edge the forward path came from and continues in that
 * predecessor's reverse block. */
#include "blas.h"
#include "gen.h"
#include "mpi.h"
#include "release.h"

#include <stdlib.h>
#include <string.h>

/* The adjoint `c` of a rule's operand made of `n` call arguments from
 * `first` on: a real, a complex number passed whole, or its two parts. */
static void add_operand_adjoint(ct_gen *g, LLVMValueRef inst, unsigned first, unsigned n, ct_rule_value c) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef arg = LLVMGetOperand(inst, first);
  LLVMTypeRef ty = LLVMTypeOf(arg);
  if (n == 2 || LLVMTypeOf(c.re) == ty) { /* parts, or a real */
    for (unsigned j = 0; j < n; ++j)
      if (adjoint_has(g, LLVMGetOperand(inst, first + j)))
        adjoint_add(g, LLVMGetOperand(inst, first + j), j ? (c.im ? c.im : LLVMConstNull(LLVMTypeOf(c.re))) : c.re);
    return;
  }
  LLVMValueRef v = LLVMConstNull(ty);
  for (unsigned i = 0; i < 2; ++i) {
    LLVMValueRef p = i ? (c.im ? c.im : LLVMConstNull(LLVMTypeOf(c.re))) : c.re;
    v = LLVMGetTypeKind(ty) == LLVMVectorTypeKind ? LLVMBuildInsertElement(b, v, p, LLVMConstInt(g->i32_ty, i, 0), "")
                                                  : LLVMBuildInsertValue(b, v, p, i, "");
  }
  if (adjoint_has(g, arg))
    adjoint_add(g, arg, v);
}

/* The type the expressions of operand k compute in: the operand's (real
 * rows; fpext/fptrunc convert the seed first), the parts' (complex rows). */
static LLVMTypeRef rule_type(const ct_rule *rule, LLVMValueRef arg) {
  LLVMTypeRef t = LLVMTypeOf(arg);
  switch (rule->complex && rules_is_complex_type(t) ? LLVMGetTypeKind(t) : LLVMVoidTypeKind) {
  case LLVMStructTypeKind: return LLVMStructGetTypeAtIndex(t, 0);
  case LLVMArrayTypeKind:
  case LLVMVectorTypeKind: return LLVMGetElementType(t);
  default: return t;
  }
}

static void reverse_rule(ct_gen *g, LLVMValueRef inst, LLVMValueRef d) {
  const ct_rule *rule = classify_rule(inst);
  LLVMBuilderRef b = g->m->b;
  unsigned nops = rule->noperands;
  ct_rule_operands ops;
  if (!classify_rule_operands(g, inst, rule, &ops)) {
    /* long double _Complex goes in memory (byval): no row names such a
       function, but a row must never drop an operand silently */
    gen_fail(g, inst, "passes a complex number in a way Cotangent does not differentiate",
             "pass double or float complex numbers");
    return;
  }
  /* the primal values the expressions use (planned: plan_rule) */
  ct_rule_value operands[RULE_MAX_OPERANDS] = {{0}}, result = {0};
  for (unsigned i = 0; i < nops; ++i) {
    LLVMValueRef v[2] = {NULL, NULL};
    for (unsigned j = 0; ops.uses[i] && j < ops.nargs[i]; ++j)
      v[j] = rev_value(g, LLVMGetOperand(inst, ops.first[i] + j));
    if (v[0])
      operands[i] = rules_value(rule, b, v, ops.nargs[i]);
  }
  if (ops.uses[RULE_MAX_OPERANDS]) {
    LLVMValueRef r = rev_value(g, inst);
    result = rules_value(rule, b, &r, 1);
  }
  for (unsigned i = 0; i < nops; ++i) {
    if (!rule->adjoint[i] || !ops.active[i])
      continue;
    LLVMTypeRef ty = rule_type(rule, LLVMGetOperand(inst, ops.first[i]));
    LLVMValueRef dv = rule->complex || LLVMTypeOf(d) == ty ? d : LLVMBuildFPCast(b, d, ty, "");
    ct_rule_value seed = rules_value(rule, b, &dv, 1);
    ct_rule_value c = rules_emit(g->m, rule->adjoint[i], ty, operands, nops, result, seed);
    if (!c.re) {
      gen_fail(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    if (rules_may_be_singular(rule->adjoint[i])) {
      /* a zero seed contributes zero, even where the partial derivative is
         infinite (cbrt or sqrt at 0, log at 0, ...): not 0 * inf = NaN */
      LLVMValueRef zero = LLVMConstNull(ty);
      LLVMValueRef is_zero = LLVMBuildFCmp(b, LLVMRealOEQ, seed.re, zero, "");
      if (seed.im)
        is_zero = LLVMBuildAnd(b, is_zero, LLVMBuildFCmp(b, LLVMRealOEQ, seed.im, zero, ""), "");
      c.re = LLVMBuildSelect(b, is_zero, zero, c.re, "");
      if (c.im)
        c.im = LLVMBuildSelect(b, is_zero, zero, c.im, "");
    }
    add_operand_adjoint(g, inst, ops.first[i], ops.nargs[i], c);
  }
}

/* insertvalue/extractvalue along a member path of any depth. */
static LLVMValueRef insert_at_path(LLVMBuilderRef b, LLVMValueRef agg, LLVMValueRef v, const unsigned *path,
                                   unsigned n) {
  if (n == 1)
    return LLVMBuildInsertValue(b, agg, v, path[0], "");
  LLVMValueRef inner = LLVMBuildExtractValue(b, agg, path[0], "");
  return LLVMBuildInsertValue(b, agg, insert_at_path(b, inner, v, path + 1, n - 1), path[0], "");
}

static LLVMValueRef extract_at_path(LLVMBuilderRef b, LLVMValueRef agg, const unsigned *path, unsigned n) {
  for (unsigned i = 0; i < n; ++i)
    agg = LLVMBuildExtractValue(b, agg, path[i], "");
  return agg;
}

/* Adjoints of lane and member moves: the adjoint goes back to where each
 * lane or member came from. */
static void reverse_lanes(ct_gen *g, LLVMValueRef inst, LLVMValueRef d) {
  LLVMBuilderRef b = g->m->b;
  switch (LLVMGetInstructionOpcode(inst)) {
  case LLVMExtractElement: {
    LLVMValueRef v = LLVMGetOperand(inst, 0);
    LLVMValueRef z = LLVMConstNull(LLVMTypeOf(v));
    adjoint_add(g, v, LLVMBuildInsertElement(b, z, d, rev_value(g, LLVMGetOperand(inst, 1)), ""));
    return;
  }
  case LLVMInsertElement: {
    LLVMValueRef v = LLVMGetOperand(inst, 0), x = LLVMGetOperand(inst, 1);
    LLVMValueRef idx = rev_value(g, LLVMGetOperand(inst, 2));
    adjoint_add(g, x, LLVMBuildExtractElement(b, d, idx, ""));
    adjoint_add(g, v, LLVMBuildInsertElement(b, d, LLVMConstNull(LLVMTypeOf(x)), idx, ""));
    return;
  }
  case LLVMShuffleVector: {
    LLVMValueRef a = LLVMGetOperand(inst, 0), c = LLVMGetOperand(inst, 1);
    unsigned na = LLVMGetVectorSize(LLVMTypeOf(a));
    unsigned n = LLVMGetNumMaskElements(inst);
    LLVMValueRef da = LLVMConstNull(LLVMTypeOf(a)), dc = LLVMConstNull(LLVMTypeOf(c));
    LLVMTypeRef i32 = g->i32_ty;
    for (unsigned j = 0; j < n; ++j) {
      int m = LLVMGetMaskValue(inst, j);
      if (m < 0)
        continue;
      LLVMValueRef lane = LLVMBuildExtractElement(b, d, LLVMConstInt(i32, j, 0), "");
      LLVMValueRef *acc = (unsigned)m < na ? &da : &dc;
      LLVMValueRef at = LLVMConstInt(i32, (unsigned)m < na ? (unsigned)m : (unsigned)m - na, 0);
      LLVMValueRef old = LLVMBuildExtractElement(b, *acc, at, "");
      *acc = LLVMBuildInsertElement(b, *acc, LLVMBuildFAdd(b, old, lane, ""), at, "");
    }
    adjoint_add(g, a, da);
    adjoint_add(g, c, dc);
    return;
  }
  case LLVMExtractValue: {
    LLVMValueRef agg = LLVMGetOperand(inst, 0);
    const unsigned *path = LLVMGetIndices(inst);
    unsigned n = LLVMGetNumIndices(inst);
    adjoint_add(g, agg, insert_at_path(b, LLVMConstNull(LLVMTypeOf(agg)), d, path, n));
    return;
  }
  case LLVMInsertValue: {
    LLVMValueRef agg = LLVMGetOperand(inst, 0), x = LLVMGetOperand(inst, 1);
    const unsigned *path = LLVMGetIndices(inst);
    unsigned n = LLVMGetNumIndices(inst);
    if (adjoint_has(g, x))
      adjoint_add(g, x, extract_at_path(b, d, path, n));
    adjoint_add(g, agg, insert_at_path(b, d, LLVMConstNull(LLVMTypeOf(x)), path, n));
    return;
  }
  default:
    break;
  }
  size_t len = 0;
  const char *name = LLVMGetValueName2(LLVMGetCalledValue(inst), &len);
  if (len > 24 && strncmp(name, "llvm.vector.reduce.fadd.", 24) != 0) {
    /* fmax/fmin reductions: the adjoint goes to the lanes holding the
       result */
    LLVMValueRef v = LLVMGetOperand(inst, 0);
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
    LLVMValueRef r = rev_value(g, inst);
    LLVMValueRef splat_r = LLVMConstNull(LLVMTypeOf(v)), splat_d = LLVMConstNull(LLVMTypeOf(v));
    for (unsigned j = 0; j < n; ++j) {
      splat_r = LLVMBuildInsertElement(b, splat_r, r, LLVMConstInt(g->i32_ty, j, 0), "");
      splat_d = LLVMBuildInsertElement(b, splat_d, d, LLVMConstInt(g->i32_ty, j, 0), "");
    }
    LLVMValueRef mask = LLVMBuildFCmp(b, LLVMRealOEQ, rev_value(g, v), splat_r, "");
    adjoint_add(g, v, LLVMBuildSelect(b, mask, splat_d, LLVMConstNull(LLVMTypeOf(v)), ""));
    return;
  }
  /* llvm.vector.reduce.fadd(start, v) */
  LLVMValueRef start = LLVMGetOperand(inst, 0), v = LLVMGetOperand(inst, 1);
  adjoint_add(g, start, d);
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
  LLVMValueRef splat = LLVMConstNull(LLVMTypeOf(v));
  for (unsigned j = 0; j < n; ++j)
    splat = LLVMBuildInsertElement(b, splat, d, LLVMConstInt(g->i32_ty, j, 0), "");
  adjoint_add(g, v, splat);
}

static LLVMValueRef masked_call(ct_gen *g, const char *name, LLVMTypeRef vty, LLVMValueRef *args, unsigned n) {
  LLVMTypeRef types[2] = {vty, g->ptr_ty};
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m->mod, id, types, 2);
  return LLVMBuildCall2(g->m->b, LLVMIntrinsicGetType(g->m->ctx, id, types, 2), fn, args, n, "");
}

/* Masked vector loads and stores: like loads and stores, lane by lane. */
static void reverse_masked(ct_gen *g, LLVMValueRef inst, ct_rev_kind kind) {
  LLVMBuilderRef b = g->m->b;
  if (kind == REV_MASKED_LOAD && gpu_needs_atomic(g, LLVMGetOperand(inst, 0))) {
    gen_fail(g, inst, "loads shared memory inside a parallel region", "use plain loads there");
    return;
  }
  if (kind == REV_MASKED_LOAD) { /* (ptr, align, mask, passthru) */
    LLVMValueRef d = adjoint_take(g, inst);
    LLVMTypeRef vty = LLVMTypeOf(inst);
    LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0)), mask = rev_value(g, LLVMGetOperand(inst, 2));
    LLVMValueRef align = LLVMGetOperand(inst, 1);
    LLVMValueRef largs[4] = {sp, align, mask, LLVMConstNull(vty)};
    LLVMValueRef old = masked_call(g, "llvm.masked.load", vty, largs, 4);
    LLVMValueRef sargs[4] = {LLVMBuildFAdd(b, old, d, ""), sp, align, mask};
    masked_call(g, "llvm.masked.store", vty, sargs, 4);
    adjoint_add(g, LLVMGetOperand(inst, 3), LLVMBuildSelect(b, mask, LLVMConstNull(vty), d, ""));
    return;
  }
  /* (value, ptr, align, mask) */
  LLVMValueRef val = LLVMGetOperand(inst, 0);
  LLVMTypeRef vty = LLVMTypeOf(val);
  LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 1)), mask = rev_value(g, LLVMGetOperand(inst, 3));
  LLVMValueRef align = LLVMGetOperand(inst, 2);
  LLVMValueRef largs[4] = {sp, align, mask, LLVMConstNull(vty)};
  LLVMValueRef d = masked_call(g, "llvm.masked.load", vty, largs, 4);
  LLVMValueRef sargs[4] = {LLVMConstNull(vty), sp, align, mask};
  masked_call(g, "llvm.masked.store", vty, sargs, 4);
  adjoint_add(g, val, d);
}

/* Does p point into an argument this gradient holds constant (no shadow)? */
static int points_into_constant_argument(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef base = ir_base_object(p);
  int i = ir_param_index(base);
  if (i < 0 || LLVMGetParamParent(base) != g->pc || (unsigned)i >= g->spec->nparams)
    return 0;
  return g->spec->act[i] == ACT_CONST;
}

/* A call of a function with a custom derivative: its pullback gets the
 * arguments, the seed, and where to add each argument's adjoint (custom.c). */
static void reverse_custom(ct_gen *g, LLVMValueRef call) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  LLVMValueRef pullback = custom_derivative_of(g->m, callee);
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  LLVMValueRef args[3 * CT_MAX_PARAMS + 1];
  LLVMValueRef cells[CT_MAX_PARAMS] = {0};
  unsigned k = 0;
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i)
    args[k++] = rev_value(g, LLVMGetOperand(call, i));
  /* arrays overwritten after the call: their copies, popped in the
     reverse order of the pushes (custom_memory.c) */
  LLVMValueRef kept = vmap_get(&g->kept, call);
  unsigned long long mask = kept ? LLVMConstIntGetZExtValue(kept) : 0;
  /* (copies made before the call, blas.c's 'o', were pushed first) */
  for (unsigned pass = 0; pass < 2 * CT_MAX_PARAMS; ++pass) {
    unsigned i = CT_MAX_PARAMS - 1 - pass % CT_MAX_PARAMS;
    if (i < n && (mask >> i & 1) &&
        (blas_reads_old(callee, i) || mpi_reads_old(callee, i)) == (int)(pass / CT_MAX_PARAMS)) {
      LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i64_ty};
      LLVMTypeRef pop_ty = LLVMFunctionType(g->ptr_ty, params, 3, 0);
      LLVMValueRef pop = ir_declare_function(g->m->mod, "__ct_tape_pop", pop_ty, NULL);
      LLVMValueRef pargs[3] = {g->rev_tape, custom_kept_bytes(g, call, i, rev_value), LLVMConstInt(g->i64_ty, 16, 0)};
      args[i] = LLVMBuildCall2(b, pop_ty, pop, pargs, 3, "ct.kept");
    }
  }
  LLVMTypeRef rty = LLVMTypeOf(call);
  if (type_is_fp(rty))
    args[k++] = adjoint_has(g, call) ? adjoint_take(g, call) : LLVMConstNull(rty);
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    LLVMTypeRef ty = LLVMTypeOf(op);
    if (type_is_fp(ty) && blas_is(callee) && !adjoint_has(g, op)) {
      args[k++] = LLVMConstNull(g->ptr_ty); /* a constant scalar: the BLAS adjoint skips its work */
    } else if (type_is_fp(ty)) {
      /* a zeroed cell the pullback adds into */
      cells[i] = LLVMBuildAlloca(g->ab, ty, "ct.cell");
      LLVMBuildStore(b, LLVMConstNull(ty), cells[i]);
      args[k++] = cells[i];
    } else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind) {
      if (vmap_get(&g->active, op) && gpu_needs_atomic(g, op)) {
        gen_fail(g, call, "passes shared differentiable memory to a custom derivative inside a parallel region",
                 "its pullback's adjoint additions would race; call it outside the region, or on a private copy");
        return;
      }
      LLVMValueRef s = vmap_get(&g->active, op) ? rev_shadow(g, op) : NULL;
      char acc = custom_access(callee, i);
      if (!s && vmap_get(&g->active, op) && (acc == 'w' || acc == 'u' || !points_into_constant_argument(g, op))) {
        gen_fail(g, call, "passes a pointer to differentiable data that has no shadow (memory it writes, or "
                 "memory of an argument held constant)",
                 "pass every array that holds differentiable values with a shadow");
        return;
      }
      args[k++] = s ? s : LLVMConstNull(ty); /* read from an argument held constant: no adjoint */
    }
  }
  LLVMBuildCall2(b, LLVMGlobalGetValueType(pullback), pullback, args, k, "");
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i)
    if (cells[i] && adjoint_has(g, LLVMGetOperand(call, i)))
      adjoint_add(g, LLVMGetOperand(call, i), LLVMBuildLoad2(b, LLVMTypeOf(LLVMGetOperand(call, i)), cells[i], ""));
}

/* A differentiated call: the callee's reverse, with the arguments, shadows
 * and tape of this execution, returns the adjoints of its active scalar
 * arguments. */
static void reverse_call(ct_gen *g, LLVMValueRef call) {
  LLVMValueRef rev = vmap_get(&g->call_rev, call);
  ct_spec spec;
  classify_call_spec(g, call, &spec);
  unsigned nparams = spec.nparams;
  LLVMValueRef args[2 * CT_MAX_PARAMS + 3];
  unsigned n = 0;
  int active[CT_MAX_PARAMS];
  for (unsigned k = 0; k < nparams; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, k);
    args[n++] = rev_value(g, op);
    active[k] = spec.act[k] == ACT_ACTIVE;
    if (spec.act[k] == ACT_DUP)
      args[n++] = rev_shadow(g, op);
  }
  struct ct_rerun *rerun = NULL; /* a recomputed call runs again first, with a tape of its own */
  LLVMValueRef tape = checkpoint_is_recompute_call(call) ? checkpoint_rerun(g, call, args, n, &rerun) : NULL;
  if (spec.ret_active) /* the callee's result may be inactive here */
    args[n++] = adjoint_has(g, call) ? adjoint_take(g, call) : LLVMConstNull(LLVMTypeOf(call));
  args[n++] = tape ? tape : signature_shares_tape(rev) ? g->rev_tape : vmap_get(&g->popped[NEED_CALL_TAPE], call);
  args[n++] = tape ? LLVMConstInt(LLVMInt1TypeInContext(g->m->ctx), 0, 0) : g->keep;
  LLVMValueRef res = LLVMBuildCall2(g->m->b, LLVMGlobalGetValueType(rev), rev, args, n, "");
  release_mark_reverse_call(g->m, res);
  if (rerun)
    checkpoint_put_back(g, rerun, res);
  unsigned field = 0;
  for (unsigned k = 0; k < nparams; ++k)
    if (active[k])
      adjoint_add(g, LLVMGetOperand(call, k), LLVMBuildExtractValue(g->m->b, res, field++, ""));
}

/* The slot (in the reverse function's entry) holding a value (or, from
 * `map` hoisted_shadows, a shadow) taped at a loop exit for the loop's
 * reverse blocks. */
static LLVMValueRef slot_in(ct_gen *g, ct_vmap *map, LLVMValueRef v) {
  LLVMValueRef s = vmap_get(map, v);
  if (s == v) {
    s = LLVMBuildAlloca(g->ab, LLVMTypeOf(v), "ct.hoisted");
    vmap_set(map, v, s);
  }
  return s;
}
static LLVMValueRef hoist_slot(ct_gen *g, LLVMValueRef v) { return slot_in(g, &g->hoisted, v); }

/* A counted induction variable's value in its loop's last iteration:
 * start + step * (trips - 1), in the variable's type (the step does not
 * wrap: nsw/nuw). */
static LLVMValueRef iv_last_value(ct_gen *g, LLVMValueRef phi) {
  LLVMBuilderRef b = g->m->b;
  LLVMTypeRef ty = LLVMTypeOf(phi);
  const ct_bridge_loop *loop = NULL;
  for (unsigned i = 0; i < g->nloops && !loop; ++i)
    if (g->loops[i].header == LLVMGetInstructionParent(phi))
      loop = &g->loops[i];
  LLVMValueRef trips = rev_value(g, loop->trip_count);
  trips = LLVMBuildIntCast2(b, trips, ty, 0, "");
  LLVMValueRef step = vmap_get(&g->iv_steps, phi);
  LLVMValueRef iters = LLVMBuildSub(b, trips, LLVMConstInt(ty, 1, 0), "");
  LLVMValueRef dist = LLVMBuildMul(b, iters, LLVMGetOperand(step, 1), "");
  LLVMValueRef start = rev_value(g, vmap_get(&g->iv_starts, phi));
  return LLVMGetInstructionOpcode(step) == LLVMSub ? LLVMBuildSub(b, start, dist, "ct.iv.last")
                                                   : LLVMBuildAdd(b, start, dist, "ct.iv.last");
}

/* Takes b's record apart: the values its reverse needs (into popped), and
 * at a loop's exit the values taped once per loop run and the loop's record
 * arrays (into their slots). Returns the predecessor index, if recorded. */
static LLVMValueRef unpack_record(ct_gen *g, ct_block *b, LLVMValueRef rec) {
  ct_module *m = g->m;
  LLVMValueRef from = NULL;
  unsigned f = 0;
  if (BLOCK_RECORDS_PRED(b))
    from = LLVMBuildExtractValue(m->b, rec, f++, "ct.from");
  for (unsigned k = 0; k < b->nneeds; ++k) {
    ct_need *nd = &b->needs[k];
    if (!need_on_tape(nd->kind))
      continue;
    LLVMValueRef v = LLVMBuildExtractValue(m->b, rec, f++, "");
    vmap_set(&g->popped[nd->kind], nd->value, v);
    if (nd->kind == NEED_VALUE && vmap_get(&g->hoisted, nd->value)) /* for the loop's blocks */
      LLVMBuildStore(m->b, v, hoist_slot(g, nd->value));
    if (nd->kind == NEED_SHADOW && vmap_get(&g->hoisted_shadows, nd->value))
      LLVMBuildStore(m->b, v, slot_in(g, &g->hoisted_shadows, nd->value));
  }
  ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
  unsigned narrays = tape_exit_arrays(g, b, arrays, TAPE_MAX_EXIT_ARRAYS);
  for (unsigned k = 0; k < narrays; ++k)
    LLVMBuildStore(m->b, LLVMBuildExtractValue(m->b, rec, f++, ""), batch_slot(g, arrays[k]));
  return from;
}

/* Takes b's values from where the forward part left them: its record (on
 * the tape, in a stack slot, or in its loop's record array), the values
 * taped once at a loop's exit; and steps counted induction variables back
 * (the previous iteration's reverse sees iv - step). Returns the recorded
 * predecessor index, if any. */
static LLVMValueRef restore_values(ct_gen *g, ct_block *b) {
  ct_module *m = g->m;
  LLVMValueRef from = NULL;
  LLVMTypeRef rec_ty = tape_record_type(g, b);
  if (rec_ty && !b->batch)
    from = unpack_record(g, b, b->once ? LLVMBuildLoad2(m->b, rec_ty, b->rec_slot, "") : tape_pop(g, rec_ty));
  for (unsigned k = 0; k < b->nneeds; ++k)
    if (b->needs[k].kind == NEED_HOISTED) {
      LLVMValueRef v = b->needs[k].value;
      vmap_set(&g->popped[NEED_VALUE], v, LLVMBuildLoad2(m->b, LLVMTypeOf(v), hoist_slot(g, v), ""));
    } else if (b->needs[k].kind == NEED_HOISTED_SHADOW) {
      LLVMValueRef v = b->needs[k].value;
      vmap_set(&g->popped[NEED_SHADOW], v,
               LLVMBuildLoad2(m->b, LLVMTypeOf(v), slot_in(g, &g->hoisted_shadows, v), ""));
    }
  if (rec_ty && b->batch) /* indexed by the loop's counter, a hoisted value */
    from = unpack_record(g, b, batch_load_record(g, b, rec_ty, rev_value(g, g->loop_counters[b->batch - 1])));
  for (LLVMValueRef phi = LLVMGetFirstInstruction(b->bb); phi && LLVMIsAPHINode(phi);
       phi = LLVMGetNextInstruction(phi)) {
    if (!vmap_get(&g->iv_counted, phi))
      continue;
    LLVMValueRef step = vmap_get(&g->iv_steps, phi);
    LLVMValueRef cur = rev_value(g, phi), c = LLVMGetOperand(step, 1);
    LLVMValueRef prev = LLVMGetInstructionOpcode(step) == LLVMSub ? LLVMBuildAdd(m->b, cur, c, "")
                                                                  : LLVMBuildSub(m->b, cur, c, "");
    LLVMBuildStore(m->b, prev, hoist_slot(g, phi));
  }
  return from;
}

/* Recomputes the values b's reverse recomputes, from values listed before
 * them: copies of cheap instructions (a shadow GEP on the base's shadow)
 * and counted induction variables' last values. */
static void recompute_values(ct_gen *g, ct_block *b) {
  ct_module *m = g->m;
  for (unsigned k = 0; k < b->nneeds; ++k) {
    ct_need *nd = &b->needs[k];
    if (need_on_tape(nd->kind) || nd->kind == NEED_HOISTED || nd->kind == NEED_HOISTED_SHADOW)
      continue;
    if (nd->kind == NEED_ITERATION) {
      remat_emit(g, nd->value);
      continue;
    }
    if (nd->kind == NEED_IV_EXIT) {
      LLVMValueRef last = iv_last_value(g, nd->value);
      vmap_set(&g->popped[NEED_VALUE], nd->value, last);
      LLVMBuildStore(m->b, last, hoist_slot(g, nd->value));
      continue;
    }
    LLVMValueRef copy = LLVMInstructionClone(nd->value);
    LLVMInsertIntoBuilderWithName(m->b, copy, "");
    LLVMSetMetadata(copy, LLVMGetMDKindIDInContext(m->ctx, "DIAssignID", 10), NULL);
    int n = LLVMGetNumOperands(nd->value);
    for (int o = 0; o < n; ++o) {
      LLVMValueRef op = LLVMGetOperand(nd->value, (unsigned)o);
      /* a shadow GEP indexes the base's shadow */
      LLVMSetOperand(copy, (unsigned)o, nd->kind == NEED_REMAT_SHADOW && o == 0 ? rev_shadow(g, op) : rev_value(g, op));
    }
    if (nd->kind == NEED_REMAT)
      scopes_tag_primal(g, copy); /* a load recomputed from unchanged memory */
    vmap_set(&g->popped[nd->kind == NEED_REMAT ? NEED_VALUE : NEED_SHADOW], nd->value, copy);
  }
}

/* Which predecessor came before b: told by b's induction variable (at its
 * start only on the first entry) or guard, else `from` as recorded. After
 * the recomputed values: the start may be one. */
static LLVMValueRef predecessor_index(ct_gen *g, ct_block *b, LLVMValueRef from) {
  ct_module *m = g->m;
  if (b->iv) {
    LLVMValueRef first = LLVMBuildICmp(m->b, LLVMIntEQ, rev_value(g, b->iv), rev_value(g, b->iv_start), "");
    return LLVMBuildSelect(m->b, first, LLVMConstInt(g->i32_ty, b->iv_start_pred, 0),
                           LLVMConstInt(g->i32_ty, 1 - b->iv_start_pred, 0), "ct.from");
  }
  if (b->guard)
    return LLVMBuildSelect(m->b, rev_value(g, b->guard), LLVMConstInt(g->i32_ty, b->guard_true_pred, 0),
                           LLVMConstInt(g->i32_ty, 1 - b->guard_true_pred, 0), "ct.from");
  return from;
}

/* A load: its adjoint goes into the shadow of what it read. */
static void reverse_load(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef d = fused_load_adjoint(g, inst, adjoint_take(g, inst)), self;
  if (!d) /* added in the next iteration (fused.c) */
    return;
  LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
  sp = stored_pointers_guard(g, LLVMGetOperand(inst, 0), sp, LLVMTypeOf(inst), &self);
  gpu_shadow_add(g, LLVMGetOperand(inst, 0), sp, d);
}

/* A store: the stored value takes the shadow's adjoint, which is cleared. */
static void reverse_store(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef val = LLVMGetOperand(inst, 0), self;
  LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 1));
  sp = stored_pointers_guard(g, LLVMGetOperand(inst, 1), sp, LLVMTypeOf(val), &self);
  LLVMValueRef d = gpu_shadow_take(g, LLVMGetOperand(inst, 1), sp, LLVMTypeOf(val));
  adjoint_add(g, val, self ? LLVMBuildSelect(g->m->b, self, LLVMConstNull(LLVMTypeOf(val)), d, "") : d);
}

/* *p += v (an atomic add): v's adjoint is the adjoint of *p, which stays. */
static void reverse_atomic_add(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef val = LLVMGetOperand(inst, 1);
  if (!adjoint_has(g, val))
    return;
  LLVMValueRef d = LLVMBuildLoad2(g->m->b, LLVMTypeOf(val), rev_shadow(g, LLVMGetOperand(inst, 0)), "");
  adjoint_add(g, val, LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFSub ? LLVMBuildFNeg(g->m->b, d, "") : d);
}

/* memset of differentiable memory: its shadow is zeroed. */
static void reverse_memset(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
  LLVMBuildMemSet(m->b, sp, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), rev_value(g, LLVMGetOperand(inst, 2)),
                  1);
}

/* The fields of a mixed layout, as a constant array in the module. */
static LLVMValueRef fields_array(ct_gen *g, const ct_layout *layout) {
  LLVMValueRef *vals = malloc(layout->nfields * sizeof *vals);
  for (unsigned i = 0; i < layout->nfields; ++i)
    vals[i] = LLVMConstInt(g->i32_ty, layout->fields[i], 0);
  LLVMTypeRef ty = LLVMArrayType2(g->i32_ty, layout->nfields);
  LLVMValueRef init = LLVMConstArray2(g->i32_ty, vals, layout->nfields);
  free(vals);
  LLVMValueRef gv = LLVMAddGlobal(g->m->mod, ty, "ct.copy_fields");
  LLVMSetInitializer(gv, init);
  LLVMSetGlobalConstant(gv, 1);
  LLVMSetLinkage(gv, LLVMPrivateLinkage);
  LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
  return gv;
}

/* A small memcpy of doubles or floats of constant length (a struct
 * assignment `a[i] = b[j]` of a complex number): its adjoint inline,
 * element by element, instead of a runtime call per copy. */
static int inline_copy_adjoint(ct_gen *g, LLVMValueRef inst, LLVMValueRef ssrc, LLVMValueRef sdst, int f64) {
  LLVMValueRef len = LLVMGetOperand(inst, 2);
  unsigned elem = f64 ? 8 : 4;
  if (!LLVMIsAConstantInt(len) || LLVMIsAMemMoveInst(inst))
    return 0;
  unsigned long long bytes = LLVMConstIntGetZExtValue(len);
  if (bytes == 0 || bytes > 64 || bytes % elem)
    return 0;
  LLVMBuilderRef b = g->m->b;
  LLVMTypeRef ty = f64 ? LLVMDoubleTypeInContext(g->m->ctx) : LLVMFloatTypeInContext(g->m->ctx);
  LLVMTypeRef i8 = LLVMInt8TypeInContext(g->m->ctx);
  /* tagged as the two shadows they are (scopes.c): a loop of such copies
     (the halves of an FFT) vectorizes without overlap checks */
  LLVMValueRef dst = LLVMGetOperand(inst, 0), src = LLVMGetOperand(inst, 1);
  for (unsigned long long off = 0; off < bytes; off += elem) {
    LLVMValueRef idx = LLVMConstInt(g->i64_ty, off, 0);
    LLVMValueRef pd = LLVMBuildGEP2(b, i8, sdst, &idx, 1, "");
    LLVMValueRef ps = LLVMBuildGEP2(b, i8, ssrc, &idx, 1, "");
    LLVMValueRef d = LLVMBuildLoad2(b, ty, pd, "");
    LLVMSetAlignment(d, 1);
    scopes_tag_shadow(g, d, dst);
    LLVMValueRef sv = LLVMBuildLoad2(b, ty, ps, "");
    LLVMSetAlignment(sv, 1);
    scopes_tag_shadow(g, sv, src);
    LLVMValueRef st = LLVMBuildStore(b, LLVMBuildFAdd(b, sv, d, ""), ps);
    LLVMSetAlignment(st, 1);
    scopes_tag_shadow(g, st, src);
    st = LLVMBuildStore(b, LLVMConstNull(ty), pd);
    LLVMSetAlignment(st, 1);
    scopes_tag_shadow(g, st, dst);
  }
  return 1;
}

/* memcpy/memmove: the destination's shadow moves into the source's
 * (__ct_copy_adjoint_*: added, then the destination's cleared), for the
 * float/double bytes of the copy's layout (layout_resolve.c): the whole
 * copy when it is an array of one type, else its fields. */
static void reverse_memcpy(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  ct_layout layout;
  layout_of_copy(inst, &layout);
  int clears_only = plan_copy_clears_only(g, inst, &layout);
  if (layout.kind != CT_LAYOUT_UNIFORM && layout.kind != CT_LAYOUT_FIELDS && !clears_only) {
    layout_free(&layout);
    return; /* pointers and integers (stored_pointers.c) */
  }
  LLVMValueRef sdst = rev_shadow(g, LLVMGetOperand(inst, 0));
  LLVMValueRef len = LLVMBuildZExtOrBitCast(m->b, rev_value(g, LLVMGetOperand(inst, 2)), g->i64_ty, "");
  int constant_source = !vmap_get(&g->active, LLVMGetOperand(inst, 1));
  LLVMValueRef ssrc = constant_source ? LLVMConstNull(g->ptr_ty) : rev_shadow(g, LLVMGetOperand(inst, 1));
  /* kernels: other threads may add into the source's shadow too */
  int atomic = !constant_source && gpu_needs_atomic(g, LLVMGetOperand(inst, 1));
  if (layout.kind == CT_LAYOUT_UNIFORM || clears_only) {
    if (clears_only) /* into memory without a shadow (a NULL one, forward.c): nothing */
      len = LLVMBuildSelect(m->b, LLVMBuildIsNull(m->b, sdst, ""), LLVMConstInt(g->i64_ty, 0, 0), len, "");
    if (constant_source) /* constant data copied over differentiable memory */
      LLVMBuildMemSet(m->b, sdst, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), len, 1);
    else if (atomic || !inline_copy_adjoint(g, inst, ssrc, sdst, layout.uniform == 8)) {
      int f64 = layout.uniform == 8;
      LLVMTypeRef params[3] = {g->ptr_ty, g->ptr_ty, g->i64_ty};
      LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 3, 0);
      const char *copy = f64 ? (atomic ? "__ct_copy_adjoint_atomic_f64" : "__ct_copy_adjoint_f64")
                             : (atomic ? "__ct_copy_adjoint_atomic_f32" : "__ct_copy_adjoint_f32");
      LLVMValueRef args[3] = {ssrc, sdst, len};
      ir_build_call(m->b, m->mod, copy, fty, args, 3, "");
    }
  } else {
    /* a constant source: the destination's fields are cleared only */
    LLVMTypeRef params[6] = {g->ptr_ty, g->ptr_ty, g->i64_ty, g->ptr_ty, g->i64_ty, g->i64_ty};
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 6, 0);
    LLVMValueRef args[6] = {ssrc, sdst, len, fields_array(g, &layout), LLVMConstInt(g->i64_ty, layout.nfields, 0),
                            LLVMConstInt(g->i64_ty, layout.period, 0)};
    ir_build_call(m->b, m->mod, atomic ? "__ct_copy_adjoint_fields_atomic" : "__ct_copy_adjoint_fields", fty, args,
                  6, "");
  }
  layout_free(&layout);
}

/* A GPU barrier: the reverse of a phase runs between the same barriers. */
static void reverse_barrier(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef args[4];
  unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
  for (unsigned k = 0; k < n && k < 4; ++k)
    args[k] = rev_value(g, LLVMGetOperand(inst, k));
  gpu_mirror_barrier(g, inst, args);
}

/* The reverse of one instruction, by its kind (classify.c). */
static void reverse_instruction(ct_gen *g, LLVMValueRef inst) {
  ct_rev_kind kind = classify(g, inst);
  switch (kind) {
  case REV_RULE:
    reverse_rule(g, inst, adjoint_take(g, inst));
    break;
  case REV_PASS:
    adjoint_add(g, LLVMGetOperand(inst, 0), adjoint_take(g, inst));
    break;
  case REV_LANES:
    reverse_lanes(g, inst, adjoint_take(g, inst));
    break;
  case REV_CALL:
    reverse_call(g, inst);
    break;
  case REV_CUSTOM:
    reverse_custom(g, inst);
    break;
  case REV_MASKED_LOAD:
  case REV_MASKED_STORE:
    reverse_masked(g, inst, kind);
    break;
  case REV_ALLOC:
    heap_reverse(g, inst);
    break;
  case REV_LOAD:
    reverse_load(g, inst);
    break;
  case REV_ATOMIC_ADD:
    reverse_atomic_add(g, inst);
    break;
  case REV_OMP_FORK:
  case REV_OMP_SYNC:
    omp_reverse(g, inst);
    break;
  case REV_MEMSET:
    reverse_memset(g, inst);
    break;
  case REV_MEMCPY:
    reverse_memcpy(g, inst);
    break;
  case REV_STORE:
    if (!fused_reverse_store(g, inst))
      reverse_store(g, inst);
    break;
  case REV_NONE:
    if (gpu_is_barrier(inst))
      reverse_barrier(g, inst);
    break;
  default:
    break;
  }
}

/* The end of b's reverse: the phi adjoints (read before choosing the edge)
 * move along the edge from the predecessor that came before (`from`, when
 * there are several), and the reverse continues in that predecessor's. */
static void reverse_edges(ct_gen *g, ct_block *b, LLVMValueRef from, LLVMBasicBlockRef rev_exit) {
  ct_module *m = g->m;
  unsigned nphis = 0, cap = 1;
  for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && LLVMIsAPHINode(inst);
       inst = LLVMGetNextInstruction(inst))
    ++cap;
  LLVMValueRef *phis = malloc(cap * sizeof *phis), *dphis = malloc(cap * sizeof *dphis);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && LLVMIsAPHINode(inst);
       inst = LLVMGetNextInstruction(inst))
    if (classify(g, inst) == REV_PHI) {
      phis[nphis] = inst;
      dphis[nphis++] = adjoint_take(g, inst);
    }
  if (b->npreds == 0) {
    LLVMBuildBr(m->b, rev_exit);
    free(phis);
    free(dphis);
    return;
  }
  LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
  /* the switch's default is never taken (`from` is a predecessor's index) */
  LLVMValueRef sw = from ? LLVMBuildSwitch(m->b, from, cfg_block_of(g, b->preds[0])->rev, b->npreds) : NULL;
  for (unsigned k = 0; k < b->npreds; ++k) {
    ct_block *p = cfg_block_of(g, b->preds[k]);
    LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "rev.edge");
    if (sw)
      LLVMAddCase(sw, LLVMConstInt(g->i32_ty, k, 0), edge);
    else {
      LLVMPositionBuilderAtEnd(m->b, here);
      LLVMBuildBr(m->b, edge);
    }
    LLVMPositionBuilderAtEnd(m->b, edge);
    adjoint_mark_zeroed(g, p->bb, 2); /* the first addition into p's slots is on this edge */
    for (unsigned j = 0; j < nphis; ++j) {
      LLVMValueRef in = NULL;
      unsigned n = LLVMCountIncoming(phis[j]);
      for (unsigned q = 0; q < n && !in; ++q)
        if (LLVMGetIncomingBlock(phis[j], q) == p->bb)
          in = LLVMGetIncomingValue(phis[j], q);
      if (in)
        adjoint_add(g, in, dphis[j]);
    }
    adjoint_store_zeroed(g, p->bb);
    LLVMBuildBr(m->b, p->rev);
  }
  free(phis);
  free(dphis);
}

void reverse_instructions(ct_gen *g, LLVMBasicBlockRef bb) {
  for (LLVMValueRef inst = LLVMGetLastInstruction(bb); inst && !LLVMIsAPHINode(inst) && !g->failed;
       inst = LLVMGetPreviousInstruction(inst))
    reverse_instruction(g, inst);
}

void reverse_block(ct_gen *g, ct_block *b, LLVMBasicBlockRef rev_exit) {
  if (fused_reverse_block(g, b))
    return;
  LLVMPositionBuilderAtEnd(g->m->b, b->rev);
  for (int k = 0; k < 3; ++k) {
    vmap_free(&g->popped[k]);
    vmap_init(&g->popped[k]);
  }
  LLVMValueRef from = restore_values(g, b);
  recompute_values(g, b);
  from = predecessor_index(g, b, from);
  /* a loop preheader: its loop's record arrays, pushed after everything
     else the block pushed but its record */
  batch_reverse_pops(g, b, rev_value);
  adjoint_mark_zeroed(g, b->bb, 1); /* b's own reverse adds first into these slots */
  for (LLVMValueRef inst = LLVMGetLastInstruction(b->bb); inst && !LLVMIsAPHINode(inst) && !g->failed;
       inst = LLVMGetPreviousInstruction(inst))
    reverse_instruction(g, inst);
  adjoint_mark_zeroed(g, NULL, 0);
  if (g->failed)
    return;
  reverse_edges(g, b, from, rev_exit);
}
