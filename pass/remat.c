/* Iteration-level rematerialisation: the reverse of a loop iteration that
 * overwrites scratch memory of the function's own (x - mu into one buffer,
 * Q times it into another, then a norm, for every point and component)
 * first recomputes that iteration's writes to the scratch memory, from the
 * iteration's live-in values, instead of taping what its loads read there.
 *
 * For a loop L (one latch, which is also its only exit) and a set O of
 * private objects L writes (memory.c: memory_private_scratch), the
 * recomputation is a copy of L's blocks run at the start of the reverse of
 * every iteration (the reverse of the latch), holding the stores into O and
 * what they and L's branches depend on (the slice). It is exact when every
 * load of the slice reads what it read in the forward pass: memory nothing
 * writes after it (memory_reads_unchanged), or bytes of O that an earlier
 * store of the same iteration wrote (the copy writes them again: covered).
 * A load of O is then restored for the iteration's reverse blocks when it
 * is covered and no store of the iteration writes its object after it: at
 * the iteration's reverse its memory holds again what it read, so the
 * planner recomputes it (plan.c: is_cheap) instead of taping it.
 *
 * Coverage is proven on canonical loops: a store of T at `gep T, obj, i`
 * with i an induction variable of a loop A stepping by 1 from s to its exit
 * bound e writes elements [s, e) of obj in every run of A; a load of T at
 * `gep T, obj, j` after A in the same iteration of A's parent loop is
 * covered when j's range, from the induction variables it is made of, lies
 * in [s, e). Bounds are compared as linear forms (an SSA value plus a
 * constant).
 *
 * The planner chooses O, and whether to recompute L at all, by a cost
 * model: the instructions of the slice against the taped values the
 * restored loads save (each weighted by an assumed trip count per nested
 * loop). Loops are considered innermost first; chosen loops do not nest.
 * A recomputation writes primal memory in the reverse pass, so it is only
 * done where the reverse runs in the same call (not split) and no other
 * thread runs the same code; a malloc'd object's free is deferred to the
 * reverse of its malloc, an alloca's lifetime end markers are dropped from
 * the forward part. */
#include "remat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the assumed trip count of a loop, for the cost model, and the cost of one
   taped value (a store in the forward, a load in the reverse, the traffic)
   against one recomputed instruction */
enum { ASSUMED_TRIPS = 8, TAPE_COST = 3, CALL_COST = 12 };

/* COTANGENT_DEBUG: why a loop or object was not chosen */
static void debug(const char *what, int loop, LLVMValueRef v) {
  if (!ct_switch(CT_SWITCH_DEBUG))
    return;
  char *txt = v ? LLVMPrintValueToString(v) : NULL;
  fprintf(stderr, "cotangent: recompute loop %d: %s%s (line %u)\n", loop, what, txt ? txt : "",
          v && LLVMIsAInstruction(v) ? LLVMGetDebugLocLine(v) : 0);
  LLVMDisposeMessage(txt);
}

/* ---- loops ---- */

unsigned remat_block_index(ct_gen *g, LLVMBasicBlockRef bb) { return (unsigned)(cfg_block_of(g, bb) - g->blocks); }

int remat_in_loop(ct_gen *g, int l, unsigned bi) {
  for (int k = g->remat->innermost[bi]; k >= 0; k = g->remat->parent[k])
    if (k == l)
      return 1;
  return 0;
}

static unsigned loop_depth(ct_gen *g, int l) {
  unsigned d = 0;
  for (; l >= 0; l = g->remat->parent[l])
    ++d;
  return d;
}

