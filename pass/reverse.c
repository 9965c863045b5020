/* Reverse-mode generation.
 *
 * gradient_get() builds, once per (function, activity) pair, one function
 * with three parts:
 *
 *   alloca block   adjoint slots (one zeroed alloca per active value, which
 *                  LLVM's SROA turns back into SSA), shadow allocas, tape
 *   forward        a copy of the prepared primal's CFG; returns become a
 *                  jump to the reverse part. Each block with several
 *                  predecessors pushes which one it came from, and each
 *                  block pushes the primal values its reverse will need
 *                  that are not available there otherwise.
 *   reverse        one block per primal block, visited in exactly the
 *                  reverse order of the forward path: pops its values,
 *                  propagates adjoints through its active instructions
 *                  (rules.c) in reverse order, then pops its predecessor
 *                  and moves the phi adjoints along that edge.
 *
 * Values of blocks that run once and dominate the return are used directly
 * (no tape); everything else goes through the runtime tape (lib/tape.h),
 * LIFO, one slot per value per block execution. Memory reached through
 * duplicated pointers has shadows: a load's reverse adds into the shadow,
 * a store's reverse takes the shadow's adjoint and zeroes it. */
#include "gen.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reverse of one block ---- */

static void reverse_rule(ct_gen *g, LLVMValueRef inst, LLVMValueRef d) {
  const ct_rule *rule = classify_rule(inst);
  unsigned nops = rule->noperands;
  LLVMValueRef operands[RULE_MAX_OPERANDS] = {0};
  for (unsigned i = 0; i < nops; ++i)
    operands[i] = rev_value(g, LLVMGetOperand(inst, i));
  LLVMValueRef result = rev_value(g, inst);
  for (unsigned i = 0; i < nops; ++i) {
    LLVMValueRef op = LLVMGetOperand(inst, i);
    if (!rule->adjoint[i] || !adjoint_has(g, op))
      continue;
    /* expressions compute in the operand's type (fpext/fptrunc convert the
       seed first) */
    LLVMTypeRef ty = LLVMTypeOf(op);
    LLVMValueRef seed = LLVMTypeOf(d) == ty ? d : LLVMBuildFPCast(g->m->b, d, ty, "");
    LLVMValueRef c = rules_emit(g->m, rule->adjoint[i], ty, operands, nops, result, seed);
    if (!c) {
      gen_fail(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    if (rules_may_be_singular(rule->adjoint[i])) {
      /* a zero seed contributes zero, even where the partial derivative is
         infinite (cbrt or sqrt at 0, log at 0, ...): not 0 * inf = NaN */
      LLVMValueRef zero = LLVMConstNull(ty);
      LLVMValueRef is_zero = LLVMBuildFCmp(g->m->b, LLVMRealOEQ, seed, zero, "");
      c = LLVMBuildSelect(g->m->b, is_zero, zero, c, "");
    }
    adjoint_add(g, op, c);
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

/* Frees a shadow heap block, or zeroes it when the reverse is kept for
 * another application. */
static void release_shadow(ct_gen *g, LLVMValueRef p, LLVMValueRef bytes) {
  LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i32_ty};
  LLVMValueRef args[3] = {p, bytes, LLVMBuildZExt(g->m->b, g->keep, g->i32_ty, "")};
  ir_build_call(g->m->b, g->m->mod, "__ct_release_shadow", LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), params, 3, 0),
                args, 3, "");
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
  for (unsigned i = n < CT_MAX_PARAMS ? n : CT_MAX_PARAMS; i-- > 0;)
    if (mask >> i & 1) {
      LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i64_ty};
      LLVMTypeRef pop_ty = LLVMFunctionType(g->ptr_ty, params, 3, 0);
      LLVMValueRef pop = ir_declare_function(g->m->mod, "__ct_tape_pop", pop_ty, NULL);
      LLVMValueRef pargs[3] = {g->rev_tape, custom_kept_bytes(g, call, i, rev_value), LLVMConstInt(g->i64_ty, 16, 0)};
      args[i] = LLVMBuildCall2(b, pop_ty, pop, pargs, 3, "ct.kept");
    }
  LLVMTypeRef rty = LLVMTypeOf(call);
  if (type_is_fp(rty))
    args[k++] = adjoint_has(g, call) ? adjoint_take(g, call) : LLVMConstNull(rty);
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    LLVMTypeRef ty = LLVMTypeOf(op);
    if (type_is_fp(ty)) {
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
      args[k++] = vmap_get(&g->active, op) ? rev_shadow(g, op) : LLVMConstNull(ty);
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
  if (spec.ret_active) /* the callee's result may be inactive here */
    args[n++] = adjoint_has(g, call) ? adjoint_take(g, call) : LLVMConstNull(LLVMTypeOf(call));
  args[n++] = vmap_get(&g->popped[NEED_CALL_TAPE], call);
  args[n++] = g->keep;
  LLVMValueRef res = LLVMBuildCall2(g->m->b, LLVMGlobalGetValueType(rev), rev, args, n, "");
  unsigned field = 0;
  for (unsigned k = 0; k < nparams; ++k)
    if (active[k])
      adjoint_add(g, LLVMGetOperand(call, k), LLVMBuildExtractValue(g->m->b, res, field++, ""));
}

/* The slot (in the reverse function's entry) holding a value taped at a
 * loop exit for the loop's reverse blocks. */
static LLVMValueRef hoist_slot(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef s = vmap_get(&g->hoisted, v);
  if (s == v) {
    s = LLVMBuildAlloca(g->ab, LLVMTypeOf(v), "ct.hoisted");
    vmap_set(&g->hoisted, v, s);
  }
  return s;
}

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
  }
  ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
  unsigned narrays = tape_exit_arrays(g, b, arrays, TAPE_MAX_EXIT_ARRAYS);
  for (unsigned k = 0; k < narrays; ++k)
    LLVMBuildStore(m->b, LLVMBuildExtractValue(m->b, rec, f++, ""), batch_slot(g, arrays[k]));
  return from;
}

