/* Tape planning: what each reverse block needs from the forward part (the
 * primal values, shadows and callee tapes its instructions' reverses use,
 * by their kind: classify.c), and how each gets there. A value is taken
 * directly from a block that runs once before the return (cfg.c: stable),
 * recomputed in the reverse block when that is no worse than taping it
 * (cheap pure instructions; loads of memory nothing writes after them:
 * memory.c), counted down (a loop's induction variable), taped once per
 * run of a loop around the block (invariant there), or else recorded on
 * the tape with the block's other values (tape.c). Which predecessor came
 * before a join block is told by an induction variable or a branch
 * condition where one can (find_iv, find_guard); loops with a known trip
 * count keep their blocks' records in arrays (batch.c). */
#include "gen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Block b's reverse needs v as `kind` (planned already): a look at the
 * kinds of v in b's needs (b->need_kinds), not a search of them. */
static int has_need(const ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  return b->need_kinds && ((uintptr_t)vmap_get(b->need_kinds, v) >> kind & 1);
}

/* Records that b's reverse needs v as `kind`, as is. */
static void add_need(ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  if (!(b->nneeds & (b->nneeds - 1))) /* 0, 1, 2, 4, ...: room for as many again */
    b->needs = realloc(b->needs, (b->nneeds ? 2 * b->nneeds : 1) * sizeof *b->needs);
  b->needs[b->nneeds++] = (ct_need){v, kind};
  if (!b->need_kinds) {
    b->need_kinds = malloc(sizeof *b->need_kinds);
    vmap_init(b->need_kinds);
  }
  uintptr_t kinds = (uintptr_t)vmap_get(b->need_kinds, v) | (uintptr_t)1 << kind;
  vmap_set(b->need_kinds, v, (LLVMValueRef)kinds);
}

/* ---- recompute rather than cache ----
 * A value the reverse needs can be recomputed there from other values when
 * it is a cheap pure instruction, or a load of memory that no write (and no
 * call) can change after the load ran. */

static int is_cheap(ct_gen *g, ct_block *b, LLVMValueRef v) {
  if (!LLVMIsAInstruction(v))
    return 0;
  switch (LLVMGetInstructionOpcode(v)) {
  case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFNeg:
  case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMShl: case LLVMLShr: case LLVMAShr:
  case LLVMAnd: case LLVMOr: case LLVMXor: case LLVMICmp: case LLVMFCmp: case LLVMSelect:
  case LLVMSExt: case LLVMZExt: case LLVMTrunc: case LLVMFPExt: case LLVMFPTrunc:
  case LLVMSIToFP: case LLVMUIToFP: case LLVMBitCast: case LLVMGetElementPtr: case LLVMFreeze:
    return 1;
  case LLVMLoad:
    return !LLVMGetVolatile(v) && (memory_reads_unchanged(g, v) || remat_restores(g, b, v));
  case LLVMCall: {
    /* intrinsics that are a few instructions */
    static const char *const CHEAP[] = {"llvm.fmuladd.", "llvm.fma.", "llvm.fabs.", "llvm.copysign.",
                                        "llvm.minnum.", "llvm.maxnum.", NULL};
    LLVMValueRef callee = LLVMGetCalledValue(v);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
    for (const char *const *c = CHEAP; *c; ++c)
      if (len > strlen(*c) && !strncmp(name, *c, strlen(*c)))
        return 1;
    return 0;
  }
  default:
    return 0;
  }
}

static int operand_count(LLVMValueRef v) { return LLVMGetNumOperands(v); }

/* v is there in b's reverse already: not an instruction, from a stable
 * block, or planned for b. */
static int available(ct_gen *g, ct_block *b, LLVMValueRef v) {
  if (!ir_is_local(v) || cfg_block_of(g, LLVMGetInstructionParent(v))->stable)
    return 1;
  return has_need(b, v, NEED_VALUE) || has_need(b, v, NEED_REMAT) || has_need(b, v, NEED_HOISTED) ||
         has_need(b, v, NEED_IV_EXIT);
}