static void analyse_loops(ct_gen *g, struct ct_remat *r) {
  r->innermost = malloc((g->nblocks ? g->nblocks : 1) * sizeof *r->innermost);
  for (unsigned i = 0; i < g->nblocks; ++i)
    r->innermost[i] = -1;
  /* loops are in preorder: a later loop containing a block is nested deeper */
  for (unsigned l = 0; l < g->nloops; ++l)
    for (unsigned k = 0; k < g->loops[l].nblocks; ++k)
      r->innermost[remat_block_index(g, g->loop_blocks[g->loops[l].first_block + k])] = (int)l;
  r->parent = malloc((g->nloops ? g->nloops : 1) * sizeof *r->parent);
  r->latches = calloc(g->nloops ? g->nloops : 1, sizeof *r->latches);
  for (unsigned l = 0; l < g->nloops; ++l) {
    r->parent[l] = -1;
    for (unsigned k = l; k-- > 0;)
      if (cfg_loop_contains(g, &g->loops[k], g->loops[l].header)) {
        r->parent[l] = (int)k;
        break;
      }
    unsigned n = 0;
    for (unsigned k = 0; k < g->loops[l].nblocks; ++k) {
      LLVMBasicBlockRef bb = g->loop_blocks[g->loops[l].first_block + k];
      LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
      for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s)
        if (LLVMGetSuccessor(t, s) == g->loops[l].header) {
          r->latches[l] = bb;
          ++n;
        }
    }
    if (n != 1)
      r->latches[l] = NULL;
  }
}

/* Does every path from loop c's header to block `to` (both in c, without
 * going round c) pass block `via`? */
static int on_every_path(ct_gen *g, int c, LLVMBasicBlockRef via, LLVMBasicBlockRef to) {
  if (via == to || via == g->loops[c].header)
    return 1;
  unsigned n = g->nblocks, nw = 0;
  unsigned char *seen = calloc(n, 1);
  unsigned *work = malloc(n * sizeof *work);
  unsigned start = remat_block_index(g, g->loops[c].header);
  seen[start] = 1;
  seen[remat_block_index(g, via)] = 1; /* never entered */
  work[nw++] = start;
  int reached = 0;
  while (nw && !reached) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[work[--nw]].bb);
    for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s) {
      unsigned k = remat_block_index(g, LLVMGetSuccessor(t, s));
      if (seen[k] || !remat_in_loop(g, c, k))
        continue;
      seen[k] = 1;
      reached |= g->blocks[k].bb == to;
      work[nw++] = k;
    }
  }
  free(seen);
  free(work);
  return !reached;
}

/* ---- linear forms and induction variables ---- */

typedef struct {
  LLVMValueRef base; /* NULL: a constant */
  long long off;
} lin;

static int const_int(LLVMValueRef v, long long *c) {
  if (!LLVMIsAConstantInt(v) || LLVMGetIntTypeWidth(LLVMTypeOf(v)) > 64)
    return 0;
  *c = LLVMConstIntGetSExtValue(v);
  return 1;
}

/* v as base + constant, through adds and subtractions of constants that
 * do not wrap */
static lin lin_of(LLVMValueRef v) {
  lin r = {v, 0};
  for (int depth = 0; depth < 8; ++depth) {
    long long c;
    if (const_int(r.base, &c))
      return (lin){NULL, r.off + c};
    if (!LLVMIsAInstruction(r.base))
      return r;
    LLVMOpcode op = LLVMGetInstructionOpcode(r.base);
    if ((op != LLVMAdd && op != LLVMSub) || !(LLVMGetNSW(r.base) || LLVMGetNUW(r.base)))
      return r;
    LLVMValueRef a = LLVMGetOperand(r.base, 0), b = LLVMGetOperand(r.base, 1);
    if (const_int(b, &c))
      r = (lin){a, r.off + (op == LLVMAdd ? c : -c)};
    else if (op == LLVMAdd && const_int(a, &c))
      r = (lin){b, r.off + c};
    else
      return r;
  }
  return r;
}

/* Do a and b compute the same value: one value, or the same cast of it
 * (unsimplified code repeats `zext %n`)? */
static int same_value(LLVMValueRef a, LLVMValueRef b) {
  for (int depth = 0; depth < 4 && a != b; ++depth) {
    if (!a || !b || !LLVMIsACastInst(a) || !LLVMIsACastInst(b) ||
        LLVMGetInstructionOpcode(a) != LLVMGetInstructionOpcode(b) || LLVMTypeOf(a) != LLVMTypeOf(b))
      return 0;
    a = LLVMGetOperand(a, 0);
    b = LLVMGetOperand(b, 0);
  }
  return a == b;
}

static int lin_le(lin a, lin b) { return same_value(a.base, b.base) && a.off <= b.off; }

/* An induction variable stepping up by a positive constant without
 * wrapping (plan.c's find_iv recorded it): its start and step. */
