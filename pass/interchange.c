/* Dot products computed in a loop over their other index (an i-j-k matrix
 * product, a transposed matrix times a vector):
 *
 *   for j { s = 0; for k s += a[k] * b[k * n + j]; use(s, j) }
 *
 * read b with a stride, and so does their reverse, which adds into b's
 * shadow one cache line per element (and the strided lines of b and of its
 * shadow compete for the same few cache sets). In the prepared primal such
 * a nest becomes, with the sums in an array S (a malloc per run of the j
 * loop),
 *
 *   S[0..n_j) = 0;  for k { for j S[j] += a[k] * b[k * n + j] }  for j use(S[j], j)
 *
 * Every S[j] sums the same terms in the same order as s did (the same
 * operations, the same bits); the inner loop runs along b's rows: the
 * forward part vectorizes, and the reverse adds into b's shadow along its
 * rows and keeps the adjoint of a[k] in a register.
 *
 * The nest qualifies when the j loop (induction variable from 0 by 1, a
 * trip count before it runs, one latch that is its only exit) holds a
 * one-block k loop (induction variable, an exit bound from outside the j
 * loop, and one floating-point phi starting at +0.0 whose only use is the
 * next sum) reached from the j loop's header without a branch; the k loop's
 * other instructions are pure (no stores, no calls but fmuladd/fma) and are
 * used outside it only through the sum; what they take from the j loop's
 * body are pure instructions of j and of values from outside; and nothing
 * in the j loop writes memory (the k loop's loads read the same values in
 * either order). */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  LLVMBasicBlockRef pj, hj, lj, ej; /* j loop: preheader, header, latch, exit */
  LLVMValueRef j, tj;               /* its induction variable, trip count */
  LLVMBasicBlockRef pk, bk, xk;     /* k loop: preheader, block, exit */
  LLVMValueRef guard;               /* the k loop runs when this holds (invariant), or NULL: always */
  int guard_true;                   /* ... or when it does not (0) */
  LLVMValueRef k, k_next, k_cmp, s, s_next;
  LLVMBasicBlockRef *jblocks;
  unsigned njblocks;
} nest;

static int in_blocks(LLVMBasicBlockRef *bbs, unsigned n, LLVMBasicBlockRef bb) {
  for (unsigned i = 0; i < n; ++i)
    if (bbs[i] == bb)
      return 1;
  return 0;
}

static int in_j(const nest *t, LLVMValueRef v) {
  return LLVMIsAInstruction(v) && in_blocks(t->jblocks, t->njblocks, LLVMGetInstructionParent(v));
}

static int is_const_int(LLVMValueRef v, long long c) {
  return v && LLVMIsAConstantInt(v) && LLVMConstIntGetSExtValue(v) == c;
}

/* `add nsw/nuw phi, 1` */
static int is_increment_of(LLVMValueRef inc, LLVMValueRef phi) {
  return inc && LLVMIsAInstruction(inc) && LLVMGetInstructionOpcode(inc) == LLVMAdd && LLVMGetOperand(inc, 0) == phi &&
         is_const_int(LLVMGetOperand(inc, 1), 1) && (LLVMGetNSW(inc) || LLVMGetNUW(inc));
}

/* The latch's exit compare `icmp eq next, bound` taken to `out` when true. */
static LLVMValueRef exit_bound(LLVMBasicBlockRef latch, LLVMValueRef next, LLVMBasicBlockRef header) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(latch);
  if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t) || LLVMGetSuccessor(t, 1) != header)
    return NULL;
  LLVMValueRef c = LLVMGetCondition(t);
  if (!LLVMIsAICmpInst(c) || LLVMGetICmpPredicate(c) != LLVMIntEQ || LLVMGetOperand(c, 0) != next)
    return NULL;
  return LLVMGetOperand(c, 1);
}

/* The incoming value of phi from block bb, or NULL. */
static LLVMValueRef incoming(LLVMValueRef phi, LLVMBasicBlockRef bb) {
  for (unsigned q = 0; q < LLVMCountIncoming(phi); ++q)
    if (LLVMGetIncomingBlock(phi, q) == bb)
      return LLVMGetIncomingValue(phi, q);
  return NULL;
}

/* No effect but its result: no stores, no calls but math functions (a rule
 * of rules.c without out-parameters: they write errno at most). */
