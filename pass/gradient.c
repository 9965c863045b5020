/* The driver: builds one gradient from a spec (gradient_get).
 *
 * Once per (function, activity) pair it generates one function (two in
 * split mode: an augmented forward and a reverse) with three parts:
 *
 *   alloca block   adjoint slots (one zeroed alloca per active value, which
 *                  LLVM's SROA turns back into SSA), shadow allocas, tape
 *   forward        a copy of the prepared primal's CFG (forward.c); returns
 *                  become a jump to the turn, then the reverse part. Each
 *                  block with several predecessors records which one it
 *                  came from, and each block records the primal values its
 *                  reverse will need that are not available there otherwise
 *                  (planned by plan.c, laid out by tape.c).
 *   reverse        one block per primal block (reverse.c), visited in
 *                  exactly the reverse order of the forward path: takes its
 *                  values, propagates adjoints through its active
 *                  instructions (rules.c) in reverse order, then moves the
 *                  phi adjoints along the edge it came from.
 *
 * Values of blocks that run once and dominate the return are used directly
 * (no tape); everything else goes through the runtime tape (lib/tape.h),
 * LIFO, one record per block execution. Memory reached through duplicated
 * pointers has shadows: a load's reverse adds into the shadow, a store's
 * reverse takes the shadow's adjoint and zeroes it.
 *
 * The stages, in the order data flows: prepare.c (the primal in canonical
 * SSA form), cfg.c and activity.c (analyses), plan.c (what each reverse
 * block needs), forward.c, reverse.c. A differentiated call needs its
 * callee's split gradient: planning asks this driver for it through
 * ct_gen.callee_gradient (gen.h), the one call back up. */
#include "gen.h"
#include "release.h"

#include <llvm-c/Analysis.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int build_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, LLVMValueRef *fwd_fn,
                          LLVMValueRef *rev_fn);

/* The recursion (gen.h, ct_callee_gradient): a callee's split pair, generated
 * by this same driver, or another file's by its stable names. */
static int callee_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out) {
  if (LLVMIsDeclaration(spec->fn))
    return contract_external_pair(m, spec, out);
  return build_gradient(m, spec, site, &out->aug, &out->rev);
}

/* ---- the state of one gradient ---- */

/* Every value map of ct_gen, once: gen_init and gen_free go over them. */
static const size_t VALUE_MAPS[] = {
    offsetof(ct_gen, block_index),    offsetof(ct_gen, fwd),           offsetof(ct_gen, shadow),
    offsetof(ct_gen, rev_args),       offsetof(ct_gen, rev_arg_shadows), offsetof(ct_gen, active),
    offsetof(ct_gen, slot),           offsetof(ct_gen, call_aug),      offsetof(ct_gen, call_rev),
    offsetof(ct_gen, call_tape),      offsetof(ct_gen, global_shadows), offsetof(ct_gen, hoisted),
    offsetof(ct_gen, hoisted_shadows),
    offsetof(ct_gen, deferred_free),  offsetof(ct_gen, unchanged_loads), offsetof(ct_gen, undone_stores),
    offsetof(ct_gen, undo_old),       offsetof(ct_gen, iv_headers),
    offsetof(ct_gen, iv_steps),       offsetof(ct_gen, iv_starts),     offsetof(ct_gen, iv_counted),
    offsetof(ct_gen, self_shadowed),  offsetof(ct_gen, string_replays), offsetof(ct_gen, popped[0]),
    offsetof(ct_gen, popped[1]),      offsetof(ct_gen, popped[2]),      offsetof(ct_gen, zeroed),
    offsetof(ct_gen, kept),
};
/* the maps lie together in ct_gen, from block_index to kept: a map added
   there and not listed above fails to compile */
_Static_assert(sizeof VALUE_MAPS / sizeof VALUE_MAPS[0] ==
                   (offsetof(ct_gen, kept) + sizeof(ct_vmap) - offsetof(ct_gen, block_index)) / sizeof(ct_vmap),
               "every value map of ct_gen is in VALUE_MAPS");

