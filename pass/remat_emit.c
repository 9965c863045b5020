/* Iteration-level rematerialisation, the reverse pass's half (remat.c
 * chose the loops and what they recompute): at the start of the reverse of
 * every iteration of a chosen loop (the reverse of its latch, where the
 * NEED_ITERATION marker sits among the latch's needs), a copy of the loop's
 * blocks holding its slice (the stores into the scratch objects, what they
 * and the branches depend on) rewrites the scratch memory as the
 * iteration left it; the iteration's reverse blocks then reload what they
 * read there (plan.c planned those loads as recomputed). And the remarks
 * saying which loops are recomputed. */
#include "remat.h"

#include <stdlib.h>

static LLVMValueRef mapped(ct_gen *g, ct_vmap *map, LLVMValueRef v) {
  LLVMValueRef c = vmap_get(map, v);
  return c ? c : rev_value(g, v); /* a live-in, planned in the latch's reverse */
}

/* The blocks of loop l in reverse postorder from its header (definitions
 * before their uses, but for phis), without going round l. */
static unsigned loop_rpo(ct_gen *g, int l, LLVMBasicBlockRef *out) {
  unsigned n = g->loops[l].nblocks, nout = n, depth = 0;
  unsigned char *seen = calloc(g->nblocks, 1);
  LLVMBasicBlockRef *stack = malloc(n * sizeof *stack);
  unsigned *next = malloc(n * sizeof *next);
  stack[depth] = g->loops[l].header;
  next[depth++] = 0;
  seen[remat_block_index(g, g->loops[l].header)] = 1;
  while (depth) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(stack[depth - 1]);
    unsigned s = next[depth - 1]++;
    if (t && s < LLVMGetNumSuccessors(t)) {
      unsigned k = remat_block_index(g, LLVMGetSuccessor(t, s));
      if (!seen[k] && remat_in_loop(g, l, k)) {
        seen[k] = 1;
        stack[depth] = g->blocks[k].bb;
        next[depth++] = 0;
      }
      continue;
    }
    out[--nout] = stack[--depth]; /* postorder, filled from the end */
  }
  free(seen);
  free(stack);
  free(next);
  return nout; /* index of the first block (0 when every block is reached) */
}

/* A copy of one sliced instruction of the recomputation, at m->b. */
static LLVMValueRef copy_instruction(ct_gen *g, ct_vmap *map, LLVMValueRef inst) {
  ct_module *m = g->m;
  if (LLVMIsAPHINode(inst)) /* incoming values once every block is copied */
    return LLVMBuildPhi(m->b, LLVMTypeOf(inst), "");
  LLVMValueRef copy = LLVMInstructionClone(inst);
  LLVMInsertIntoBuilderWithName(m->b, copy, "");
  LLVMSetMetadata(copy, LLVMGetMDKindIDInContext(m->ctx, "DIAssignID", 10), NULL);
  unsigned n = (unsigned)LLVMGetNumOperands(inst);
  if (LLVMIsACallInst(inst)) {
    n = (unsigned)LLVMGetNumArgOperands(inst); /* the callee stays */
    unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
    LLVMAddCallSiteAttribute(copy, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(m->ctx, memory, 0));
  }
  for (unsigned o = 0; o < n; ++o)
    LLVMSetOperand(copy, o, mapped(g, map, LLVMGetOperand(inst, o)));
  if (LLVMIsALoadInst(copy) || LLVMIsAStoreInst(copy))
    scopes_tag_primal(g, copy);
  return copy;
}

/* The copy of a block's terminator; the latch's goes to `done`. */
static void copy_terminator(ct_gen *g, ct_vmap *map, LLVMBasicBlockRef bb, LLVMBasicBlockRef latch,
                            LLVMBasicBlockRef done) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
#define BLOCK(x) LLVMValueAsBasicBlock(vmap_get(map, LLVMBasicBlockAsValue(x)))
  if (bb == latch)
    LLVMBuildBr(b, done);
  else if (LLVMIsASwitchInst(t)) {
    unsigned n = LLVMGetNumSuccessors(t);
    LLVMValueRef sw = LLVMBuildSwitch(b, mapped(g, map, LLVMGetOperand(t, 0)), BLOCK(LLVMGetSwitchDefaultDest(t)), n - 1);
    for (unsigned s = 1; s < n; ++s) /* operands: value, default, then (case value, destination) pairs */
      LLVMAddCase(sw, LLVMGetOperand(t, 2 * s), BLOCK(LLVMGetSuccessor(t, s)));
  } else if (LLVMIsConditional(t))
    LLVMBuildCondBr(b, mapped(g, map, LLVMGetCondition(t)), BLOCK(LLVMGetSuccessor(t, 0)), BLOCK(LLVMGetSuccessor(t, 1)));
  else
    LLVMBuildBr(b, BLOCK(LLVMGetSuccessor(t, 0)));