/* The exit block of the outermost loop that contains b but not v's
 * definition (v is invariant there), if that loop has a unique exit reached
 * only from inside it; else NULL. */
static ct_block *hoist_target(ct_gen *g, ct_block *b, LLVMValueRef v) {
  LLVMBasicBlockRef def = LLVMGetInstructionParent(v);
  const unsigned *loops;
  unsigned nl = cfg_block_loops(g, b->bb, &loops);
  for (unsigned i = 0; i < nl; ++i) { /* the loops containing b, outer loops first */
    const ct_bridge_loop *l = &g->loops[loops[i]];
    if (!l->exit || cfg_loop_contains(g, l, def))
      continue;
    return cfg_block_of(g, l->exit);
  }
  return NULL;
}

/* The loop whose reverse counts the induction variable v down for block b
 * (v's header is the loop's, the loop has a dedicated exit and contains
 * b), or NULL. */
static const ct_bridge_loop *counting_loop(ct_gen *g, ct_block *b, LLVMValueRef v) {
  uintptr_t hdr = (uintptr_t)vmap_get(&g->iv_headers, v);
  if (!hdr)
    return NULL;
  LLVMBasicBlockRef header = g->blocks[hdr - 1].bb;
  const unsigned *loops;
  unsigned nl = cfg_block_loops(g, b->bb, &loops);
  for (unsigned i = 0; i < nl; ++i) { /* the loops containing b */
    const ct_bridge_loop *l = &g->loops[loops[i]];
    if (l->header == header && l->exit)
      return l;
  }
  return NULL;
}

/* Is v, in b's reverse, an induction variable counted down or a value taped
 * once per run of a loop around b (next to nothing per iteration)? */
static int once_per_loop_run(ct_gen *g, ct_block *b, LLVMValueRef v) {
  return counting_loop(g, b, v) || hoist_target(g, b, v) != NULL;
}

/* How many values would have to go on the tape to have v in b's reverse. */
static int tape_cost(ct_gen *g, ct_block *b, LLVMValueRef v, int depth) {
  if (available(g, b, v) || once_per_loop_run(g, b, v))
    return 0;
  if (depth <= 0 || !is_cheap(g, b, v))
    return 1;
  int c = 0, n = operand_count(v);
  for (int k = 0; k < n && c <= 1; ++k)
    c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
  return c;
}

/* Plans v's value for b's reverse: recomputed (from operands planned in
 * turn, up to `depth` deep), counted down, taped once per loop run, or
 * taped. */