static void reverse_block(ct_gen *g, ct_block *b, LLVMBasicBlockRef rev_exit) {
  ct_module *m = g->m;
  LLVMPositionBuilderAtEnd(m->b, b->rev);
  for (int k = 0; k < 3; ++k) {
    vmap_free(&g->popped[k]);
    vmap_init(&g->popped[k]);
  }
  LLVMValueRef from = NULL;
  LLVMTypeRef rec_ty = tape_record_type(g, b);
  if (rec_ty && !b->batch)
    from = unpack_record(g, b, b->once ? LLVMBuildLoad2(m->b, rec_ty, b->rec_slot, "") : tape_pop(g, rec_ty));
  for (unsigned k = 0; k < b->nneeds; ++k)
    if (b->needs[k].kind == NEED_HOISTED) {
      LLVMValueRef v = b->needs[k].value;
      vmap_set(&g->popped[NEED_VALUE], v, LLVMBuildLoad2(m->b, LLVMTypeOf(v), hoist_slot(g, v), ""));
    }
  if (rec_ty && b->batch) /* indexed by the loop's counter, a hoisted value */
    from = unpack_record(g, b, batch_load_record(g, b, rec_ty, rev_value(g, g->loop_counters[b->batch - 1])));
  /* counted induction variables of this header: the previous iteration's
     reverse sees iv - step */
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
  /* recomputed values, from values listed before them */
  for (unsigned k = 0; k < b->nneeds; ++k) {
    ct_need *nd = &b->needs[k];
    if (need_on_tape(nd->kind) || nd->kind == NEED_HOISTED)
      continue;
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
  if (b->iv) { /* (after the recomputed values: the start may be one) the induction variable is at its start only on the first entry */
    LLVMValueRef first = LLVMBuildICmp(m->b, LLVMIntEQ, rev_value(g, b->iv), rev_value(g, b->iv_start), "");
    from = LLVMBuildSelect(m->b, first, LLVMConstInt(g->i32_ty, b->iv_start_pred, 0),
                           LLVMConstInt(g->i32_ty, 1 - b->iv_start_pred, 0), "ct.from");
  } else if (b->guard) {
    from = LLVMBuildSelect(m->b, rev_value(g, b->guard), LLVMConstInt(g->i32_ty, b->guard_true_pred, 0),
                           LLVMConstInt(g->i32_ty, 1 - b->guard_true_pred, 0), "ct.from");
  }
  /* a loop preheader: its loop's record arrays, pushed after everything
     else the block pushed but its record */
  batch_reverse_pops(g, b, rev_value);
  for (LLVMValueRef inst = LLVMGetLastInstruction(b->bb); inst && !LLVMIsAPHINode(inst) && !g->failed;
       inst = LLVMGetPreviousInstruction(inst)) {
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
    case REV_ALLOC: {
      /* malloc(n) or calloc(a, b): freed, or zeroed if the reverse is kept;
         kept when the caller got it (stored_pointers.c) */
      if (stored_pointers_escapes(inst))
        break;
      LLVMValueRef size = LLVMBuildZExtOrBitCast(m->b, rev_value(g, LLVMGetOperand(inst, 0)), g->i64_ty, "");
      if (LLVMGetNumArgOperands(inst) == 2)
        size = LLVMBuildMul(m->b, size,
                            LLVMBuildZExtOrBitCast(m->b, rev_value(g, LLVMGetOperand(inst, 1)), g->i64_ty, ""), "");
      release_shadow(g, rev_shadow(g, inst), size);
      if (vmap_get(&g->deferred_free, inst)) { /* the reverse pass read it: freed now */
        LLVMTypeRef pty = g->ptr_ty;
        LLVMValueRef arg = rev_value(g, inst);
        ir_build_call(m->b, m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &pty, 1, 0), &arg, 1, "");
      }
      break;
    }
    case REV_LOAD: {
      LLVMValueRef d = adjoint_take(g, inst), self;
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
      sp = stored_pointers_guard(g, LLVMGetOperand(inst, 0), sp, LLVMTypeOf(inst), &self);
      gpu_shadow_add(g, LLVMGetOperand(inst, 0), sp, d);
      break;
    }
    case REV_ATOMIC_ADD: {
      /* *p += v: v's adjoint is the adjoint of *p, which stays */
      LLVMValueRef val = LLVMGetOperand(inst, 1);
      if (!adjoint_has(g, val))
        break;
      LLVMValueRef d = LLVMBuildLoad2(m->b, LLVMTypeOf(val), rev_shadow(g, LLVMGetOperand(inst, 0)), "");
      adjoint_add(g, val, LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFSub ? LLVMBuildFNeg(m->b, d, "") : d);
      break;
    }
    case REV_OMP_FORK:
    case REV_OMP_SYNC:
      omp_reverse(g, inst);
      break;
    case REV_MEMSET: {
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
      LLVMBuildMemSet(m->b, sp, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0),
                      rev_value(g, LLVMGetOperand(inst, 2)), 1);
      break;
    }
    case REV_MEMCPY: {
      if (!classify_copy_element_type(g, inst))
        break; /* pointers and integers (stored_pointers.c) */
      LLVMValueRef sdst = rev_shadow(g, LLVMGetOperand(inst, 0));
      LLVMValueRef len = LLVMBuildZExtOrBitCast(m->b, rev_value(g, LLVMGetOperand(inst, 2)), g->i64_ty, "");
      if (!vmap_get(&g->active, LLVMGetOperand(inst, 1))) {
        /* constant data copied over differentiable memory */
        LLVMBuildMemSet(m->b, sdst, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), len, 1);
        break;
      }
      LLVMValueRef ssrc = rev_shadow(g, LLVMGetOperand(inst, 1));
      int f64 = LLVMGetTypeKind(classify_copy_element_type(g, inst)) == LLVMDoubleTypeKind;
      LLVMTypeRef params[3] = {g->ptr_ty, g->ptr_ty, g->i64_ty};
      LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 3, 0);
      /* kernels: other threads may add into the source's shadow too */
      int atomic = gpu_needs_atomic(g, LLVMGetOperand(inst, 1));
      const char *copy = f64 ? (atomic ? "__ct_copy_adjoint_atomic_f64" : "__ct_copy_adjoint_f64")
                             : (atomic ? "__ct_copy_adjoint_atomic_f32" : "__ct_copy_adjoint_f32");
      LLVMValueRef args[3] = {ssrc, sdst, len};
      ir_build_call(m->b, m->mod, copy, fty, args, 3, "");
      break;
    }
    case REV_STORE: {
      LLVMValueRef val = LLVMGetOperand(inst, 0), self;
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 1));
      sp = stored_pointers_guard(g, LLVMGetOperand(inst, 1), sp, LLVMTypeOf(val), &self);
      LLVMValueRef d = gpu_shadow_take(g, LLVMGetOperand(inst, 1), sp, LLVMTypeOf(val));
      adjoint_add(g, val, self ? LLVMBuildSelect(m->b, self, LLVMConstNull(LLVMTypeOf(val)), d, "") : d);
      break;
    }
    case REV_NONE:
      if (gpu_is_barrier(inst)) { /* the reverse of a phase runs between the same barriers */
        LLVMValueRef args[4];
        unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
        for (unsigned k = 0; k < n && k < 4; ++k)
          args[k] = rev_value(g, LLVMGetOperand(inst, k));
        gpu_mirror_barrier(g, inst, args);
      }
      break;
    default:
      break;
    }
  }
  if (g->failed)
    return;
  /* phi adjoints, read before choosing the edge */
  LLVMValueRef phis[256];
  LLVMValueRef dphis[256];
  unsigned nphis = 0;
  for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && LLVMIsAPHINode(inst);
       inst = LLVMGetNextInstruction(inst))
    if (classify(g, inst) == REV_PHI) {
      if (nphis == 256) {
        gen_fail(g, inst, "is one of too many (over 256) differentiable phis in one block", NULL);
        return;
      }
      phis[nphis] = inst;
      dphis[nphis++] = adjoint_take(g, inst);
    }
  if (b->npreds == 0) {
    LLVMBuildBr(m->b, rev_exit);
    return;
  }
  LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
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
    for (unsigned j = 0; j < nphis; ++j) {
      LLVMValueRef in = NULL;
      unsigned n = LLVMCountIncoming(phis[j]);
      for (unsigned q = 0; q < n && !in; ++q)
        if (LLVMGetIncomingBlock(phis[j], q) == p->bb)
          in = LLVMGetIncomingValue(phis[j], q);
      if (in)
        adjoint_add(g, in, dphis[j]);
    }
    LLVMBuildBr(m->b, p->rev);
  }
  if (sw) /* the default is never taken; point it at the first edge */
    LLVMSetOperand(sw, 1, LLVMBasicBlockAsValue(LLVMValueAsBasicBlock(LLVMGetOperand(sw, 1))));
}