static ct_vmap *value_map(ct_gen *g, size_t i) { return (ct_vmap *)((char *)g + VALUE_MAPS[i]); }

/* A generator for `spec`, whose prepared primal is pc (the functions to
 * fill in are created next, by create_functions). */
static void gen_init(ct_gen *g, ct_module *m, const ct_spec *spec, LLVMValueRef pc) {
  *g = (ct_gen){.m = m, .spec = spec, .callee_gradient = callee_gradient, .user_fn = spec->fn, .pc = pc};
  g->ptr_ty = LLVMPointerTypeInContext(m->ctx, 0);
  g->i64_ty = LLVMInt64TypeInContext(m->ctx);
  g->i32_ty = LLVMInt32TypeInContext(m->ctx);
  g->atomic_shadow_adds = spec->concurrent || gpu_module_is_simt(m->mod);
  for (size_t i = 0; i < sizeof VALUE_MAPS / sizeof VALUE_MAPS[0]; ++i)
    vmap_init(value_map(g, i));
}

static void gen_free(ct_gen *g) {
  if (g->ab)
    LLVMDisposeBuilder(g->ab);
  if (g->sb)
    LLVMDisposeBuilder(g->sb);
  for (unsigned i = 0; i < g->nblocks; ++i) {
    free(g->blocks[i].preds);
    free(g->blocks[i].needs);
    if (g->blocks[i].need_kinds)
      vmap_free(g->blocks[i].need_kinds);
    free(g->blocks[i].need_kinds);
  }
  free(g->blocks);
  free(g->loop_counters);
  free(g->heap_shadows);
  free(g->heap_shadow_bytes);
  free(g->loops);
  free(g->loop_blocks);
  remat_free(g);
  fused_free(g);
  for (size_t i = 0; i < sizeof VALUE_MAPS / sizeof VALUE_MAPS[0]; ++i)
    vmap_free(value_map(g, i));
  memory_free(g);
  cfg_free(g);
}

/* COTANGENT_TIME: the CPU seconds of each stage of a gradient, to stderr
 * (a callee's gradient, generated while planning, shows its own lines, and
 * its time is also in its caller's "plan"). */
static double stage_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints the seconds since *since for `stage` of fn's gradient (when the
 * switch is set) and restarts *since. */
static void stage_done(LLVMValueRef fn, const char *stage, double *since) {
  if (!ct_switch(CT_SWITCH_TIME))
    return;
  double now = stage_clock();
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  fprintf(stderr, "cotangent: time %.*s %s %.3f s\n", (int)len, name, stage, now - *since);
  *since = stage_clock();
}

/* ---- the gradient's body ---- */

/* What the steps of generate hand on to each other. */
typedef struct {
  LLVMTypeRef result_struct;   /* { [value], d(active args)... } */
  LLVMTypeRef ret_ty;          /* the primal's return type */
  int has_ret;                 /* not void */
  LLVMValueRef seed;           /* the reverse's seed parameter, or NULL */
  unsigned next_param;         /* split: the reverse's tape and keep parameters */
  LLVMBasicBlockRef rstart;    /* split: the reverse function's start, after its slots */
  LLVMBasicBlockRef turn;      /* where the forward's returns go */
  LLVMBasicBlockRef done;      /* where the reverse of the entry block goes */
  LLVMValueRef ret_phi, which; /* at the turn: the value returned, which return */
  LLVMValueRef ret_shadow_phi; /* ... and its shadow (spec->ret_shadow) */
  unsigned nret;
  LLVMValueRef mark;           /* split: the tape position to rewind to */
} ct_body;

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

/* Parameters, entry blocks, the forward copy of the primal, and the
 * adjoint slots (which exist before any reverse code refers to them). */