static void need_value(ct_gen *g, ct_block *b, LLVMValueRef v, int depth) {
  if (available(g, b, v))
    return;
  if (depth > 0 && is_cheap(g, b, v)) {
    int c = 0, n = operand_count(v);
    for (int k = 0; k < n && c <= 1; ++k)
      c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
    if (c <= 1) { /* no worse than caching v itself */
      for (int k = 0; k < n; ++k)
        need_value(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
      add_need(b, v, NEED_REMAT);
      return;
    }
  }
  /* a loop's induction variable: counted down in the reverse pass from its
     last value, taped once at the exit */
  const ct_bridge_loop *counted = counting_loop(g, b, v);
  if (counted) {
    ct_block *ex = cfg_block_of(g, counted->exit), *h = cfg_block_of(g, counted->header);
    LLVMValueRef start = vmap_get(&g->iv_starts, v);
    if (has_need(ex, v, NEED_VALUE) || has_need(ex, v, NEED_IV_EXIT)) {
      /* planned already */
    } else if (counted->trip_count && tape_cost(g, ex, counted->trip_count, 3) == 0 &&
               tape_cost(g, ex, start, 3) == 0) {
      /* its last value follows from its start and the trip count, both
         free at the exit: nothing on the tape */
      need_value(g, ex, counted->trip_count, 3);
      need_value(g, ex, start, 3);
      add_need(ex, v, NEED_IV_EXIT);
    } else {
      add_need(ex, v, NEED_VALUE);
    }
    vmap_set(&g->hoisted, v, v);
    add_need(b, v, NEED_HOISTED);
    if (!has_need(h, v, NEED_HOISTED)) /* the header's reverse steps it back */
      add_need(h, v, NEED_HOISTED);
    vmap_set(&g->iv_counted, v, v);
    return;
  }
  ct_block *exit = hoist_target(g, b, v);
  if (exit) { /* once per run of the loop, not once per iteration */
    if (!has_need(exit, v, NEED_VALUE))
      add_need(exit, v, NEED_VALUE);
    vmap_set(&g->hoisted, v, v);
    add_need(b, v, NEED_HOISTED);
    return;
  }
  add_need(b, v, NEED_VALUE);
}

/* Records that the reverse of block b uses `v` (or its shadow, or its
 * callee tape). */
static void need(ct_gen *g, ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  if (!ir_is_local(v))
    return;
  if (kind == NEED_VALUE) {
    need_value(g, b, v, 4);
    return;
  }
  if (kind == NEED_SHADOW && LLVMIsAGetElementPtrInst(v) && vmap_get(&g->active, LLVMGetOperand(v, 0))) {
    /* shadow of a GEP: the same GEP on the base's shadow, if the indices
       come cheaply (the base's shadow is needed in its place) */
    int c = 0, n = LLVMGetNumOperands(v);
    for (int k = 1; k < n; ++k)
      c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), 3);
    if (c <= 1) { /* no worse than caching the shadow pointer itself */
      for (int k = 1; k < n; ++k)
        need_value(g, b, LLVMGetOperand(v, (unsigned)k), 3);
      need(g, b, LLVMGetOperand(v, 0), NEED_SHADOW);
      if (!has_need(b, v, NEED_REMAT_SHADOW))
        add_need(b, v, NEED_REMAT_SHADOW);
      return;
    }
  }
  ct_block *def = cfg_block_of(g, LLVMGetInstructionParent(v));
  if (def->stable || has_need(b, v, kind) || has_need(b, v, NEED_HOISTED_SHADOW))
    return;
  ct_block *exit = kind == NEED_SHADOW ? hoist_target(g, b, v) : NULL;
  if (exit) { /* a shadow invariant in loops around b: once per run of the outermost */
    need(g, exit, v, NEED_SHADOW);
    vmap_set(&g->hoisted_shadows, v, v);
    add_need(b, v, NEED_HOISTED_SHADOW);
    return;
  }
  add_need(b, v, kind);
}

/* A differentiated call: the callee's split gradient for the activity of
 * this call's arguments (or its canonical one), and the arguments, shadows
 * and callee tape the reverse needs. */
static void plan_call(ct_gen *g, ct_block *b, LLVMValueRef call) {
  ct_spec spec;
  ct_split split;
  if (!classify_call_spec(g, call, &spec))
    return;
  /* what a callee with a body allocates and hands back stays ours (a tree's
     nodes inserted by a recursive helper): its reverse frees the shadows */
  if (!LLVMIsDeclaration(spec.fn))
    spec.owns_escaping = g->spec->owns_escaping || !stored_pointers_call_reaches_caller(g, call);
  /* a callee with a body pushes onto our tape (one tape for a whole
     recursion), unless threads run it (each thread needs its own) */
  int recompute = checkpoint_is_recompute_call(call); /* its own tape, made in our reverse */
  spec.shared_tape = !recompute && !LLVMIsDeclaration(spec.fn) && !spec.concurrent && !g->atomic_shadow_adds;
  if ((recompute && !checkpoint_check_call(g, call, &spec)) || !g->callee_gradient(g->m, &spec, call, &split)) {
    g->failed = 1;
    return;
  }
  vmap_set(&g->call_aug, call, split.aug);
  vmap_set(&g->call_rev, call, split.rev);
  for (unsigned i = 0; i < spec.nparams; ++i) {
    need(g, b, LLVMGetOperand(call, i), NEED_VALUE);
    if (spec.act[i] == ACT_DUP)
      need(g, b, LLVMGetOperand(call, i), NEED_SHADOW);
  }
  if (recompute) { /* the tape keeps only the arguments and their memory */
    if (checkpoint_reruns_with_count(call)) /* and a while loop's count, for its run again */
      need(g, b, call, NEED_VALUE);
    checkpoint_remark(g, call);
    g->shares_tape |= checkpoint_keeps_memory(call);
  } else if (spec.shared_tape)
    g->shares_tape = 1;
  else /* the callee's tape is always on our tape, even from a stable block */
    add_need(b, call, NEED_CALL_TAPE);
}