static int iv_step(ct_gen *g, LLVMValueRef phi, LLVMValueRef *start, long long *step) {
  LLVMValueRef inc = vmap_get(&g->iv_steps, phi);
  if (!inc || LLVMGetInstructionOpcode(inc) != LLVMAdd || !const_int(LLVMGetOperand(inc, 1), step) || *step <= 0)
    return 0;
  *start = vmap_get(&g->iv_starts, phi);
  return 1;
}

/* Where an induction variable's values end (exclusive), when its loop's
 * latch exits on `next == e` (or `phi == e`), and that loop. */
static int iv_end(ct_gen *g, LLVMValueRef phi, int *loop, lin *end) {
  LLVMValueRef inc = vmap_get(&g->iv_steps, phi);
  int l = g->remat->innermost[remat_block_index(g, LLVMGetInstructionParent(phi))];
  if (!inc || l < 0 || g->loops[l].header != LLVMGetInstructionParent(phi) || !g->remat->latches[l])
    return 0;
  *loop = l;
  LLVMValueRef t = LLVMGetBasicBlockTerminator(g->remat->latches[l]);
  if (!LLVMIsABranchInst(t) || !LLVMIsConditional(t) || !LLVMIsAICmpInst(LLVMGetCondition(t)))
    return 0;
  LLVMValueRef cmp = LLVMGetCondition(t);
  LLVMIntPredicate pred = LLVMGetICmpPredicate(cmp);
  /* the edge taken when the compare holds must leave the loop (eq) or stay (ne) */
  int true_leaves = LLVMGetSuccessor(t, 0) != g->loops[l].header;
  if (!((pred == LLVMIntEQ && true_leaves) || (pred == LLVMIntNE && !true_leaves)))
    return 0;
  for (unsigned s = 0; s < 2; ++s) {
    LLVMValueRef x = LLVMGetOperand(cmp, s), e = LLVMGetOperand(cmp, 1 - s);
    if (x == inc || x == phi) {
      *end = lin_of(e);
      end->off += x == phi; /* the body ran with phi == e too */
      return 1;
    }
  }
  return 0;
}

/* The least value an index takes (inclusive), as a linear form: an
 * induction variable's is its start's. */
static lin index_lo(ct_gen *g, LLVMValueRef v, int depth) {
  lin r = lin_of(v);
  LLVMValueRef start;
  long long step;
  if (depth > 0 && r.base && LLVMIsAPHINode(r.base) && iv_step(g, r.base, &start, &step)) {
    lin s = index_lo(g, start, depth - 1);
    return (lin){s.base, s.off + r.off};
  }
  return r;
}

/* A bound an index stays under (exclusive): an induction variable's exit
 * bound, else the index plus one. */
static lin index_hi(ct_gen *g, LLVMValueRef v) {
  lin r = lin_of(v), end;
  int l;
  if (r.base && LLVMIsAPHINode(r.base) && iv_end(g, r.base, &l, &end))
    return (lin){end.base, end.off + r.off};
  return (lin){r.base, r.off + 1};
}

/* ---- addresses ---- */

/* `gep T, obj, i` (or `gep [N x T], obj, 0, i`, or obj itself: i = 0):
 * the element type T and the index i; 0 for other addresses. */
static int element_address(LLVMValueRef ptr, LLVMValueRef obj, LLVMTypeRef *elem, LLVMValueRef *idx) {
  if (ptr == obj) {
    *idx = NULL;
    *elem = NULL;
    return 1;
  }
  if (!LLVMIsAGetElementPtrInst(ptr) || LLVMGetOperand(ptr, 0) != obj)
    return 0;
  unsigned n = (unsigned)LLVMGetNumOperands(ptr);
  LLVMTypeRef t = LLVMGetGEPSourceElementType(ptr);
  long long c;
  if (n == 2) {
    *elem = t;
    *idx = LLVMGetOperand(ptr, 1);
    return 1;
  }
  if (n == 3 && LLVMGetTypeKind(t) == LLVMArrayTypeKind && const_int(LLVMGetOperand(ptr, 1), &c) && c == 0) {
    *elem = LLVMGetElementType(t);
    *idx = LLVMGetOperand(ptr, 2);
    return 1;
  }
  return 0;
}

static LLVMValueRef access_pointer(LLVMValueRef inst) { return LLVMGetOperand(inst, LLVMIsAStoreInst(inst) ? 1 : 0); }
static LLVMTypeRef access_type(LLVMValueRef inst) {
  return LLVMIsAStoreInst(inst) ? LLVMTypeOf(LLVMGetOperand(inst, 0)) : LLVMTypeOf(inst);
}