static void begin_body(ct_gen *g, ct_body *body) {
  ct_module *m = g->m;
  int split = g->spec->split;
  map_params(g, g->g, &g->fwd, &g->shadow);
  unsigned k = split ? map_params(g, g->rg, &g->rev_args, &g->rev_arg_shadows)
                     : map_params(g, g->g, &g->rev_args, &g->rev_arg_shadows);
  body->seed = g->spec->ret_active ? LLVMGetParam(g->rg, k++) : NULL;
  g->seed = body->seed;
  body->next_param = k;
  g->keep = LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 0, 0); /* split mode: a parameter, start_tape */

  /* entry blocks: the forward's (tape, shadows) and the reverse's (slots) */
  LLVMBasicBlockRef fentry = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.entry");
  g->sb = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->sb, fentry);
  LLVMBasicBlockRef rentry = split ? LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rentry") : fentry;
  body->rstart = split ? LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rstart") : NULL;
  g->ab = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->ab, rentry);
  LLVMSetCurrentDebugLocation2(m->b, NULL);

  clone_blocks(m, g->pc, g->g, &g->fwd);
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    b->fwd = LLVMValueAsBasicBlock(vmap_get(&g->fwd, LLVMBasicBlockAsValue(b->bb)));
  }
  for (unsigned i = 0; i < g->spec->nparams; ++i)
    if (adjoint_has(g, LLVMGetParam(g->pc, i)))
      adjoint_slot(g, LLVMGetParam(g->pc, i));
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
      if (adjoint_has(g, inst))
        adjoint_slot(g, inst);
}

/* The tape, unless no block keeps a record on it (recomputed values need
 * none): straight-line GPU kernels then need no device heap. */
static void start_tape(ct_gen *g, ct_body *body) {
  ct_module *m = g->m;
  int split = g->spec->split;
  int uses_tape = split || g->nkept || g->shares_tape;
  for (unsigned i = 0; i < g->nblocks; ++i)
    uses_tape |= !g->blocks[i].once && tape_record_type(g, &g->blocks[i]) != NULL;
  if (!uses_tape)
    return;
  runtime_link_tape(m);
  LLVMTypeRef i64 = g->i64_ty;
  /* a split function's own tape starts small (a pullback's, a parallel
     region body's: one per thread); callees with a body share it */
  LLVMValueRef reserve = LLVMConstInt(i64, split ? 256 : 0, 0);
  if (g->spec->shared_tape) /* the caller's, after the primal parameters */
    g->tape = LLVMGetParam(g->g, LLVMCountParams(g->g) - 1);
  else
    g->tape = ir_build_call(g->sb, m->mod, "__ct_tape_create", LLVMFunctionType(g->ptr_ty, &i64, 1, 0), &reserve, 1,
                            "ct.tape");
  g->rev_tape = split ? LLVMGetParam(g->rg, body->next_param++) : g->tape;
  g->keep = split ? LLVMGetParam(g->rg, body->next_param++) : LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 0, 0);
}

/* The shadow of the pointer `ret` returns (from block b) joins the turn's
 * shadow phi: NULL's is NULL. Returns 0 (reported) when it has none. */
static int add_returned_shadow(ct_gen *g, ct_body *body, LLVMValueRef ret, ct_block *b) {
  LLVMValueRef rv = LLVMGetOperand(ret, 0);
  LLVMValueRef sv = vmap_get(&g->shadow, rv);
  if (!sv && (LLVMIsAConstantPointerNull(rv) || LLVMIsAUndefValue(rv)))
    sv = rv;
  if (!sv) {
    gen_fail(g, ret, "returns a pointer without a shadow (into memory held constant, or a global) where its caller "
             "needs one", "pass the memory it points into with a shadow (enzyme_dup)");
    return 0;
  }
  LLVMAddIncoming(body->ret_shadow_phi, &sv, &b->fwd, 1);
  return 1;
}

/* The forward's returns jump to the turn, which knows the value returned
 * and which return it was. Returns 0 (reported) when there is none. */