/* ---- the driver ---- */

static void set_internal(ct_gen *g, LLVMValueRef f) {
  LLVMSetLinkage(f, LLVMInternalLinkage);
  ir_copy_attributes(g->pc, f, LLVMAttributeFunctionIndex);
}

/* Maps the primal parameters to `f`'s (primal values, then a shadow after
 * each duplicated pointer). Returns the index of the next parameter. */
static unsigned map_params(ct_gen *g, LLVMValueRef f, ct_vmap *values, ct_vmap *shadows) {
  unsigned k = 0;
  for (unsigned i = 0; i < g->spec->nparams; ++i) {
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    vmap_set(values, p, LLVMGetParam(f, k++));
    if (g->spec->act[i] == ACT_DUP || g->spec->act[i] == ACT_DUPNONEED)
      vmap_set(shadows, p, LLVMGetParam(f, k++));
  }
  return k;
}

static LLVMValueRef build_call0(ct_gen *g, LLVMBuilderRef b, const char *name, LLVMTypeRef ret, LLVMValueRef arg) {
  LLVMTypeRef pty = LLVMTypeOf(arg);
  return ir_build_call(b, g->m->mod, name, LLVMFunctionType(ret, &pty, 1, 0), &arg, 1, "");
}

/* `g->g` (and `g->rg`) exist with their signatures; fills in their bodies. */
static int generate(ct_gen *g, LLVMTypeRef result_struct) {
  ct_module *m = g->m;
  const ct_spec *spec = g->spec;
  int split = spec->split;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx);

  /* parameters */
  map_params(g, g->g, &g->fwd, &g->shadow);
  unsigned k = split ? map_params(g, g->rg, &g->rev_args, &g->rev_arg_shadows)
                     : map_params(g, g->g, &g->rev_args, &g->rev_arg_shadows);
  LLVMValueRef seed = spec->ret_active ? LLVMGetParam(g->rg, k++) : NULL;
  g->keep = LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 0, 0); /* split mode: a parameter, below */

  /* entry blocks: the forward's (tape, shadows) and the reverse's (slots) */
  LLVMBasicBlockRef fentry = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.entry");
  g->sb = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->sb, fentry);
  LLVMBasicBlockRef rentry = split ? LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rentry") : fentry;
  LLVMBasicBlockRef rstart = split ? LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rstart") : NULL;
  g->ab = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->ab, rentry);
  LLVMSetCurrentDebugLocation2(m->b, NULL);

  /* forward: a copy of the primal */
  clone_blocks(m, g->pc, g->g, &g->fwd);
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    b->fwd = LLVMValueAsBasicBlock(vmap_get(&g->fwd, LLVMBasicBlockAsValue(b->bb)));
  }
  /* adjoint slots exist before any reverse code refers to them */
  for (unsigned i = 0; i < spec->nparams; ++i)
    if (adjoint_has(g, LLVMGetParam(g->pc, i)))
      adjoint_slot(g, LLVMGetParam(g->pc, i));
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst))
      if (adjoint_has(g, inst))
        adjoint_slot(g, inst);

  plan_tape(g);
  if (g->failed)
    return 0;
  /* no tape when no block keeps a record (recomputed values need none):
     straight-line GPU kernels then need no device heap */
  int uses_tape = split || g->nkept;
  for (unsigned i = 0; i < g->nblocks; ++i)
    uses_tape |= !g->blocks[i].once && tape_record_type(g, &g->blocks[i]) != NULL;
  if (uses_tape) {
    runtime_link_tape(m);
    LLVMTypeRef i64 = g->i64_ty;
    LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
    g->tape = ir_build_call(g->sb, m->mod, "__ct_tape_create", LLVMFunctionType(g->ptr_ty, &i64, 1, 0), &zero, 1, "ct.tape");
    g->rev_tape = split ? LLVMGetParam(g->rg, k++) : g->tape;
    g->keep = split ? LLVMGetParam(g->rg, k++) : LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 0, 0);
  }
  forward_build(g);
  if (g->failed)
    return 0;

  /* returns jump to the turn: the reverse part (or, split, return) */
  LLVMBasicBlockRef turn = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.turn");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.done");
  for (unsigned i = 0; i < g->nblocks; ++i)
    g->blocks[i].rev = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "rev");
  LLVMPositionBuilderAtEnd(m->b, turn);
  LLVMValueRef ret_phi = has_ret ? LLVMBuildPhi(m->b, rty, "ct.ret") : NULL;
  LLVMValueRef which = LLVMBuildPhi(m->b, g->i32_ty, "ct.which");
  unsigned nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!cfg_is_return_block(b->bb))
      continue;
    LLVMValueRef ret = LLVMGetBasicBlockTerminator(b->bb);
    LLVMValueRef fret = LLVMGetBasicBlockTerminator(b->fwd);
    LLVMPositionBuilderBefore(m->b, fret);
    LLVMBuildBr(m->b, turn);
    LLVMInstructionEraseFromParent(fret);
    if (ret_phi) {
      LLVMValueRef rv = LLVMGetOperand(ret, 0);
      LLVMValueRef frv = vmap_get(&g->fwd, rv);
      if (!frv)
        frv = rv; /* a constant */
      LLVMAddIncoming(ret_phi, &frv, &b->fwd, 1);
    }
    LLVMValueRef c = LLVMConstInt(g->i32_ty, nret++, 0);
    LLVMAddIncoming(which, &c, &b->fwd, 1);
  }
  if (nret == 0) {
    gen_fail(g, LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(g->pc)), "never returns", NULL);
    return 0;
  }

  /* where the reverse starts: which return was taken */
  LLVMValueRef rwhich = which;
  LLVMValueRef mark = NULL;
  if (split) {
    /* the turn record: which return, and the heap shadows to free */
    LLVMTypeRef *fields = malloc((1 + g->nheap_shadows) * sizeof *fields);
    fields[0] = g->i32_ty;
    for (unsigned i = 0; i < g->nheap_shadows; ++i)
      fields[1 + i] = g->ptr_ty;
    LLVMTypeRef rec_ty = LLVMStructTypeInContext(m->ctx, fields, 1 + g->nheap_shadows, 0);
    free(fields);
    LLVMPositionBuilderAtEnd(m->b, turn);
    LLVMValueRef rec = LLVMBuildInsertValue(m->b, LLVMGetUndef(rec_ty), which, 0, "");
    for (unsigned i = 0; i < g->nheap_shadows; ++i)
      rec = LLVMBuildInsertValue(m->b, rec, g->heap_shadows[i], 1 + i, "");
    tape_push(g, rec);
    LLVMTypeRef aug_ret = LLVMGetReturnType(LLVMGlobalGetValueType(g->g));
    LLVMValueRef agg = LLVMBuildInsertValue(m->b, LLVMGetUndef(aug_ret), g->tape, 0, "");
    if (has_ret)
      agg = LLVMBuildInsertValue(m->b, agg, ret_phi, 1, "");
    LLVMBuildRet(m->b, agg);
    /* the reverse function marks the tape (to rewind it if kept), then
       pops the turn record first (after its slot allocas) */
    LLVMPositionBuilderAtEnd(m->b, rstart);
    mark = LLVMBuildAlloca(g->ab, LLVMArrayType2(g->i64_ty, 5), "ct.mark");
    LLVMTypeRef mparams[2] = {g->ptr_ty, g->ptr_ty};
    LLVMValueRef margs[2] = {g->rev_tape, mark};
    ir_build_call(m->b, m->mod, "__ct_tape_mark", LLVMFunctionType(voidt, mparams, 2, 0), margs, 2, "");
    LLVMValueRef popped = tape_pop(g, rec_ty);
    rwhich = LLVMBuildExtractValue(m->b, popped, 0, "ct.which");
    for (unsigned i = 0; i < g->nheap_shadows; ++i)
      g->heap_shadows[i] = LLVMBuildExtractValue(m->b, popped, 1 + i, "");
  } else {
    LLVMPositionBuilderAtEnd(m->b, turn);
  }
  LLVMValueRef sw = LLVMBuildSwitch(m->b, rwhich, done, nret);
  int seeded = 0;
  LLVMValueRef a_return = NULL; /* where to report a constant result */
  int held = 0;                 /* ... unless ct_without_derivative made it so */
  nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!cfg_is_return_block(b->bb))
      continue;
    LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "rev.start");
    LLVMAddCase(sw, LLVMConstInt(g->i32_ty, nret++, 0), edge);
    LLVMPositionBuilderAtEnd(m->b, edge);
    if (spec->ret_active && has_ret) {
      a_return = LLVMGetBasicBlockTerminator(b->bb);
      LLVMValueRef rv = LLVMGetOperand(a_return, 0);
      if (adjoint_has(g, rv)) {
        adjoint_add(g, rv, seed);
        seeded = 1;
      } else {
        held |= activity_held_constant(spec, g->pc, rv);
      }
    }
    LLVMBuildBr(m->b, b->rev);
  }
  if (spec->ret_active && has_ret && !seeded && !held && !split) {
    size_t len = 0;
    const char *fname = LLVMGetValueName2(g->user_fn, &len);
    diag_report(g->user_fn, a_return, CT_SEV_WARNING,
                "the result of '%.*s' does not depend on its differentiable arguments; its derivative "
                "is always zero",
                (int)len, fname);
  }

  /* reverse blocks */
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
    reverse_block(g, &g->blocks[i], done);
  if (g->failed)
    return 0;

  /* results: { [value], d(active args)... } */
  LLVMPositionBuilderAtEnd(m->b, done);
  LLVMValueRef agg = LLVMGetUndef(result_struct);
  unsigned field = 0;
  if (spec->want_value && has_ret && !split)
    agg = LLVMBuildInsertValue(m->b, agg, ret_phi, field++, "");
  for (unsigned i = 0; i < spec->nparams; ++i) {
    if (spec->act[i] != ACT_ACTIVE)
      continue;
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    LLVMValueRef a = adjoint_has(g, p) ? LLVMBuildLoad2(m->b, LLVMTypeOf(p), adjoint_slot(g, p), "")
                                                : LLVMConstNull(LLVMTypeOf(p));
    agg = LLVMBuildInsertValue(m->b, agg, a, field++, "");
  }
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    release_shadow(g, g->heap_shadows[i], LLVMConstInt(g->i64_ty, g->heap_shadow_bytes[i], 0));
  if (split) {
    /* kept: rewind the tape for the next application; else destroy it */
    LLVMBasicBlockRef rewind = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rewind");
    LLVMBasicBlockRef destroy = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.destroy");
    LLVMBuildCondBr(m->b, g->keep, rewind, destroy);
    LLVMPositionBuilderAtEnd(m->b, rewind);
    LLVMTypeRef mparams[2] = {g->ptr_ty, g->ptr_ty};
    LLVMValueRef margs[2] = {g->rev_tape, mark};
    ir_build_call(m->b, m->mod, "__ct_tape_rewind", LLVMFunctionType(voidt, mparams, 2, 0), margs, 2, "");
    LLVMBuildRet(m->b, agg);
    LLVMPositionBuilderAtEnd(m->b, destroy);
  }
  if (g->rev_tape)
    build_call0(g, m->b, "__ct_tape_destroy", voidt, g->rev_tape);
  LLVMBuildRet(m->b, agg);
  LLVMBuildBr(g->sb, g->blocks[0].fwd);
  if (split)
    LLVMBuildBr(g->ab, rstart);
  return 1;
}