/* Is v fixed during one iteration of loop c (defined outside c, or in c's
 * own blocks, not in a loop inside it)? */
static int fixed_in(ct_gen *g, int c, LLVMValueRef v) {
  if (!v || !LLVMIsAInstruction(v))
    return 1;
  unsigned bi = remat_block_index(g, LLVMGetInstructionParent(v));
  return !remat_in_loop(g, c, bi) || g->remat->innermost[bi] == c;
}

/* Does store s write, before load x and in the same iteration of the loops
 * around it, every byte x reads? Both access elements of one type of one
 * object. */
static int store_covers(ct_gen *g, LLVMValueRef s, LLVMValueRef x, LLVMValueRef obj) {
  LLVMTypeRef se, xe;
  LLVMValueRef si, xi;
  if (access_type(s) != access_type(x) || !element_address(access_pointer(s), obj, &se, &si) ||
      !element_address(access_pointer(x), obj, &xe, &xi) || se != xe)
    return 0;
  if (se && se != access_type(s))
    return 0;
  LLVMBasicBlockRef sb = LLVMGetInstructionParent(s), xb = LLVMGetInstructionParent(x);
  int sl = g->remat->innermost[remat_block_index(g, sb)];
  if (si == xi) { /* one element, written in the same iteration of the store's loops before x */
    if (!remat_in_loop(g, sl, remat_block_index(g, xb)))
      return 0;
    if (sb == xb) {
      for (LLVMValueRef i = LLVMGetNextInstruction(s); i; i = LLVMGetNextInstruction(i))
        if (i == x)
          return 1;
      return 0;
    }
    return sl >= 0 && on_every_path(g, sl, sb, xb);
  }
  /* a range: s in loop A stepping its index by 1 from a to e, every
     iteration of A, A run before x in the same iteration of A's parent */
  int a, l2;
  LLVMValueRef start;
  long long step;
  lin end;
  if (!si || !LLVMIsAPHINode(si) || !iv_step(g, si, &start, &step) || step != 1 || !iv_end(g, si, &l2, &end) ||
      l2 != sl)
    return 0;
  a = sl;
  int c = g->remat->parent[a];
  if (c < 0 || !remat_in_loop(g, c, remat_block_index(g, xb)) || remat_in_loop(g, a, remat_block_index(g, xb)))
    return 0;
  if (!on_every_path(g, a, sb, g->remat->latches[a]) || !on_every_path(g, c, g->loops[a].header, xb))
    return 0;
  if (!fixed_in(g, c, start) || !fixed_in(g, c, end.base) || !xi)
    return 0;
  return lin_le(lin_of(start), index_lo(g, xi, 4)) && lin_le(index_hi(g, xi), end);
}

/* ---- the candidate loop ---- */

typedef struct {
  int loop;
  LLVMBasicBlockRef latch;
  LLVMValueRef *stores;
  unsigned nstores;
  LLVMValueRef *loads;
  unsigned nloads;
  LLVMValueRef *written; /* objects the loop's stores write */
  unsigned nwritten;
} candidate;

static void push(LLVMValueRef **a, unsigned *n, LLVMValueRef v) {
  *a = realloc(*a, (*n + 1) * sizeof **a);
  (*a)[(*n)++] = v;
}

static int contains(LLVMValueRef *a, unsigned n, LLVMValueRef v) {
  for (unsigned i = 0; i < n; ++i)
    if (a[i] == v)
      return 1;
  return 0;
}

static int has_prefix(LLVMValueRef call, const char *const *prefixes) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  for (const char *const *p = prefixes; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 1;
  return 0;
}

/* markers the recomputation leaves out */
static int is_marker(LLVMValueRef inst) {
  static const char *const MARKERS[] = {"llvm.dbg.", "llvm.lifetime.", "llvm.assume", "llvm.experimental.noalias",
                                        "llvm.var.annotation", "llvm.annotation.", NULL};
  return LLVMIsACallInst(inst) && has_prefix(inst, MARKERS);
}