/* OpenMP (omp.c): a fork is planned as a call of its region's split
 * gradient; the fork and the synchronisation the reverse mirrors need what
 * omp_needs lists (a fork's region record always on the tape). */
static void plan_omp(ct_gen *g, ct_block *b, LLVMValueRef inst) {
  ct_spec spec = {0};
  if (ir_is_omp_fork(inst)) {
    ct_split split;
    if (!omp_fork_spec(g, inst, &spec))
      return;
    if (!g->callee_gradient(g->m, &spec, inst, &split)) {
      g->failed = 1;
      return;
    }
    vmap_set(&g->call_aug, inst, split.aug);
    vmap_set(&g->call_rev, inst, split.rev);
  }
  ct_need needs[OMP_MAX_NEEDS];
  unsigned n = omp_needs(g, inst, &spec, needs);
  for (unsigned k = 0; k < n; ++k) {
    if (needs[k].kind == NEED_CALL_TAPE)
      add_need(b, needs[k].value, NEED_CALL_TAPE);
    else
      need(g, b, needs[k].value, needs[k].kind);
  }
}

/* Is b the header of a loop with a dedicated exit that does not contain
 * v's definition? Then v can be taped once per run of the loop. */
static int defined_before_loop(ct_gen *g, ct_block *b, LLVMValueRef v) {
  const unsigned *loops;
  unsigned nl = cfg_block_loops(g, b->bb, &loops); /* a header is in its loops */
  for (unsigned i = 0; i < nl; ++i) {
    const ct_bridge_loop *l = &g->loops[loops[i]];
    if (l->header == b->bb)
      return l->exit && !cfg_loop_contains(g, l, LLVMGetInstructionParent(v));
  }
  return 0;
}

/* For a two-predecessor block: an integer phi that starts at a value
 * available in the reverse pass and steps by a non-zero constant without
 * wrapping (nsw/nuw) on the other edge: it equals its start exactly when
 * the block is entered from the start edge. */
static void find_iv(ct_gen *g, ct_block *b) {
  if (b->npreds != 2)
    return;
  for (LLVMValueRef phi = LLVMGetFirstInstruction(b->bb); phi && LLVMIsAPHINode(phi);
       phi = LLVMGetNextInstruction(phi)) {
    if (LLVMGetTypeKind(LLVMTypeOf(phi)) != LLVMIntegerTypeKind || LLVMCountIncoming(phi) != 2)
      continue;
    for (unsigned s = 0; s < 2; ++s) {
      LLVMValueRef start = LLVMGetIncomingValue(phi, s), step = LLVMGetIncomingValue(phi, 1 - s);
      int start_ok = !ir_is_local(start) || cfg_block_of(g, LLVMGetInstructionParent(start))->stable ||
                     defined_before_loop(g, b, start);
      if (!start_ok || !LLVMIsAInstruction(step))
        continue;
      LLVMOpcode op = LLVMGetInstructionOpcode(step);
      if ((op != LLVMAdd && op != LLVMSub) || LLVMGetOperand(step, 0) != phi ||
          !LLVMIsAConstantInt(LLVMGetOperand(step, 1)) || LLVMConstIntGetZExtValue(LLVMGetOperand(step, 1)) == 0 ||
          !(LLVMGetNSW(step) || LLVMGetNUW(step)))
        continue;
      LLVMBasicBlockRef start_bb = LLVMGetIncomingBlock(phi, s);
      unsigned idx = b->preds[0] == start_bb ? 0 : b->preds[1] == start_bb ? 1 : 2;
      if (idx == 2)
        continue;
      if (!b->iv) { /* the first tells the predecessor */
        b->iv = phi;
        b->iv_start = start;
        b->iv_start_pred = idx;
      }
      vmap_set(&g->iv_headers, phi, (LLVMValueRef)(uintptr_t)(b - g->blocks + 1));
      vmap_set(&g->iv_steps, phi, step);
      vmap_set(&g->iv_starts, phi, start);
      break;
    }
  }
  if (b->iv) {
    need(g, b, b->iv, NEED_VALUE);
    need(g, b, b->iv_start, NEED_VALUE); /* hoisted to the loop's exit unless stable */
  }
}