#undef BLOCK
}

void remat_emit(ct_gen *g, LLVMValueRef marker) {
  ct_module *m = g->m;
  remat_loop *rl = NULL;
  for (unsigned k = 0; k < g->remat->nchosen && !rl; ++k)
    if (remat_marker(g, k) == marker)
      rl = &g->remat->chosen[k];
  if (!rl->used)
    return;
  const ct_bridge_loop *loop = &g->loops[rl->loop];
  ct_vmap map;
  vmap_init(&map);
  LLVMBasicBlockRef *order = malloc(loop->nblocks * sizeof *order);
  unsigned first = loop_rpo(g, (int)rl->loop, order);
  for (unsigned k = first; k < loop->nblocks; ++k)
    vmap_set(&map, LLVMBasicBlockAsValue(order[k]),
             LLVMBasicBlockAsValue(LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.remat")));
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(m->ctx, g->rg, "ct.remat.done");
  LLVMBuildBr(m->b, LLVMValueAsBasicBlock(vmap_get(&map, LLVMBasicBlockAsValue(loop->header))));
  for (unsigned k = first; k < loop->nblocks; ++k) {
    LLVMPositionBuilderAtEnd(m->b, LLVMValueAsBasicBlock(vmap_get(&map, LLVMBasicBlockAsValue(order[k]))));
    for (LLVMValueRef inst = LLVMGetFirstInstruction(order[k]); inst != LLVMGetBasicBlockTerminator(order[k]);
         inst = LLVMGetNextInstruction(inst))
      if (vmap_get(&rl->slice, inst))
        vmap_set(&map, inst, copy_instruction(g, &map, inst));
    copy_terminator(g, &map, order[k], rl->latch->bb, done);
  }
  for (unsigned k = first; k < loop->nblocks; ++k) /* the phis' incoming values */
    for (LLVMValueRef phi = LLVMGetFirstInstruction(order[k]); phi && LLVMIsAPHINode(phi);
         phi = LLVMGetNextInstruction(phi)) {
      if (!vmap_get(&rl->slice, phi))
        continue;
      for (unsigned q = 0; q < LLVMCountIncoming(phi); ++q) {
        LLVMValueRef in = vmap_get(&map, LLVMBasicBlockAsValue(LLVMGetIncomingBlock(phi, q)));
        if (!in)
          continue; /* a block the recomputation never reaches */
        LLVMValueRef v = mapped(g, &map, LLVMGetIncomingValue(phi, q));
        LLVMBasicBlockRef from = LLVMValueAsBasicBlock(in);
        LLVMAddIncoming(vmap_get(&map, phi), &v, &from, 1);
      }
    }
  LLVMPositionBuilderAtEnd(m->b, done);
  free(order);
  vmap_free(&map);
}

/* ---- remarks ---- */

void remat_remark(ct_gen *g) {
  struct ct_remat *r = g->remat;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->user_fn, &len);
  for (unsigned k = 0; r && k < r->nchosen; ++k) {
    remat_loop *rl = &r->chosen[k];
    unsigned values = 0;
    unsigned long long bytes = 0;
    for (unsigned i = 0; i < g->nblocks; ++i) {
      if (!remat_in_loop(g, (int)rl->loop, i))
        continue;
      for (unsigned n = 0; n < g->blocks[i].nneeds; ++n) {
        ct_need *nd = &g->blocks[i].needs[n];
        if (nd->kind == NEED_REMAT && vmap_get(&rl->restored, nd->value)) {
          ++values;
          bytes += LLVMABISizeOfType(td, LLVMTypeOf(nd->value));
        }
      }
    }
    rl->used = values > 0;
    if (!rl->used)
      continue; /* nothing to restore after all: no recomputation */
    LLVMValueRef at = LLVMGetBasicBlockTerminator(rl->latch->bb); /* the back edge: the loop's own line */
    diag_report(g->user_fn, at, CT_SEV_REMARK,
                "gradient of '%.*s': loop recomputed per iteration in the reverse pass (its writes to %u "
                "object(s)); %u value(s) read from them are not taped, %llu bytes per execution of their blocks",
                (int)len, fname, rl->nobjects, values, bytes);
  }
}