/* calls the recomputation may copy: math without memory effects */
static int is_pure_call(LLVMValueRef call) {
  static const char *const INT_MATH[] = {"llvm.smax.", "llvm.smin.", "llvm.umax.", "llvm.umin.", "llvm.abs.", NULL};
  if (has_prefix(call, INT_MATH))
    return 1;
  return classify_rule(call) && !rules_call_writes_memory(call);
}

/* Collects the loop's loads, stores and written objects; 0 when the loop
 * cannot be recomputed (calls with effects, memory intrinsics, allocas,
 * atomics, several latches or exits). */
static int scan_loop(ct_gen *g, int l, candidate *c) {
  const ct_bridge_loop *loop = &g->loops[l];
  memset(c, 0, sizeof *c);
  c->loop = l;
  c->latch = g->remat->latches[l];
  if (!c->latch || !loop->preheader || !loop->exit)
    return 0;
  for (unsigned k = 0; k < loop->nblocks; ++k) {
    LLVMBasicBlockRef bb = g->loop_blocks[loop->first_block + k];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
    if (!t || (!LLVMIsABranchInst(t) && !LLVMIsASwitchInst(t)))
      return 0;
    for (unsigned s = 0; bb != c->latch && s < LLVMGetNumSuccessors(t); ++s)
      if (!remat_in_loop(g, l, remat_block_index(g, LLVMGetSuccessor(t, s))))
        return 0; /* only the latch leaves the loop */
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (is_marker(inst))
        continue;
      if (LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst)) {
        if (LLVMGetVolatile(inst) || LLVMGetOrdering(inst) != LLVMAtomicOrderingNotAtomic)
          return 0;
        if (LLVMIsALoadInst(inst)) {
          push(&c->loads, &c->nloads, inst);
          continue;
        }
        push(&c->stores, &c->nstores, inst);
        LLVMValueRef obj = ir_base_object(LLVMGetOperand(inst, 1));
        if (!contains(c->written, c->nwritten, obj))
          push(&c->written, &c->nwritten, obj);
        continue;
      }
      if (LLVMIsACallInst(inst) ? !is_pure_call(inst)
                                : LLVMIsAAllocaInst(inst) || LLVMIsAAtomicRMWInst(inst) ||
                                      LLVMIsAAtomicCmpXchgInst(inst) || LLVMIsAFenceInst(inst) ||
                                      LLVMIsAInvokeInst(inst) || LLVMIsALandingPadInst(inst) ||
                                      LLVMIsAVAArgInst(inst)) {
        debug("cannot copy ", l, inst);
        return 0;
      }
    }
  }
  return 1;
}

static void candidate_free(candidate *c) {
  free(c->stores);
  free(c->loads);
  free(c->written);
}

/* What recomputing O (objs) in candidate c gives: its slice, the loads it
 * restores, and the objects its loads need recomputed too (closure). */
typedef struct {
  ct_vmap slice, restored;
  LLVMValueRef *live_ins;
  unsigned nlive_ins;
  LLVMValueRef missing; /* an object the slice reads and the loop writes, not in O */
  int ok;
  long long cost, saving;
} evaluation;

static long long weight(ct_gen *g, candidate *c, LLVMValueRef inst) {
  int l = g->remat->innermost[remat_block_index(g, LLVMGetInstructionParent(inst))];
  unsigned d = loop_depth(g, l) - loop_depth(g, c->loop);
  long long w = 1;
  for (unsigned k = 0; k < d && k < 3; ++k)
    w *= ASSUMED_TRIPS;
  return w;
}

/* Is the loaded value used by a rule whose derivative needs it (directly
 * or through one cheap instruction)? */
static int value_needed(ct_gen *g, LLVMValueRef v, int depth) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!vmap_get(&g->active, user) || !LLVMIsAInstruction(user))
      continue;
    const ct_rule *rule = classify(g, user) == REV_RULE ? classify_rule(user) : NULL;
    ct_rule_operands ops;
    if (rule && classify_rule_operands(g, user, rule, &ops))
      for (unsigned k = 0; k < rule->noperands; ++k)
        for (unsigned j = 0; j < ops.nargs[k]; ++j)
          if (ops.uses[k] && LLVMGetOperand(user, ops.first[k] + j) == v)
            return 1;
    if (depth > 0 && LLVMGetTypeKind(LLVMTypeOf(user)) != LLVMVoidTypeKind && value_needed(g, user, depth - 1))
      return 1;
  }
  return 0;
}