static int build_turn(ct_gen *g, ct_body *body) {
  ct_module *m = g->m;
  body->turn = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.turn");
  body->done = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.done");
  for (unsigned i = 0; i < g->nblocks; ++i)
    g->blocks[i].rev = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "rev");
  LLVMPositionBuilderAtEnd(m->b, body->turn);
  body->ret_phi = body->has_ret ? LLVMBuildPhi(m->b, body->ret_ty, "ct.ret") : NULL;
  body->ret_shadow_phi = body->has_ret && g->spec->ret_shadow ? LLVMBuildPhi(m->b, body->ret_ty, "ct.ret_shadow") : NULL;
  body->which = LLVMBuildPhi(m->b, g->i32_ty, "ct.which");
  body->nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!cfg_is_return_block(b->bb))
      continue;
    LLVMValueRef ret = LLVMGetBasicBlockTerminator(b->bb);
    LLVMValueRef fret = LLVMGetBasicBlockTerminator(b->fwd);
    LLVMPositionBuilderBefore(m->b, fret);
    LLVMBuildBr(m->b, body->turn);
    LLVMInstructionEraseFromParent(fret);
    if (body->ret_phi) {
      LLVMValueRef rv = LLVMGetOperand(ret, 0);
      LLVMValueRef frv = vmap_get(&g->fwd, rv);
      if (!frv)
        frv = rv; /* a constant */
      LLVMAddIncoming(body->ret_phi, &frv, &b->fwd, 1);
      if (body->ret_shadow_phi && !add_returned_shadow(g, body, ret, b))
        return 0;
    }
    LLVMValueRef c = LLVMConstInt(g->i32_ty, body->nret++, 0);
    LLVMAddIncoming(body->which, &c, &b->fwd, 1);
  }
  if (body->nret == 0) {
    gen_fail(g, LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(g->pc)), "never returns", NULL);
    return 0;
  }
  return 1;
}

/* Split mode: the augmented forward ends at the turn by pushing the turn
 * record (which return, and the heap shadows to free) and returning { tape,
 * [value] }; the reverse function marks the tape (to rewind it if kept),
 * then pops the turn record first (after its slot allocas). Returns which
 * return was taken, as the reverse function knows it. */
static LLVMValueRef split_at_turn(ct_gen *g, ct_body *body) {
  ct_module *m = g->m;
  LLVMTypeRef *fields = malloc((1 + g->nheap_shadows) * sizeof *fields);
  fields[0] = g->i32_ty;
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    fields[1 + i] = g->ptr_ty;
  LLVMTypeRef rec_ty = LLVMStructTypeInContext(m->ctx, fields, 1 + g->nheap_shadows, 0);
  free(fields);
  LLVMPositionBuilderAtEnd(m->b, body->turn);
  LLVMValueRef rec = LLVMBuildInsertValue(m->b, LLVMGetUndef(rec_ty), body->which, 0, "");
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    rec = LLVMBuildInsertValue(m->b, rec, g->heap_shadows[i], 1 + i, "");
  tape_push(g, rec);
  LLVMTypeRef aug_ret = LLVMGetReturnType(LLVMGlobalGetValueType(g->g));
  LLVMValueRef agg = LLVMBuildInsertValue(m->b, LLVMGetUndef(aug_ret), g->tape, 0, "");
  if (body->has_ret)
    agg = LLVMBuildInsertValue(m->b, agg, body->ret_phi, 1, "");
  if (body->ret_shadow_phi)
    agg = LLVMBuildInsertValue(m->b, agg, body->ret_shadow_phi, 2, "");
  LLVMBuildRet(m->b, agg);
  LLVMPositionBuilderAtEnd(m->b, body->rstart);
  if (!g->spec->shared_tape) { /* a shared tape is its owner's to mark */
    body->mark = LLVMBuildAlloca(g->ab, LLVMArrayType2(g->i64_ty, 5), "ct.mark");
    LLVMTypeRef mparams[2] = {g->ptr_ty, g->ptr_ty};
    LLVMValueRef margs[2] = {g->rev_tape, body->mark};
    ir_build_call(m->b, m->mod, "__ct_tape_mark", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), mparams, 2, 0),
                  margs, 2, "");
  }
  LLVMValueRef popped = tape_pop(g, rec_ty);
  LLVMValueRef rwhich = LLVMBuildExtractValue(m->b, popped, 0, "ct.which");
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    g->heap_shadows[i] = LLVMBuildExtractValue(m->b, popped, 1 + i, "");
  return rwhich;
}