/* Is `other` entered only through the edge from `guard` to `side`: side
 * is other, or the preheader of a loop whose (dedicated) exit is other,
 * with guard as side's only predecessor, and other goes straight to b? */
static int reached_only_through(ct_gen *g, LLVMBasicBlockRef guard, LLVMBasicBlockRef side, LLVMBasicBlockRef other,
                                LLVMBasicBlockRef b) {
  ct_block *sb = cfg_block_of(g, side);
  if (!sb || sb->npreds != 1 || sb->preds[0] != guard)
    return 0;
  LLVMValueRef t = LLVMGetBasicBlockTerminator(other);
  if (!t || LLVMGetNumSuccessors(t) != 1 || LLVMGetSuccessor(t, 0) != b)
    return 0;
  if (side == other)
    return 1;
  const unsigned *loops;
  unsigned nl = cfg_exit_loops(g, other, &loops);
  for (unsigned i = 0; i < nl; ++i)
    if (g->loops[loops[i]].preheader == side)
      return 1;
  return 0;
}

/* For a two-predecessor block b without an induction variable: one
 * predecessor (the guard) branches on a condition either to b or to a side
 * path that reaches b only through the other predecessor (an if without
 * else, a loop's zero-trip guard). When the condition is free to have in
 * b's reverse, it tells the predecessor: nothing goes on the tape. */
static void find_guard(ct_gen *g, ct_block *b) {
  if (b->npreds != 2 || b->iv)
    return;
  for (unsigned k = 0; k < 2; ++k) {
    LLVMBasicBlockRef guard = b->preds[k], other = b->preds[1 - k];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(guard);
    if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t))
      continue;
    LLVMBasicBlockRef s0 = LLVMGetSuccessor(t, 0), s1 = LLVMGetSuccessor(t, 1);
    if ((s0 == b->bb) == (s1 == b->bb))
      continue;
    LLVMBasicBlockRef side = s0 == b->bb ? s1 : s0;
    LLVMValueRef cond = LLVMGetCondition(t);
    if (!reached_only_through(g, guard, side, other, b->bb) || tape_cost(g, b, cond, 3) != 0)
      continue;
    need_value(g, b, cond, 3);
    b->guard = cond;
    b->guard_true_pred = side == s0 ? 1 - k : k; /* the condition holds: the side path */
    return;
  }
}

/* Loop-indexed records (batch.c): every block with a record whose
 * innermost loop has an iteration counter keeps its records in an array per
 * loop run; it then needs the counter (counted down in the reverse pass),
 * and the preheader needs the trip count to pop the array. Batching a block
 * may give its loop's exit a record, which may be batched in turn. */
static void plan_batches(ct_gen *g) {
  for (int changed = 1; changed && !g->failed;) {
    changed = 0;
    for (unsigned i = 0; i < g->nblocks; ++i) {
      ct_block *b = &g->blocks[i];
      if (b->batch)
        continue;
      LLVMTypeRef rec = tape_record_type(g, b);
      int l = rec ? batch_innermost_loop(g, b->bb) : -1;
      LLVMValueRef counter = l >= 0 ? g->loop_counters[l] : NULL;
      if (!counter || !vmap_get(&g->iv_headers, counter))
        continue;
      ct_block *exit = cfg_block_of(g, g->loops[l].exit);
      ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
      if (tape_exit_arrays(g, exit, arrays, TAPE_MAX_EXIT_ARRAYS) == TAPE_MAX_EXIT_ARRAYS)
        continue;
      need(g, b, counter, NEED_VALUE);
      if (!has_need(b, counter, NEED_HOISTED)) {
        /* not counted down after all: keep pushing (rare; checked, not assumed) */
        continue;
      }
      b->batch = l + 1;
      need(g, cfg_block_of(g, g->loops[l].preheader), g->loops[l].trip_count, NEED_VALUE);
      changed = 1;
    }
  }
}