static int pure_instruction(LLVMValueRef inst) {
  if (LLVMIsACallInst(inst)) {
    LLVMValueRef fn = LLVMGetCalledValue(inst);
    size_t n = 0;
    const char *name = fn && LLVMIsAFunction(fn) ? LLVMGetValueName2(fn, &n) : NULL;
    return name && rules_for_callee(name, n) && !rules_call_writes_memory(inst);
  }
  if (LLVMIsALoadInst(inst))
    return !LLVMGetVolatile(inst) && LLVMGetOrdering(inst) == LLVMAtomicOrderingNotAtomic;
  return !LLVMIsAStoreInst(inst) && !LLVMIsAPHINode(inst) && !LLVMIsATerminatorInst(inst) &&
         !LLVMIsAAllocaInst(inst) && !LLVMIsAAtomicRMWInst(inst) && !LLVMIsAAtomicCmpXchgInst(inst) &&
         !LLVMIsAFenceInst(inst) && !LLVMIsAVAArgInst(inst) && !LLVMIsALandingPadInst(inst);
}

/* Markers that write nothing (debug info, annotations, lifetimes). */
static int harmless_call(LLVMValueRef inst) {
  static const char *const PREFIXES[] = {"llvm.dbg.", "llvm.lifetime.", "llvm.assume", "llvm.var.annotation",
                                         "llvm.experimental.noalias", NULL};
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  for (const char *const *p = PREFIXES; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 1;
  return 0;
}

/* Can v (used by the k loop) be computed again for any j: outside the j
 * loop, the j loop's induction variable, or a pure instruction of the j
 * loop's body (not of the k loop) made of such values? */
static int recomputable_for_j(const nest *t, LLVMValueRef v, int depth) {
  if (!in_j(t, v) || v == t->j)
    return 1;
  if (depth <= 0 || LLVMGetInstructionParent(v) == t->bk || !pure_instruction(v) || LLVMIsALoadInst(v) ||
      LLVMIsACallInst(v))
    return 0;
  for (int o = 0; o < LLVMGetNumOperands(v); ++o)
    if (!recomputable_for_j(t, LLVMGetOperand(v, (unsigned)o), depth - 1))
      return 0;
  return 1;
}

/* Does loop l (of loops) qualify as the j loop, with its k loop? Fills t. */
static int find_nest(ct_bridge_loop *loops, unsigned nloops, unsigned l, LLVMBasicBlockRef *blocks, nest *t) {
  const ct_bridge_loop *J = &loops[l];
  memset(t, 0, sizeof *t);
  if (!J->preheader || !J->exit || !J->trip_count)
    return 0;
  t->pj = J->preheader, t->hj = J->header, t->ej = J->exit, t->tj = J->trip_count;
  t->jblocks = blocks + J->first_block, t->njblocks = J->nblocks;
  /* the k loop: the only loop inside, one block, reached from the header
     unconditionally */
  int k = -1;
  for (unsigned i = 0; i < nloops; ++i)
    if (i != l && in_blocks(t->jblocks, t->njblocks, loops[i].header)) {
      if (k >= 0 || loops[i].nblocks != 1)
        return 0;
      k = (int)i;
    }
  if (k < 0 || (int)J->nblocks < 3)
    return 0;
  t->bk = loops[k].header, t->pk = loops[k].preheader, t->xk = loops[k].exit;
  if (!t->pk || !t->xk)
    return 0;
  LLVMValueRef pkt = LLVMGetBasicBlockTerminator(t->pk);
  if (!LLVMIsABranchInst(pkt) || LLVMIsConditional(pkt) || LLVMGetSuccessor(pkt, 0) != t->bk)
    return 0;
  if (t->pk != t->hj) { /* the header goes to the k loop, or tests a condition fixed in the j loop */
    LLVMValueRef ht = LLVMGetBasicBlockTerminator(t->hj);
    if (!LLVMIsABranchInst(ht))
      return 0;
    if (LLVMIsConditional(ht)) {
      t->guard = LLVMGetCondition(ht);
      t->guard_true = LLVMGetSuccessor(ht, 0) == t->pk;
      if (in_j(t, t->guard) || LLVMGetSuccessor(ht, t->guard_true ? 0 : 1) != t->pk ||
          LLVMGetSuccessor(ht, 0) == LLVMGetSuccessor(ht, 1))
        return 0;
    } else if (LLVMGetSuccessor(ht, 0) != t->pk) {
      return 0;
    }
    if (LLVMGetFirstInstruction(t->pk) != LLVMGetBasicBlockTerminator(t->pk) && LLVMIsAPHINode(LLVMGetFirstInstruction(t->pk)))
      return 0;
  }
  /* the j loop's latch: its only exiting block, j from 0 by 1 */
  for (unsigned b = 0; b < t->njblocks; ++b) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(t->jblocks[b]);
    for (unsigned s = 0; s < LLVMGetNumSuccessors(term); ++s)
      if (LLVMGetSuccessor(term, s) == t->hj) {
        if (t->lj && t->lj != t->jblocks[b])
          return 0;
        t->lj = t->jblocks[b];
      }
  }
  for (unsigned b = 0; b < t->njblocks; ++b) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(t->jblocks[b]);
    for (unsigned s = 0; s < LLVMGetNumSuccessors(term); ++s)
      if (t->jblocks[b] != t->lj && !in_blocks(t->jblocks, t->njblocks, LLVMGetSuccessor(term, s)))
        return 0;
  }
  if (!t->lj || t->lj == t->bk)
    return 0;
  for (LLVMValueRef phi = LLVMGetFirstInstruction(t->hj); phi && LLVMIsAPHINode(phi); phi = LLVMGetNextInstruction(phi))
    if (is_const_int(incoming(phi, t->pj), 0) && is_increment_of(incoming(phi, t->lj), phi) &&
        exit_bound(t->lj, incoming(phi, t->lj), t->hj) && LLVMTypeOf(phi) == LLVMTypeOf(t->tj))
      t->j = phi;
  if (!t->j)
    return 0;
  /* the k loop's phis: its induction variable and the sum */
  for (LLVMValueRef phi = LLVMGetFirstInstruction(t->bk); phi && LLVMIsAPHINode(phi); phi = LLVMGetNextInstruction(phi)) {
    LLVMValueRef start = incoming(phi, t->pk), next = incoming(phi, t->bk);
    if (is_increment_of(next, phi) && !t->k) {
      t->k = phi, t->k_next = next;
    } else if (!t->s && start && LLVMIsAConstantFP(start) && LLVMIsNull(start) &&
               LLVMGetTypeKind(LLVMTypeOf(phi)) == LLVMDoubleTypeKind) {
      t->s = phi, t->s_next = next; /* +0.0 only: S starts zeroed */
    } else {
      return 0;
    }
  }
  if (!t->k || !t->s || in_j(t, incoming(t->k, t->pk)))
    return 0;
  LLVMValueRef kb = exit_bound(t->bk, t->k_next, t->bk);
  if (!kb || in_j(t, kb))
    return 0;
  t->k_cmp = LLVMGetCondition(LLVMGetBasicBlockTerminator(t->bk));
  /* the sum's only use is the next sum, made in the k loop */
  LLVMUseRef u = LLVMGetFirstUse(t->s);
  if (!u || LLVMGetNextUse(u) || LLVMGetUser(u) != t->s_next || !LLVMIsAInstruction(t->s_next) ||
      LLVMGetInstructionParent(t->s_next) != t->bk)
    return 0;
  return 1;
}