/* Where the reverse starts: the reverse of the block of the return taken
 * (`which`), with the seed added to the returned value's adjoint. Warns
 * when the result does not depend on the differentiable arguments. */
static void seed_returns(ct_gen *g, ct_body *body, LLVMValueRef which) {
  ct_module *m = g->m;
  const ct_spec *spec = g->spec;
  LLVMValueRef sw = LLVMBuildSwitch(m->b, which, body->done, body->nret);
  int seeded = 0;
  LLVMValueRef a_return = NULL; /* where to report a constant result */
  int held = 0;                 /* ... unless ct_without_derivative made it so */
  unsigned nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!cfg_is_return_block(b->bb))
      continue;
    LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "rev.start");
    LLVMAddCase(sw, LLVMConstInt(g->i32_ty, nret++, 0), edge);
    LLVMPositionBuilderAtEnd(m->b, edge);
    if (spec->ret_active && body->has_ret) {
      a_return = LLVMGetBasicBlockTerminator(b->bb);
      LLVMValueRef rv = LLVMGetOperand(a_return, 0);
      if (adjoint_has(g, rv)) {
        adjoint_add(g, rv, body->seed);
        seeded = 1;
      } else {
        held |= activity_held_constant(spec, g->pc, rv);
      }
    }
    LLVMBuildBr(m->b, b->rev);
  }
  if (spec->ret_active && body->has_ret && !seeded && !held && !spec->split) {
    size_t len = 0;
    const char *fname = LLVMGetValueName2(g->user_fn, &len);
    diag_report(g->user_fn, a_return, CT_SEV_WARNING,
                "the result of '%.*s' does not depend on its differentiable arguments; its derivative "
                "is always zero",
                (int)len, fname);
  }
}

/* The stores whose old values the reverse pass puts back (memory.c,
 * forward.c): at the turn the old values (`undo`), at the end the new ones
 * again. They write pairwise different objects: the order is free. */
static void undo_stores(ct_gen *g, int undo) {
  for (size_t i = 0; i < g->undo_old.cap; ++i) {
    LLVMValueRef s = g->undo_old.keys[i];
    if (!s)
      continue;
    LLVMValueRef ptr = LLVMGetOperand(s, 1), v = LLVMGetOperand(s, 0);
    LLVMValueRef fptr = vmap_get(&g->fwd, ptr), fv = vmap_get(&g->fwd, v);
    LLVMValueRef st = LLVMBuildStore(g->m->b, undo ? vmap_get(&g->undo_old, s) : fv ? fv : v, fptr ? fptr : ptr);
    LLVMSetAlignment(st, LLVMGetAlignment(s));
    scopes_tag_primal(g, st);
  }
}

/* The end of the reverse: the results { [value], d(active args)... }, the
 * heap shadows released, and the tape rewound (split, kept) or
 * destroyed. Closes the entry blocks. */