/* Is load x covered: does a store of the loop write, before x in the same
 * iteration, every byte it reads? */
static int covered(ct_gen *g, candidate *c, LLVMValueRef x) {
  LLVMValueRef obj = ir_base_object(LLVMGetOperand(x, 0));
  for (unsigned k = 0; k < c->nstores; ++k)
    if (ir_base_object(LLVMGetOperand(c->stores[k], 1)) == obj && store_covers(g, c->stores[k], x, obj))
      return 1;
  return 0;
}

/* Does a store of the loop write x's object after x in the same iteration? */
static int written_after(ct_gen *g, candidate *c, LLVMValueRef x) {
  LLVMValueRef obj = ir_base_object(LLVMGetOperand(x, 0));
  LLVMBasicBlockRef xb = LLVMGetInstructionParent(x);
  unsigned n = g->nblocks, nw = 0;
  unsigned char *reach = calloc(n, 1);
  unsigned *work = malloc(n * sizeof *work);
  unsigned header = remat_block_index(g, g->loops[c->loop].header);
  work[nw++] = remat_block_index(g, xb);
  while (nw) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[work[--nw]].bb);
    for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s) {
      unsigned k = remat_block_index(g, LLVMGetSuccessor(t, s));
      if (reach[k] || k == header || !remat_in_loop(g, c->loop, k))
        continue;
      reach[k] = 1;
      work[nw++] = k;
    }
  }
  int after = 0;
  for (unsigned k = 0; k < c->nstores && !after; ++k) {
    LLVMValueRef s = c->stores[k];
    if (ir_base_object(LLVMGetOperand(s, 1)) != obj)
      continue;
    LLVMBasicBlockRef sb = LLVMGetInstructionParent(s);
    if (reach[remat_block_index(g, sb)])
      after = 1;
    else if (sb == xb)
      for (LLVMValueRef i = LLVMGetNextInstruction(x); i && !after; i = LLVMGetNextInstruction(i))
        after = i == s;
  }
  free(reach);
  free(work);
  return after;
}

/* What recomputing inst costs: memory accesses and floating-point
 * arithmetic one each, calls more; index arithmetic and control flow are
 * next to free (vectorized or folded into addressing). */
static long long instruction_cost(LLVMValueRef inst) {
  if (LLVMIsACallInst(inst))
    return CALL_COST;
  if (LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst))
    return 1;
  LLVMTypeKind k = LLVMGetTypeKind(LLVMTypeOf(inst));
  if (k == LLVMVectorTypeKind)
    k = LLVMGetTypeKind(LLVMGetElementType(LLVMTypeOf(inst)));
  return k == LLVMDoubleTypeKind || k == LLVMFloatTypeKind || k == LLVMHalfTypeKind || k == LLVMFP128TypeKind ||
         k == LLVMX86_FP80TypeKind;
}

/* Adds v, an operand of a sliced instruction, to the slice or the live-ins. */
static void slice_operand(ct_gen *g, candidate *c, evaluation *e, LLVMValueRef v, LLVMValueRef **work,
                          unsigned *nwork) {
  if (!ir_is_local(v) || !LLVMIsAInstruction(v))
    return;
  unsigned bi = remat_block_index(g, LLVMGetInstructionParent(v));
  int header_phi = LLVMIsAPHINode(v) && LLVMGetInstructionParent(v) == g->loops[c->loop].header;
  if (!remat_in_loop(g, c->loop, bi) || header_phi) { /* the iteration's live-in */
    if (!contains(e->live_ins, e->nlive_ins, v))
      push(&e->live_ins, &e->nlive_ins, v);
    return;
  }
  if (vmap_get(&e->slice, v))
    return;
  vmap_set(&e->slice, v, v);
  push(work, nwork, v);
}