/* The k loop's other instructions and the j loop's memory. */
static int used_only_in(LLVMValueRef v, LLVMBasicBlockRef bb) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u))
    if (LLVMGetInstructionParent(LLVMGetUser(u)) != bb)
      return 0;
  return 1;
}

static int nest_is_pure(const nest *t) {
  if (!used_only_in(t->k, t->bk) || !used_only_in(t->k_next, t->bk) || !used_only_in(t->k_cmp, t->bk))
    return 0;
  for (LLVMValueRef inst = LLVMGetFirstInstruction(t->bk); inst; inst = LLVMGetNextInstruction(inst)) {
    if (LLVMIsAPHINode(inst) || inst == LLVMGetBasicBlockTerminator(t->bk) || inst == t->k_cmp ||
        (LLVMIsACallInst(inst) && harmless_call(inst)))
      continue;
    if (!pure_instruction(inst))
      return 0;
    for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
      if (inst != t->s_next && LLVMGetInstructionParent(LLVMGetUser(u)) != t->bk)
        return 0; /* used outside the k loop: only the sum may be */
    for (int o = 0; o < LLVMGetNumOperands(inst); ++o) {
      LLVMValueRef op = LLVMGetOperand(inst, (unsigned)o);
      if (LLVMIsAInstruction(op) && LLVMGetInstructionParent(op) == t->bk)
        continue;
      if (!LLVMIsABasicBlock(op) && !recomputable_for_j(t, op, 6))
        return 0;
    }
  }
  for (LLVMValueRef phi = LLVMGetFirstInstruction(t->xk); phi && LLVMIsAPHINode(phi); phi = LLVMGetNextInstruction(phi))
    if (LLVMCountIncoming(phi) != 1 || (in_j(t, LLVMGetIncomingValue(phi, 0)) &&
                                        LLVMGetIncomingValue(phi, 0) != t->s_next &&
                                        LLVMGetInstructionParent(LLVMGetIncomingValue(phi, 0)) == t->bk))
      return 0;
  for (unsigned b = 0; b < t->njblocks; ++b)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(t->jblocks[b]); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsAStoreInst(inst) || LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst) ||
          LLVMIsAInvokeInst(inst) || LLVMIsACallBrInst(inst) ||
          LLVMIsAFenceInst(inst) || (LLVMIsACallInst(inst) && !harmless_call(inst) && !pure_instruction(inst)))
        return 0;
  return 1;
}