static void finish_body(ct_gen *g, ct_body *body) {
  ct_module *m = g->m;
  const ct_spec *spec = g->spec;
  int split = spec->split;
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx);
  LLVMPositionBuilderAtEnd(m->b, body->done);
  undo_stores(g, 0);
  LLVMValueRef agg = LLVMGetUndef(body->result_struct);
  unsigned field = 0;
  if (spec->want_value && body->has_ret && !split)
    agg = LLVMBuildInsertValue(m->b, agg, body->ret_phi, field++, "");
  for (unsigned i = 0; i < spec->nparams; ++i) {
    if (spec->act[i] != ACT_ACTIVE)
      continue;
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    LLVMValueRef a = adjoint_has(g, p) ? LLVMBuildLoad2(m->b, LLVMTypeOf(p), adjoint_slot(g, p), "")
                                       : LLVMConstNull(LLVMTypeOf(p));
    agg = LLVMBuildInsertValue(m->b, agg, a, field++, "");
  }
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    heap_release_shadow(g, g->heap_shadows[i], LLVMConstInt(g->i64_ty, g->heap_shadow_bytes[i], 0));
  if (spec->shared_tape) { /* the caller's tape: its owner rewinds or destroys it */
    LLVMBuildRet(m->b, agg);
    LLVMBuildBr(g->sb, g->blocks[0].fwd);
    LLVMBuildBr(g->ab, body->rstart);
    return;
  }
  if (split) {
    /* kept: rewind the tape for the next application; else destroy it */
    LLVMBasicBlockRef rewind = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.rewind");
    LLVMBasicBlockRef destroy = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.destroy");
    LLVMBuildCondBr(m->b, g->keep, rewind, destroy);
    LLVMPositionBuilderAtEnd(m->b, rewind);
    LLVMTypeRef mparams[2] = {g->ptr_ty, g->ptr_ty};
    LLVMValueRef margs[2] = {g->rev_tape, body->mark};
    ir_build_call(m->b, m->mod, "__ct_tape_rewind", LLVMFunctionType(voidt, mparams, 2, 0), margs, 2, "");
    LLVMBuildRet(m->b, agg);
    LLVMPositionBuilderAtEnd(m->b, destroy);
  }
  if (g->rev_tape) {
    LLVMTypeRef pty = g->ptr_ty;
    ir_build_call(m->b, m->mod, "__ct_tape_destroy", LLVMFunctionType(voidt, &pty, 1, 0), &g->rev_tape, 1, "");
  }
  LLVMBuildRet(m->b, agg);
  LLVMBuildBr(g->sb, g->blocks[0].fwd);
  if (split)
    LLVMBuildBr(g->ab, body->rstart);
}

/* `g->g` (and `g->rg`) exist with their signatures; fills in their bodies. */
static int generate(ct_gen *g, LLVMTypeRef result_struct) {
  ct_body body = {.result_struct = result_struct};
  body.ret_ty = LLVMGetReturnType(LLVMGlobalGetValueType(g->spec->fn));
  body.has_ret = LLVMGetTypeKind(body.ret_ty) != LLVMVoidTypeKind;
  double t = stage_clock();
  begin_body(g, &body);
  stage_done(g->user_fn, "copy", &t);
  plan_tape(g);
  stage_done(g->user_fn, "plan", &t);
  if (g->failed)
    return 0;
  start_tape(g, &body);
  forward_build(g);
  fused_emit_forward(g, reverse_instructions);
  if (g->failed || !build_turn(g, &body))
    return 0;
  shadow_slots_finish(g, body.turn);
  LLVMValueRef which = body.which;
  if (g->spec->split)
    which = split_at_turn(g, &body);
  else
    LLVMPositionBuilderAtEnd(g->m->b, body.turn);
  stage_done(g->user_fn, "forward", &t);
  undo_stores(g, 1);
  seed_returns(g, &body, which);
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
    reverse_block(g, &g->blocks[i], body.done);
  if (g->failed)
    return 0;
  finish_body(g, &body);
  stage_done(g->user_fn, "reverse", &t);
  return 1;
}

/* ---- one gradient ---- */

/* The gradient's function(s), empty, named `name` (and `rname`, split);
 * returns the combined gradient's result struct. */
static LLVMTypeRef create_functions(ct_gen *g, const char *name, const char *rname) {
  ct_module *m = g->m;
  LLVMTypeRef result_struct;
  LLVMTypeRef gty = signature_combined(m, g->spec, &result_struct);
  if (g->spec->split) {
    LLVMTypeRef aug_ty, rev_ty;
    signature_split(m, g->spec, &aug_ty, &rev_ty);
    g->g = LLVMAddFunction(m->mod, name, aug_ty);
    g->rg = LLVMAddFunction(m->mod, rname, rev_ty);
    set_internal(g, g->rg);
    if (g->spec->shared_tape) {
      signature_mark_shared(m, g->g);
      signature_mark_shared(m, g->rg);
    }
  } else {
    g->g = g->rg = LLVMAddFunction(m->mod, name, gty);
  }
  set_internal(g, g->g);
  return result_struct;
}

/* The analyses of the prepared primal: loops (with trip counts), blocks,
 * activity. */