static void evaluate(ct_gen *g, candidate *c, LLVMValueRef *objs, unsigned nobjs, ct_remat_cost live_in_cost,
                     evaluation *e) {
  memset(e, 0, sizeof *e);
  vmap_init(&e->slice);
  vmap_init(&e->restored);
  e->ok = 1;
  LLVMValueRef *work = NULL;
  unsigned nwork = 0;
  for (unsigned k = 0; k < c->nstores; ++k)
    if (contains(objs, nobjs, ir_base_object(LLVMGetOperand(c->stores[k], 1)))) {
      vmap_set(&e->slice, c->stores[k], c->stores[k]);
      push(&work, &nwork, c->stores[k]);
    }
  const ct_bridge_loop *loop = &g->loops[c->loop];
  for (unsigned k = 0; k < loop->nblocks; ++k) { /* the branches: the same path */
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->loop_blocks[loop->first_block + k]);
    if (t != LLVMGetBasicBlockTerminator(c->latch))
      slice_operand(g, c, e, LLVMIsABranchInst(t) ? (LLVMIsConditional(t) ? LLVMGetCondition(t) : NULL)
                                                  : LLVMGetOperand(t, 0),
                    &work, &nwork);
  }
  while (nwork && e->ok) {
    LLVMValueRef inst = work[--nwork];
    if (LLVMIsALoadInst(inst)) {
      LLVMValueRef obj = ir_base_object(LLVMGetOperand(inst, 0));
      if (contains(c->written, c->nwritten, obj)) {
        if (!contains(objs, nobjs, obj)) {
          e->missing = obj;
          e->ok = 0;
        } else if (!covered(g, c, inst))
          e->ok = 0;
      } else if (!memory_reads_unchanged(g, inst))
        e->ok = 0;
      if (!e->ok && !e->missing)
        debug(contains(c->written, c->nwritten, obj) ? "the copy would read what the iteration has not written: "
                                                     : "the copy would read memory written later: ",
              c->loop, inst);
    }
    e->cost += weight(g, c, inst) * instruction_cost(inst);
    unsigned n = (unsigned)LLVMGetNumOperands(inst);
    for (unsigned o = 0; o < n; ++o)
      slice_operand(g, c, e, LLVMGetOperand(inst, o), &work, &nwork);
  }
  free(work);
  ct_block *lt = cfg_block_of(g, c->latch);
  for (unsigned k = 0; k < e->nlive_ins && e->ok; ++k) /* what having them in the latch's reverse costs */
    e->cost += TAPE_COST * live_in_cost(g, lt, e->live_ins[k]);
  for (unsigned k = 0; k < c->nloads && e->ok; ++k) {
    LLVMValueRef x = c->loads[k];
    if (!contains(objs, nobjs, ir_base_object(LLVMGetOperand(x, 0))) || !covered(g, c, x) || written_after(g, c, x))
      continue;
    vmap_set(&e->restored, x, x);
    if (value_needed(g, x, 1))
      e->saving += weight(g, c, x) * TAPE_COST;
  }
}

static void evaluation_free(evaluation *e) {
  vmap_free(&e->slice);
  vmap_free(&e->restored);
  free(e->live_ins);
}

/* The objects O for candidate c: greedily, the written private object whose
 * recomputation (with the objects its slice needs) gains most, while one
 * gains. Fills *best (ok = 0: none). */
static void choose_objects(ct_gen *g, candidate *c, ct_remat_cost live_in_cost, LLVMValueRef **objs,
                           unsigned *nobjs, evaluation *best) {
  memset(best, 0, sizeof *best);
  long long gain_so_far = 0;
  for (int improved = 1; improved;) {
    improved = 0;
    for (unsigned k = 0; k < c->nwritten; ++k) {
      if (contains(*objs, *nobjs, c->written[k]) || !memory_private_scratch(g, c->written[k]))
        continue;
      unsigned n = *nobjs;
      LLVMValueRef *trial = malloc((n + c->nwritten) * sizeof *trial);
      memcpy(trial, *objs, n * sizeof *trial);
      trial[n++] = c->written[k];
      evaluation e;
      for (;;) { /* add what the slice reads from other written objects */
        evaluate(g, c, trial, n, live_in_cost, &e);
        if (e.ok || !e.missing || contains(trial, n, e.missing) || !memory_private_scratch(g, e.missing))
          break;
        trial[n++] = e.missing;
        evaluation_free(&e);
      }
      if (ct_switch(CT_SWITCH_DEBUG) && e.ok)
        fprintf(stderr, "cotangent: recompute loop %d: %u object(s), cost %lld, saving %lld\n", c->loop, n, e.cost,
                e.saving);
      if (e.ok && e.saving - e.cost > gain_so_far) {
        if (best->ok)
          evaluation_free(best);
        *best = e;
        gain_so_far = e.saving - e.cost;
        free(*objs);
        *objs = trial;
        *nobjs = n;
        improved = 1;
      } else {
        evaluation_free(&e);
        free(trial);
      }
    }
  }
}