/* Where the new nest's copies go: the k loop's header (`outer`, before
 * its branch) when they do not vary with j, else the j loop. `varies`
 * holds the copies that vary with j (j2 and the sum loaded from S among
 * them). */
typedef struct {
  LLVMBuilderRef b;
  LLVMValueRef outer_at; /* the k loop header's branch */
  ct_vmap map, varies;
} placing;

static void place(placing *p, LLVMValueRef copy, LLVMValueRef orig) {
  int varies = 0;
  for (int o = 0; o < LLVMGetNumOperands(copy) && !varies; ++o)
    varies = vmap_get(&p->varies, LLVMGetOperand(copy, (unsigned)o)) != NULL;
  if (varies) {
    LLVMInsertIntoBuilder(p->b, copy);
    vmap_set(&p->varies, copy, copy);
  } else {
    LLVMBasicBlockRef here = LLVMGetInsertBlock(p->b);
    LLVMPositionBuilderBefore(p->b, p->outer_at);
    LLVMInsertIntoBuilder(p->b, copy);
    LLVMPositionBuilderAtEnd(p->b, here);
  }
  vmap_set(&p->map, orig, copy);
}

/* v for the new nest: the mapped copy, a copy of a j-body value, or v. */
static LLVMValueRef remap(placing *p, const nest *t, LLVMValueRef v) {
  LLVMValueRef c = vmap_get(&p->map, v);
  if (c || !in_j(t, v))
    return c ? c : v;
  LLVMValueRef copy = LLVMInstructionClone(v);
  for (int o = 0; o < LLVMGetNumOperands(v); ++o)
    LLVMSetOperand(copy, (unsigned)o, remap(p, t, LLVMGetOperand(v, (unsigned)o)));
  place(p, copy, v);
  return copy;
}

/* Replaces each phi of bb by one whose edge from `from` comes from `to`. */
static void retarget_phis(LLVMBuilderRef b, LLVMBasicBlockRef bb, LLVMBasicBlockRef from, LLVMBasicBlockRef to) {
  LLVMValueRef phi = LLVMGetFirstInstruction(bb);
  while (phi && LLVMIsAPHINode(phi)) {
    LLVMValueRef next = LLVMGetNextInstruction(phi);
    LLVMPositionBuilderBefore(b, phi);
    LLVMValueRef np = LLVMBuildPhi(b, LLVMTypeOf(phi), "");
    for (unsigned q = 0; q < LLVMCountIncoming(phi); ++q) {
      LLVMValueRef v = LLVMGetIncomingValue(phi, q);
      LLVMBasicBlockRef in = LLVMGetIncomingBlock(phi, q);
      if (in == from)
        in = to;
      LLVMAddIncoming(np, &v, &in, 1);
    }
    LLVMReplaceAllUsesWith(phi, np);
    LLVMInstructionEraseFromParent(phi);
    phi = next;
  }
}