static int build_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, LLVMValueRef *fwd_fn,
                          LLVMValueRef *rev_fn);

/* The recursion (gen.h, ct_callee_gradient): a callee's split pair, generated
 * by this same driver, or another file's by its stable names. */
static int callee_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out) {
  if (LLVMIsDeclaration(spec->fn))
    return contract_external_pair(m, spec, out);
  return build_gradient(m, spec, site, &out->aug, &out->rev);
}

/* Creates the functions for `spec` (so recursive calls find them), then
 * generates their bodies. On failure deletes them and returns 0. */
static int build_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, LLVMValueRef *fwd_fn,
                          LLVMValueRef *rev_fn) {
  char *name = signature_name(spec);
  char *rname = util_format("%s.rev", name);
  LLVMValueRef existing = LLVMGetNamedFunction(m->mod, name);
  if (existing) {
    *fwd_fn = existing;
    if (spec->split)
      *rev_fn = LLVMGetNamedFunction(m->mod, rname);
    free(name);
    free(rname);
    return *fwd_fn != NULL && (!spec->split || *rev_fn);
  }
  ct_gen g = {.m = m, .spec = spec, .user_fn = spec->fn, .atomic_shadow_adds = spec->concurrent,
             .callee_gradient = callee_gradient};
  g.pc = prepare_primal(m, spec->fn);
  if (!g.pc) { /* reported */
    *fwd_fn = *rev_fn = NULL;
    return 0;
  }
  g.ptr_ty = LLVMPointerTypeInContext(m->ctx, 0);
  g.i64_ty = LLVMInt64TypeInContext(m->ctx);
  g.i32_ty = LLVMInt32TypeInContext(m->ctx);
  g.atomic_shadow_adds = spec->concurrent || gpu_module_is_simt(m->mod);
  LLVMTypeRef result_struct;
  LLVMTypeRef gty = signature_combined(m, spec, &result_struct);
  if (spec->split) {
    LLVMTypeRef aug_ty, rev_ty;
    signature_split(m, spec, &aug_ty, &rev_ty);
    g.g = LLVMAddFunction(m->mod, name, aug_ty);
    g.rg = LLVMAddFunction(m->mod, rname, rev_ty);
    set_internal(&g, g.rg);
  } else {
    g.g = g.rg = LLVMAddFunction(m->mod, name, gty);
  }
  free(name);
  free(rname);
  set_internal(&g, g.g);
  vmap_init(&g.block_index);
  vmap_init(&g.fwd);
  vmap_init(&g.shadow);
  vmap_init(&g.rev_args);
  vmap_init(&g.rev_arg_shadows);
  vmap_init(&g.active);
  vmap_init(&g.slot);
  vmap_init(&g.call_aug);
  vmap_init(&g.call_rev);
  vmap_init(&g.call_tape);
  vmap_init(&g.global_shadows);
  vmap_init(&g.hoisted);
  vmap_init(&g.deferred_free);
  vmap_init(&g.unchanged_loads);
  vmap_init(&g.iv_headers);
  vmap_init(&g.iv_steps);
  vmap_init(&g.iv_counted);
  vmap_init(&g.iv_starts);
  vmap_init(&g.kept);
  vmap_init(&g.self_shadowed);
  for (int k = 0; k < 3; ++k)
    vmap_init(&g.popped[k]);
  g.nloops = ct_bridge_loop_trip_counts(g.pc, &g.loops, &g.loop_blocks);
  if (getenv("COTANGENT_DEBUG")) {
    LLVMDumpValue(g.pc);
    for (unsigned i = 0; i < g.nloops; ++i)
      fprintf(stderr, "cotangent: loop %u header %s exit %s trips %s blocks %u\n", i,
              LLVMGetBasicBlockName(g.loops[i].header),
              g.loops[i].exit ? LLVMGetBasicBlockName(g.loops[i].exit) : "-", g.loops[i].trip_count ? "yes" : "no",
              g.loops[i].nblocks);
  }
  batch_add_counters(&g);
  cfg_analyse(&g);
  activity_analyze(spec, g.pc, &g.active);
  int ok = generate(&g, result_struct);
  if (g.ab)
    LLVMDisposeBuilder(g.ab);
  if (g.sb)
    LLVMDisposeBuilder(g.sb);
  LLVMValueRef fns[2] = {g.g, g.rg};
  unsigned nfns = spec->split ? 2 : 1;
  for (unsigned i = 0; i < nfns && ok && getenv("COTANGENT_DUMP_GRADIENT"); ++i)
    LLVMDumpValue(fns[i]);
  for (unsigned i = 0; i < nfns && ok; ++i)
    if (LLVMVerifyFunction(fns[i], LLVMPrintMessageAction)) {
      if (getenv("COTANGENT_DEBUG"))
        LLVMDumpValue(fns[i]);
      diag_report(spec->fn, site, CT_SEV_ERROR,
                  "internal error: Cotangent generated invalid code for this gradient; please report");
      ok = 0;
    }
  for (unsigned i = 0; i < nfns; ++i) {
    if (!ok) {
      /* callers generated meanwhile may refer to it: leave a valid stub */
      LLVMBasicBlockRef bb;
      while ((bb = LLVMGetFirstBasicBlock(fns[i])))
        LLVMDeleteBasicBlock(bb);
      LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, fns[i], "failed"));
      LLVMBuildUnreachable(m->b);
      continue;
    }
    if (g.tape) /* the tape's fast paths, linked by runtime_link_tape */
      ct_bridge_inline_calls(fns[i], NULL, "__ct_tape_"); /* only the tape: other callees may be unfinished */
    ct_bridge_simplify_function(fns[i]);
  }
  if (ok)
    sincos_mark_module(m->mod);
  for (unsigned i = 0; i < g.nblocks; ++i) {
    free(g.blocks[i].preds);
    free(g.blocks[i].needs);
  }
  free(g.blocks);
  free(g.loop_counters);
  free(g.heap_shadows);
  free(g.heap_shadow_bytes);
  free(g.loops);
  free(g.loop_blocks);
  vmap_free(&g.block_index);
  vmap_free(&g.fwd);
  vmap_free(&g.shadow);
  vmap_free(&g.rev_args);
  vmap_free(&g.rev_arg_shadows);
  vmap_free(&g.active);
  vmap_free(&g.slot);
  vmap_free(&g.call_aug);
  vmap_free(&g.call_rev);
  vmap_free(&g.call_tape);
  vmap_free(&g.global_shadows);
  vmap_free(&g.hoisted);
  vmap_free(&g.deferred_free);
  vmap_free(&g.unchanged_loads);
  vmap_free(&g.kept);
  vmap_free(&g.self_shadowed);
  vmap_free(&g.iv_headers);
  vmap_free(&g.iv_steps);
  vmap_free(&g.iv_counted);
  vmap_free(&g.iv_starts);
  for (int k = 0; k < 3; ++k)
    vmap_free(&g.popped[k]);
  *fwd_fn = g.g;
  *rev_fn = g.rg;
  return ok;
}

LLVMValueRef gradient_get(ct_module *m, const ct_spec *spec, LLVMValueRef site) {
  LLVMValueRef f = NULL, r = NULL;
  return build_gradient(m, spec, site, &f, &r) ? f : NULL;
}

int gradient_get_split(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out) {
  return build_gradient(m, spec, site, &out->aug, &out->rev);
}

void gradient_finish(ct_module *m) { prepare_finish(m); }