static void analyse(ct_gen *g) {
  g->nloops = ct_bridge_loop_trip_counts(g->pc, &g->loops, &g->loop_blocks);
  if (ct_switch(CT_SWITCH_DEBUG)) {
    LLVMDumpValue(g->pc);
    for (unsigned i = 0; i < g->nloops; ++i)
      fprintf(stderr, "cotangent: loop %u header %s exit %s trips %s blocks %u\n", i,
              LLVMGetBasicBlockName(g->loops[i].header),
              g->loops[i].exit ? LLVMGetBasicBlockName(g->loops[i].exit) : "-", g->loops[i].trip_count ? "yes" : "no",
              g->loops[i].nblocks);
  }
  batch_add_counters(g);
  cfg_analyse(g);
  activity_analyze(g->spec, g->pc, &g->active);
}

/* Verifies the generated functions (an invalid one is an internal error,
 * reported at `site`); then simplifies them, or leaves a stub when
 * generation failed (callers generated meanwhile may refer to it). */
static int finish_functions(ct_gen *g, LLVMValueRef site, int ok) {
  ct_module *m = g->m;
  LLVMValueRef fns[2] = {g->g, g->rg};
  unsigned nfns = g->spec->split ? 2 : 1;
  double t = stage_clock();
  for (unsigned i = 0; i < nfns && ok && ct_switch(CT_SWITCH_DUMP_GRADIENT); ++i)
    LLVMDumpValue(fns[i]);
  for (unsigned i = 0; i < nfns && ok; ++i)
    if (LLVMVerifyFunction(fns[i], LLVMPrintMessageAction)) {
      if (ct_switch(CT_SWITCH_DEBUG))
        LLVMDumpValue(fns[i]);
      diag_report(g->spec->fn, site, CT_SEV_ERROR,
                  "internal error: Cotangent generated invalid code for this gradient; please report");
      ok = 0;
    }
  stage_done(g->user_fn, "verify", &t);
  for (unsigned i = 0; i < nfns; ++i) {
    if (!ok) {
      LLVMBasicBlockRef bb;
      while ((bb = LLVMGetFirstBasicBlock(fns[i])))
        LLVMDeleteBasicBlock(bb);
      LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, fns[i], "failed"));
      LLVMBuildUnreachable(m->b);
      continue;
    }
    if (i == 1 && !gpu_module_is_simt(m->mod)) /* the twin ct_pullback_free runs (release.c) */
      release_make(m, fns[1], LLVMCountParams(fns[1]) - 1);
    if (g->tape) /* the tape's fast paths, linked by runtime_link_tape */
      ct_bridge_inline_calls(fns[i], NULL, "__ct_tape_"); /* only the tape: other callees may be unfinished */
    ct_bridge_simplify_function(fns[i]);
    ct_bridge_limit_slp(fns[i]);
    if (g->spec->split)
      stack_guard_add(m, fns[i], g->spec->fn);
  }
  if (ok)
    sincos_mark_module(m->mod);
  stage_done(g->user_fn, "simplify", &t);
  return ok;
}

/* Creates the functions for `spec` (so recursive calls find them), then
 * generates their bodies. On failure leaves stubs and returns 0. */
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
  double t = stage_clock();
  LLVMValueRef pc = prepare_primal(m, spec->fn);
  stage_done(spec->fn, "prepare", &t);
  if (!pc) { /* reported */
    free(name);
    free(rname);
    *fwd_fn = *rev_fn = NULL;
    return 0;
  }
  ct_gen g;
  gen_init(&g, m, spec, pc);
  LLVMTypeRef result_struct = create_functions(&g, name, rname);
  free(name);
  free(rname);
  t = stage_clock();
  analyse(&g);
  stage_done(spec->fn, "analyse", &t);
  int ok = finish_functions(&g, site, generate(&g, result_struct));
  *fwd_fn = g.g;
  *rev_fn = g.rg;
  gen_free(&g);
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

void gradient_analyse_only(ct_gen *g, ct_module *m, const ct_spec *spec, LLVMValueRef pc) {
  gen_init(g, m, spec, pc);
  analyse(g);
}

void gradient_release(ct_gen *g) { gen_free(g); }