static void rewrite(ct_module *m, LLVMValueRef fn, nest *t) {
  LLVMBuilderRef b = m->b;
  LLVMContextRef ctx = m->ctx;
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx), ptr = LLVMPointerTypeInContext(ctx, 0);
  LLVMTypeRef dbl = LLVMTypeOf(t->s);
  LLVMSetCurrentDebugLocation2(b, NULL);
  /* S, zeroed, in the j loop's preheader */
  LLVMValueRef pjt = LLVMGetBasicBlockTerminator(t->pj);
  LLVMPositionBuilderBefore(b, pjt);
  LLVMValueRef bytes = LLVMBuildMul(b, t->tj, LLVMConstInt(i64, 8, 0), "ct.sums.bytes");
  LLVMValueRef sums = ir_build_call(b, m->mod, "malloc", LLVMFunctionType(ptr, &i64, 1, 0), &bytes, 1, "ct.sums");
  LLVMBuildMemSet(b, sums, LLVMConstInt(LLVMInt8TypeInContext(ctx), 0, 0), bytes, 8);
  /* the new nest: for k { for j S[j] += ... } */
  LLVMBasicBlockRef kh = LLVMAppendBasicBlockInContext(ctx, fn, "ct.xk");
  LLVMBasicBlockRef jh = LLVMAppendBasicBlockInContext(ctx, fn, "ct.xj");
  LLVMBasicBlockRef kl = LLVMAppendBasicBlockInContext(ctx, fn, "ct.xk.latch");
  LLVMBasicBlockRef kx = LLVMAppendBasicBlockInContext(ctx, fn, "ct.xk.exit"); /* the j loop's preheader now */
  /* the preheader goes to the new nest (when the k loop would run), then
     to the j loop */
  LLVMInstructionEraseFromParent(pjt);
  LLVMPositionBuilderAtEnd(b, t->pj);
  if (t->guard)
    LLVMBuildCondBr(b, t->guard, t->guard_true ? kh : kx, t->guard_true ? kx : kh);
  else
    LLVMBuildBr(b, kh);
  placing p = {.b = b};
  vmap_init(&p.map);
  vmap_init(&p.varies);
  LLVMPositionBuilderAtEnd(b, kh);
  LLVMValueRef k2 = LLVMBuildPhi(b, LLVMTypeOf(t->k), "ct.xk.k");
  p.outer_at = LLVMBuildBr(b, jh);
  LLVMPositionBuilderAtEnd(b, jh);
  LLVMValueRef j2 = LLVMBuildPhi(b, LLVMTypeOf(t->j), "ct.xj.j");
  vmap_set(&p.map, t->k, k2);
  vmap_set(&p.map, t->j, j2);
  LLVMValueRef slot = LLVMBuildGEP2(b, dbl, sums, &j2, 1, "");
  LLVMValueRef old = LLVMBuildLoad2(b, dbl, slot, "");
  vmap_set(&p.map, t->s, old);
  vmap_set(&p.varies, j2, j2);
  vmap_set(&p.varies, slot, slot);
  vmap_set(&p.varies, old, old);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(t->bk); inst; inst = LLVMGetNextInstruction(inst)) {
    if (LLVMIsAPHINode(inst) || inst == LLVMGetBasicBlockTerminator(t->bk) || inst == t->k_cmp ||
        inst == t->k_next || (LLVMIsACallInst(inst) && harmless_call(inst)))
      continue;
    LLVMValueRef copy = LLVMInstructionClone(inst);
    for (int o = 0; o < LLVMGetNumOperands(inst); ++o)
      if (!LLVMIsABasicBlock(LLVMGetOperand(inst, (unsigned)o)) && !LLVMIsAFunction(LLVMGetOperand(inst, (unsigned)o)))
        LLVMSetOperand(copy, (unsigned)o, remap(&p, t, LLVMGetOperand(inst, (unsigned)o)));
    place(&p, copy, inst);
  }
  ct_vmap map = p.map;
  vmap_free(&p.varies);
  LLVMBuildStore(b, vmap_get(&map, t->s_next), slot);
  LLVMValueRef j2n = LLVMBuildAdd(b, j2, LLVMConstInt(LLVMTypeOf(j2), 1, 0), "");
  LLVMSetNUW(j2n, 1);
  LLVMSetNSW(j2n, 1);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, j2n, t->tj, ""), kl, jh);
  LLVMValueRef zero = LLVMConstNull(LLVMTypeOf(j2));
  LLVMAddIncoming(j2, &zero, &kh, 1);
  LLVMAddIncoming(j2, &j2n, &jh, 1);
  LLVMPositionBuilderAtEnd(b, kl);
  LLVMValueRef k2n = LLVMInstructionClone(t->k_next);
  LLVMSetOperand(k2n, 0, k2);
  LLVMInsertIntoBuilder(b, k2n);
  LLVMValueRef kc = LLVMInstructionClone(t->k_cmp);
  LLVMSetOperand(kc, 0, k2n);
  LLVMInsertIntoBuilder(b, kc);
  LLVMBuildCondBr(b, kc, kx, kh);
  LLVMPositionBuilderAtEnd(b, kx);
  LLVMBuildBr(b, t->hj);
  LLVMValueRef k0 = incoming(t->k, t->pk);
  LLVMAddIncoming(k2, &k0, &t->pj, 1);
  LLVMAddIncoming(k2, &k2n, &kl, 1);
  vmap_free(&map);
  /* the j loop reads its sum from S; the k loop goes */
  LLVMValueRef first = LLVMGetFirstInstruction(t->xk);
  while (first && LLVMIsAPHINode(first))
    first = LLVMGetNextInstruction(first);
  LLVMPositionBuilderBefore(b, first);
  LLVMValueRef sj = LLVMBuildLoad2(b, dbl, LLVMBuildGEP2(b, dbl, sums, &t->j, 1, ""), "ct.sum");
  LLVMValueRef phi = LLVMGetFirstInstruction(t->xk);
  while (phi && LLVMIsAPHINode(phi)) {
    LLVMValueRef next = LLVMGetNextInstruction(phi), in = LLVMGetIncomingValue(phi, 0);
    LLVMReplaceAllUsesWith(phi, in == t->s_next ? sj : in);
    LLVMInstructionEraseFromParent(phi);
    phi = next;
  }
  LLVMReplaceAllUsesWith(t->s_next, sj);
  LLVMValueRef pkt = LLVMGetBasicBlockTerminator(t->pk);
  LLVMSetSuccessor(pkt, 0, t->xk);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(t->bk); inst; inst = LLVMGetFirstInstruction(t->bk)) {
    LLVMReplaceAllUsesWith(inst, LLVMGetUndef(LLVMTypeOf(inst)));
    LLVMInstructionEraseFromParent(inst);
  }
  LLVMDeleteBasicBlock(t->bk);
  /* freed after the j loop */
  LLVMValueRef at = LLVMGetFirstInstruction(t->ej);
  while (at && LLVMIsAPHINode(at))
    at = LLVMGetNextInstruction(at);
  LLVMPositionBuilderBefore(b, at);
  ir_build_call(b, m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(ctx), &ptr, 1, 0), &sums, 1, "");
  retarget_phis(b, t->hj, t->pj, kx); /* last: it replaces the header's phis (j among them) */
}

void interchange_dot_products(ct_module *m, LLVMValueRef user_fn, LLVMValueRef fn) {
  if (gpu_module_is_simt(m->mod))
    return; /* no malloc per loop in kernels */
  for (int changed = 1, rounds = 0; changed && rounds < 4; ++rounds) {
    changed = 0;
    ct_bridge_loop *loops = NULL;
    LLVMBasicBlockRef *blocks = NULL;
    unsigned n = ct_bridge_loop_trip_counts(fn, &loops, &blocks);
    for (unsigned l = 0; l < n && !changed; ++l) {
      nest t;
      if (find_nest(loops, n, l, blocks, &t) && nest_is_pure(&t)) {
        size_t len = 0;
        const char *name = LLVMGetValueName2(user_fn, &len);
        diag_report(user_fn, LLVMGetBasicBlockTerminator(t.lj), CT_SEV_REMARK,
                    "gradient of '%.*s': this loop's dot products, along a strided index, are computed with the "
                    "loops interchanged and the sums in an array (the same operations in the same order)",
                    (int)len, name);
        rewrite(m, fn, &t);
        changed = 1;
      }
    }
    free(loops);
    free(blocks);
  }
}