/* remat.c's cost of a live-in: what tape_cost says, at most 1. */
static int live_in_cost(ct_gen *g, ct_block *b, LLVMValueRef v) { return tape_cost(g, b, v, 3) > 0; }

/* Loops whose iterations the reverse recomputes (remat.c): the values
 * each recomputation takes, then its marker, lead its latch's needs. */
static void plan_iterations(ct_gen *g) {
  unsigned n = remat_choose(g, live_in_cost);
  for (unsigned k = 0; k < n; ++k) {
    ct_block *latch = remat_latch(g, k);
    LLVMValueRef *ins;
    unsigned nins = remat_live_ins(g, k, &ins);
    for (unsigned i = 0; i < nins; ++i)
      need(g, latch, ins[i], NEED_VALUE);
    add_need(latch, remat_marker(g, k), NEED_ITERATION);
  }
}

/* Only what the expressions for the active operands use (a complex
 * operand: both its arguments). */
static void plan_rule(ct_gen *g, ct_block *b, LLVMValueRef inst) {
  const ct_rule *rule = classify_rule(inst);
  ct_rule_operands ops;
  if (!classify_rule_operands(g, inst, rule, &ops))
    return; /* reported by the reverse */
  for (unsigned k = 0; k < rule->noperands; ++k)
    for (unsigned j = 0; ops.uses[k] && j < ops.nargs[k]; ++j)
      need(g, b, LLVMGetOperand(inst, ops.first[k] + j), NEED_VALUE);
  if (ops.uses[RULE_MAX_OPERANDS])
    need(g, b, inst, NEED_VALUE);
}

int plan_copy_clears_only(ct_gen *g, LLVMValueRef copy, const ct_layout *layout) {
  return layout->kind == CT_LAYOUT_UNKNOWN && !vmap_get(&g->active, LLVMGetOperand(copy, 1)) &&
         !stored_pointers_copies_pointers(g, copy);
}

/* A memcpy/memmove (or memset, with `copy` 0): the shadows of both ends, and
 * the length. A copy of integers and pointers only (whose shadows the
 * forward pass copies: stored_pointers.c) has no reverse. */
static void plan_copy(ct_gen *g, ct_block *b, LLVMValueRef inst, int copy) {
  if (copy) {
    ct_layout layout;
    layout_of_copy(inst, &layout);
    int moves = layout.kind == CT_LAYOUT_UNIFORM || layout.kind == CT_LAYOUT_FIELDS ||
                plan_copy_clears_only(g, inst, &layout);
    int pointers = stored_pointers_copies_pointers(g, inst);
    if (!moves && !(pointers && !layout.fp_seen) && layout.kind != CT_LAYOUT_NO_FP) {
      char *what = util_format("copies memory whose element type Cotangent cannot deduce (%s)", layout.why);
      gen_fail(g, inst, what,
               "access the data as double or float in the function, or copy it element by element");
      free(what);
    }
    layout_free(&layout);
    if ((pointers && !stored_pointers_check_copy(g, inst)) || !moves)
      return;
    if (vmap_get(&g->active, LLVMGetOperand(inst, 1)))
      need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
  }
  need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
  need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
}

/* A call with a custom derivative: its arguments, and their shadows. */
static void plan_custom(ct_gen *g, ct_block *b, LLVMValueRef inst) {
  custom_check_memory(g, inst);
  unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, k);
    need(g, b, op, NEED_VALUE);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(&g->active, op))
      need(g, b, op, NEED_SHADOW);
  }
}

