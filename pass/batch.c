/* Loop-indexed records.
 *
 * A block inside a loop pushes one tape record per execution: a bounds
 * check, a bump and, for small records, mostly padding (slots are 16
 * bytes). When the loop's trip count is known at its preheader, the blocks
 * of that loop (not of its subloops: those run several times per
 * iteration) keep their records in one array per loop run instead:
 *
 *   preheader:  arr = push(trips * sizeof(record))      -- one push per run,
 *                                                          before its record
 *   block:      arr[iter] = record                      -- a plain store
 *   loop exit:  its record carries arr                  -- popped before the
 *                                                          loop's reverse
 *   reverse:    record = slot_arr[iter]                 -- iter counts down
 *   preheader's reverse: pop(trips * sizeof(record))
 *
 * `iter` is a counter (0, 1, ...) added to the loop header of the prepared
 * primal; the reverse pass counts it down like any induction variable. The
 * array stays valid until it is popped because the reverse pass never
 * pushes. */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

int batch_innermost_loop(ct_gen *g, LLVMBasicBlockRef bb) {
  const unsigned *loops; /* loops are in preorder: the last one containing bb is innermost */
  unsigned n = cfg_block_loops(g, bb, &loops);
  return n ? (int)loops[n - 1] : -1;
}

static LLVMValueRef existing_counter(LLVMBasicBlockRef header) {
  for (LLVMValueRef phi = LLVMGetFirstInstruction(header); phi && LLVMIsAPHINode(phi);
       phi = LLVMGetNextInstruction(phi)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(phi, &len);
    if (len >= 7 && !strncmp(name, "ct.iter", 7))
      return phi;
  }
  return NULL;
}

void batch_add_counters(ct_gen *g) {
  g->loop_counters = calloc(g->nloops ? g->nloops : 1, sizeof *g->loop_counters);
  if (ct_switch(CT_SWITCH_NO_BATCH)) /* for comparisons */
    return;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(g->m->ctx);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(g->m->ctx);
  for (unsigned i = 0; i < g->nloops; ++i) {
    const ct_bridge_loop *l = &g->loops[i];
    if (!l->trip_count || !l->preheader || !l->exit)
      continue;
    /* one latch, and the preheader as the only other way in */
    LLVMBasicBlockRef latch = NULL;
    unsigned nlatches = 0;
    for (unsigned k = 0; k < l->nblocks; ++k) {
      LLVMBasicBlockRef bb = g->loop_blocks[l->first_block + k];
      LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
      for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s)
        if (LLVMGetSuccessor(t, s) == l->header) {
          latch = bb;
          ++nlatches;
        }
    }
    if (nlatches != 1)
      continue;
    LLVMValueRef counter = existing_counter(l->header);
    if (!counter) { /* the prepared primal may be differentiated more than once */
      LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(l->header));
      counter = LLVMBuildPhi(b, i64, "ct.iter");
      LLVMPositionBuilderBefore(b, LLVMGetBasicBlockTerminator(latch));
      LLVMValueRef next = LLVMBuildAdd(b, counter, LLVMConstInt(i64, 1, 0), "ct.iter.next");
      LLVMSetNUW(next, 1);
      LLVMSetNSW(next, 1);
      LLVMValueRef vals[2] = {LLVMConstInt(i64, 0, 0), next};
      LLVMBasicBlockRef from[2] = {l->preheader, latch};
      LLVMAddIncoming(counter, vals, from, 2);
    }
    g->loop_counters[i] = counter;
  }
  LLVMDisposeBuilder(b);
}

static unsigned long long record_align(ct_gen *g, LLVMTypeRef ty) {
  unsigned a = LLVMABIAlignmentOfType(LLVMGetModuleDataLayout(g->m->mod), ty);
  return a > 16 ? a : 16;
}

/* trips * sizeof(record) (saturating), trips from the forward or the
 * reverse copy */
static LLVMValueRef array_bytes(ct_gen *g, LLVMTypeRef rec_ty, LLVMValueRef trips) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  trips = LLVMBuildZExtOrBitCast(g->m->b, trips, g->i64_ty, "");
  return tape_bytes_mul(g, trips, LLVMConstInt(g->i64_ty, LLVMABISizeOfType(td, rec_ty), 0));
}

void batch_build_pushes(ct_gen *g) {
  ct_module *m = g->m;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *c = &g->blocks[i];
    if (!c->batch)
      continue;
    const ct_bridge_loop *l = &g->loops[c->batch - 1];
    ct_block *pre = cfg_block_of(g, l->preheader);
    LLVMTypeRef rec_ty = tape_record_type(g, c);
    LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(pre->fwd));
    LLVMValueRef trips = vmap_get(&g->fwd, l->trip_count);
    c->batch_fwd = tape_call(g, "__ct_tape_push", g->tape,
                                     array_bytes(g, rec_ty, trips ? trips : l->trip_count), record_align(g, rec_ty));
  }
}

void batch_store_record(ct_gen *g, ct_block *b, LLVMValueRef rec) {
  LLVMValueRef counter = vmap_get(&g->fwd, g->loop_counters[b->batch - 1]);
  LLVMValueRef at = LLVMBuildInBoundsGEP2(g->m->b, LLVMTypeOf(rec), b->batch_fwd, &counter, 1, "");
  scopes_tag_tape(g, LLVMBuildStore(g->m->b, rec, at));
}

LLVMValueRef batch_slot(ct_gen *g, ct_block *b) {
  if (!b->batch_slot)
    b->batch_slot = LLVMBuildAlloca(g->ab, g->ptr_ty, "ct.batch.slot");
  return b->batch_slot;
}

LLVMValueRef batch_load_record(ct_gen *g, ct_block *b, LLVMTypeRef rec_ty, LLVMValueRef counter) {
  LLVMValueRef arr = LLVMBuildLoad2(g->m->b, g->ptr_ty, batch_slot(g, b), "");
  LLVMValueRef at = LLVMBuildInBoundsGEP2(g->m->b, rec_ty, arr, &counter, 1, "");
  LLVMValueRef rec = LLVMBuildLoad2(g->m->b, rec_ty, at, "");
  scopes_tag_tape(g, rec);
  return rec;
}

void batch_reverse_pops(ct_gen *g, ct_block *pre, LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  for (unsigned i = g->nblocks; i-- > 0;) {
    ct_block *c = &g->blocks[i];
    if (!c->batch || g->loops[c->batch - 1].preheader != pre->bb)
      continue;
    LLVMTypeRef rec_ty = tape_record_type(g, c);
    tape_call(g, "__ct_tape_pop", g->rev_tape, array_bytes(g, rec_ty, value(g, g->loops[c->batch - 1].trip_count)),
                      record_align(g, rec_ty));
  }
}