/* ---- the planner's side ---- */

/* The reverse pass writes obj: a malloc is freed by the reverse of its
 * malloc instead of by free(); an alloca's lifetime does not end in the
 * forward part. */
static void keep_alive(ct_gen *g, LLVMValueRef obj) {
  static const char *const END[] = {"llvm.lifetime.end.", NULL};
  if (LLVMIsACallInst(obj)) {
    vmap_set(&g->deferred_free, obj, obj);
    return;
  }
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      if (copy && LLVMIsACallInst(inst) && has_prefix(inst, END) && ir_base_object(LLVMGetOperand(inst, 1)) == obj) {
        LLVMInstructionEraseFromParent(copy);
        vmap_set(&g->fwd, inst, NULL);
      }
    }
}

static int overlaps_chosen(ct_gen *g, int l) {
  struct ct_remat *r = g->remat;
  for (unsigned k = 0; k < r->nchosen; ++k) {
    int o = (int)r->chosen[k].loop;
    if (remat_in_loop(g, o, remat_block_index(g, g->loops[l].header)) || remat_in_loop(g, l, remat_block_index(g, g->loops[o].header)))
      return 1;
  }
  return 0;
}

unsigned remat_choose(ct_gen *g, ct_remat_cost live_in_cost) {
  struct ct_remat *r = g->remat = calloc(1, sizeof *g->remat);
  if (g->spec->split || g->spec->concurrent || g->atomic_shadow_adds || ct_switch(CT_SWITCH_NO_REMAT))
    return 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsACallInst(inst) && ir_is_omp_fork(inst))
        return 0;
  analyse_loops(g, r);
  for (unsigned l = g->nloops; l-- > 0;) { /* innermost first */
    candidate c = {0};
    if (overlaps_chosen(g, (int)l) || !scan_loop(g, (int)l, &c)) {
      candidate_free(&c);
      continue;
    }
    LLVMValueRef *objs = NULL;
    unsigned nobjs = 0;
    evaluation e;
    choose_objects(g, &c, live_in_cost, &objs, &nobjs, &e);
    if (e.ok && nobjs) {
      r->chosen = realloc(r->chosen, (r->nchosen + 1) * sizeof *r->chosen);
      r->chosen[r->nchosen++] = (remat_loop){.loop = l, .latch = cfg_block_of(g, c.latch), .objects = objs,
                                             .nobjects = nobjs, .slice = e.slice, .restored = e.restored,
                                             .live_ins = e.live_ins, .nlive_ins = e.nlive_ins};
      for (unsigned k = 0; k < nobjs; ++k)
        keep_alive(g, objs[k]);
    } else {
      free(objs);
    }
    candidate_free(&c);
  }
  return r->nchosen;
}

ct_block *remat_latch(ct_gen *g, unsigned k) { return g->remat->chosen[k].latch; }

unsigned remat_live_ins(ct_gen *g, unsigned k, LLVMValueRef **out) {
  *out = g->remat->chosen[k].live_ins;
  return g->remat->chosen[k].nlive_ins;
}

LLVMValueRef remat_marker(ct_gen *g, unsigned k) {
  return LLVMBasicBlockAsValue(g->loops[g->remat->chosen[k].loop].header);
}

int remat_restores(ct_gen *g, ct_block *b, LLVMValueRef load) {
  struct ct_remat *r = g->remat;
  for (unsigned k = 0; r && k < r->nchosen; ++k)
    if (vmap_get(&r->chosen[k].restored, load))
      return remat_in_loop(g, (int)r->chosen[k].loop, (unsigned)(b - g->blocks));
  return 0;
}

void remat_free(ct_gen *g) {
  struct ct_remat *r = g->remat;
  if (!r)
    return;
  for (unsigned k = 0; k < r->nchosen; ++k) {
    free(r->chosen[k].objects);
    vmap_free(&r->chosen[k].slice);
    vmap_free(&r->chosen[k].restored);
    free(r->chosen[k].live_ins);
  }
  free(r->chosen);
  free(r->innermost);
  free(r->parent);
  free(r->latches);
  free(r);
  g->remat = NULL;
}