/* What the reverse of `inst` (in block b) needs, by its kind. */
static void plan_instruction(ct_gen *g, ct_block *b, LLVMValueRef inst) {
  ct_rev_kind kind = classify(g, inst);
  switch (kind) {
  case REV_RULE:
    plan_rule(g, b, inst);
    break;
  case REV_LOAD:
    need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
    if (stored_pointers_maybe_self(g, LLVMGetOperand(inst, 0))) /* compared with its shadow */
      need(g, b, LLVMGetOperand(inst, 0), NEED_VALUE);
    break;
  case REV_ALLOC:
    heap_plan(g, b, inst, need);
    break;
  case REV_LANES:
    if (LLVMIsACallInst(inst) && LLVMGetNumArgOperands(inst) == 1) {
      /* fmax/fmin reductions compare the lanes with the result */
      need(g, b, LLVMGetOperand(inst, 0), NEED_VALUE);
      need(g, b, inst, NEED_VALUE);
    } else if (LLVMGetInstructionOpcode(inst) == LLVMExtractElement)
      need(g, b, LLVMGetOperand(inst, 1), NEED_VALUE);
    else if (LLVMGetInstructionOpcode(inst) == LLVMInsertElement)
      need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
    break;
  case REV_STORE:
    need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
    if (stored_pointers_maybe_self(g, LLVMGetOperand(inst, 1)))
      need(g, b, LLVMGetOperand(inst, 1), NEED_VALUE);
    break;
  case REV_NONE:
    if (gpu_is_barrier(inst)) /* mirrored with the same ids and masks */
      for (unsigned k = 0; k < (unsigned)LLVMGetNumArgOperands(inst); ++k)
        need(g, b, LLVMGetOperand(inst, k), NEED_VALUE);
    break;
  case REV_ATOMIC_ADD:
    if (adjoint_has(g, LLVMGetOperand(inst, 1)))
      need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
    break;
  case REV_MASKED_LOAD: /* (ptr, align, mask, passthru) */
    need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
    need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
    break;
  case REV_MASKED_STORE: /* (value, ptr, align, mask) */
    need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
    need(g, b, LLVMGetOperand(inst, 3), NEED_VALUE);
    break;
  case REV_MEMCPY:
  case REV_MEMSET:
    plan_copy(g, b, inst, kind == REV_MEMCPY);
    break;
  case REV_CALL:
    plan_call(g, b, inst);
    break;
  case REV_OMP_FORK:
  case REV_OMP_SYNC:
    plan_omp(g, b, inst);
    break;
  case REV_CUSTOM:
    plan_custom(g, b, inst);
    break;
  case REV_UNSUPPORTED:
    classify_report_unsupported(g, inst);
    break;
  default:
    break;
  }
}

void plan_tape(ct_gen *g) {
  if (!g->spec->split)
    classify_warn_lossy_conversions(g);
  classify_reject_atomics(g);
  fused_choose(g); /* fused blocks' reverse needs nothing */
  for (unsigned i = 0; i < g->nblocks; ++i)
    if (!g->blocks[i].fused)
      find_iv(g, &g->blocks[i]);
  for (unsigned i = 0; i < g->nblocks; ++i)
    if (!g->blocks[i].fused)
      find_guard(g, &g->blocks[i]);
  plan_iterations(g);
  stored_pointers_plan(g);
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i) {
    ct_block *b = &g->blocks[i];
    for (LLVMValueRef inst = b->fused ? NULL : LLVMGetFirstInstruction(b->bb); inst && !g->failed;
         inst = LLVMGetNextInstruction(inst))
      plan_instruction(g, b, inst);
  }
  if (!g->failed)
    plan_batches(g);
  if (!g->failed)
    remat_remark(g);
  /* mallocs the reverse pass reads: their reverse frees them */
  for (size_t i = 0; i < g->deferred_free.cap && !g->failed; ++i)
    if (g->deferred_free.keys[i])
      need(g, cfg_block_of(g, LLVMGetInstructionParent(g->deferred_free.keys[i])), g->deferred_free.keys[i],
           NEED_VALUE);
}
