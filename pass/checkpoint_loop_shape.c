/* Loop checkpointing, the analysis: the loop after CT_CHECKPOINT_LOOP's
 * marker, whether its trip count is known when it starts, and its state
 * (what the body reads and writes outside itself, and the size of each
 * piece); checkpoint_loop.c rewrites what passes (checkpoint_loop.h). */
#include "checkpoint_loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_COUNTED                                                                                     \
  "its condition must compare a counter (i++ or i-- once per iteration, nowhere else) with a bound: the trip "  \
  "count must be known when the loop starts (a while loop's is not)"

/* ---- small sets of blocks and values (loops are small: linear search) ---- */


void cloop_push(cloop_list *l, LLVMValueRef v) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = v;
}

int cloop_has(const cloop_list *l, LLVMValueRef v) {
  for (unsigned i = 0; i < l->n; ++i)
    if (l->v[i] == v)
      return 1;
  return 0;
}

void cloop_free(cloop_list *l) {
  free(l->v);
  memset(l, 0, sizeof *l);
}


/* Blocks reachable from `from` (forward) or reaching it (backward, not
 * passing `stop`), added to `set`. */
void cloop_walk(LLVMBasicBlockRef from, int backward, LLVMBasicBlockRef stop, cloop_list *set) {
  cloop_list work = {0};
  cloop_push(&work, CLOOP_BLOCK(from));
  while (work.n) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(work.v[--work.n]);
    if (cloop_has(set, CLOOP_BLOCK(bb)))
      continue;
    cloop_push(set, CLOOP_BLOCK(bb));
    if (bb == stop)
      continue;
    if (!backward) {
      LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
      for (unsigned s = 0; term && s < LLVMGetNumSuccessors(term); ++s)
        cloop_push(&work, CLOOP_BLOCK(LLVMGetSuccessor(term, s)));
    } else
      for (LLVMUseRef u = LLVMGetFirstUse(CLOOP_BLOCK(bb)); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        if (LLVMIsATerminatorInst(user))
          cloop_push(&work, CLOOP_BLOCK(LLVMGetInstructionParent(user)));
      }
  }
  cloop_free(&work);
}

/* The predecessors of bb (blocks whose terminators name it). */
static void predecessors(LLVMBasicBlockRef bb, cloop_list *out) {
  for (LLVMUseRef u = LLVMGetFirstUse(CLOOP_BLOCK(bb)); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsATerminatorInst(user) && !cloop_has(out, CLOOP_BLOCK(LLVMGetInstructionParent(user))))
      cloop_push(out, CLOOP_BLOCK(LLVMGetInstructionParent(user)));
  }
}

int cloop_in(const cloop_list *blocks, LLVMValueRef inst) {
  return LLVMIsAInstruction(inst) && cloop_has(blocks, CLOOP_BLOCK(LLVMGetInstructionParent(inst)));
}

/* ---- the loop after a marker ---- */


int cloop_fail(cloop_shape *s, LLVMValueRef at, const char *why) {
  s->why = why;
  s->why_at = at;
  return 0;
}

static int is_header(LLVMBasicBlockRef bb) {
  cloop_list reach = {0}, preds = {0};
  cloop_walk(bb, 0, NULL, &reach);
  predecessors(bb, &preds);
  int header = 0;
  for (unsigned i = 0; i < preds.n; ++i)
    header |= cloop_has(&reach, preds.v[i]);
  cloop_free(&reach);
  cloop_free(&preds);
  return header;
}

int cloop_find(cloop_shape *s) {
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(s->mark), prev = NULL;
  for (unsigned hops = 0; hops < 8 && !is_header(bb); ++hops) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    if (!term || LLVMGetNumSuccessors(term) != 1)
      return cloop_fail(s, s->mark, "it must come right before a loop (for, while or do)");
    prev = bb;
    bb = LLVMGetSuccessor(term, 0);
  }
  if (!is_header(bb) || !prev)
    return cloop_fail(s, s->mark, "it must come right before a loop (for, while or do)");
  s->header = bb;
  s->pre = prev;
  cloop_list reach = {0}, preds = {0};
  cloop_walk(bb, 0, NULL, &reach);
  predecessors(bb, &preds);
  for (unsigned i = 0; i < preds.n; ++i)
    if (cloop_has(&reach, preds.v[i]))
      cloop_walk(LLVMValueAsBasicBlock(preds.v[i]), 1, bb, &s->loop);
    else if (preds.v[i] != CLOOP_BLOCK(prev))
      s->why = "the loop is entered from more than one place";
  cloop_free(&reach);
  cloop_free(&preds);
  if (s->why)
    return cloop_fail(s, s->mark, s->why);
  return 1;
}

int cloop_check_condition(cloop_shape *s) {
  LLVMBasicBlockRef bb = s->header;
  for (unsigned i = 0; i < s->loop.n; ++i)
    if (s->loop.v[i] != CLOOP_BLOCK(bb))
      cloop_push(&s->region, s->loop.v[i]);
  LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
  if (!LLVMIsABranchInst(term) || !LLVMIsConditional(term))
    return cloop_fail(s, term, NOT_COUNTED);
  int on_true = cloop_has(&s->region, CLOOP_BLOCK(LLVMGetSuccessor(term, 0)));
  s->body_entry = LLVMGetSuccessor(term, on_true ? 0 : 1);
  s->exit = LLVMGetSuccessor(term, on_true ? 1 : 0);
  if (!cloop_has(&s->region, CLOOP_BLOCK(s->body_entry)) || cloop_has(&s->loop, CLOOP_BLOCK(s->exit)))
    return cloop_fail(s, term, NOT_COUNTED);
  s->cmp = LLVMGetCondition(term);
  if (!LLVMIsAICmpInst(s->cmp) || LLVMGetInstructionParent(s->cmp) != bb)
    return cloop_fail(s, term, NOT_COUNTED);
  s->pred = LLVMGetICmpPredicate(s->cmp);
  if (!on_true) { /* continues while the comparison is false */
    static const LLVMIntPredicate inverse[][2] = {{LLVMIntEQ, LLVMIntNE}, {LLVMIntUGT, LLVMIntULE},
                                                  {LLVMIntUGE, LLVMIntULT}, {LLVMIntSGT, LLVMIntSLE},
                                                  {LLVMIntSGE, LLVMIntSLT}};
    for (unsigned i = 0; i < 5; ++i)
      if (s->pred == inverse[i][0] || s->pred == inverse[i][1]) {
        s->pred = s->pred == inverse[i][0] ? inverse[i][1] : inverse[i][0];
        break;
      }
  }
  return 1;
}

/* The blocks outside s->loop that its blocks branch to. */
static void exit_targets(cloop_shape *s, cloop_list *out) {
  out->n = 0;
  for (unsigned i = 0; i < s->loop.n; ++i) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(LLVMValueAsBasicBlock(s->loop.v[i]));
    for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k) {
      LLVMValueRef to = CLOOP_BLOCK(LLVMGetSuccessor(term, k));
      if (!cloop_has(&s->loop, to) && !cloop_has(out, to))
        cloop_push(out, to);
    }
  }
}

static int is_lifetime(LLVMValueRef inst);

/* bb only stores integer constants into locals (clang's cleanup
 * destination slot at -O1 and up) and ends lifetimes before its branch. */
static int only_constant_stores(LLVMBasicBlockRef bb) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst && inst != term; inst = LLVMGetNextInstruction(inst))
    if (!(LLVMIsAStoreInst(inst) && LLVMIsAConstantInt(LLVMGetOperand(inst, 0)) &&
          LLVMIsAAllocaInst(LLVMGetOperand(inst, 1))) &&
        !is_lifetime(inst))
      return 0;
  return 1;
}

/* The block bb goes to unconditionally, or NULL. */
static LLVMBasicBlockRef only_successor(LLVMBasicBlockRef bb) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
  return term && LLVMIsABranchInst(term) && !LLVMIsConditional(term) ? LLVMGetSuccessor(term, 0) : NULL;
}

/* An exit target that is a break's block: entered only from the loop, no
 * phis, going on unconditionally to another exit target (the block after
 * the loop), or, storing only constants (a cleanup's destination), to
 * where another exit target goes; it joins the region as part of the
 * iteration that leaves. */
static int is_break_block(cloop_shape *s, LLVMBasicBlockRef bb, const cloop_list *exits) {
  LLVMBasicBlockRef to = only_successor(bb);
  if (!to || to == bb || LLVMIsAPHINode(LLVMGetFirstInstruction(bb)))
    return 0;
  int joins = cloop_has(exits, CLOOP_BLOCK(to));
  for (unsigned i = 0; i < exits->n && !joins && only_constant_stores(bb); ++i)
    joins = exits->v[i] != CLOOP_BLOCK(bb) && only_successor(LLVMValueAsBasicBlock(exits->v[i])) == to;
  if (!joins)
    return 0;
  cloop_list preds = {0};
  predecessors(bb, &preds);
  int inside = preds.n > 0;
  for (unsigned i = 0; i < preds.n; ++i)
    inside &= cloop_has(&s->loop, preds.v[i]);
  cloop_free(&preds);
  return inside;
}

/* Two ways out storing different constants into a local that the exit
 * dispatches on (a switch: clang's cleanup destination, a return inside
 * the loop at -O1 and up): the one who leaves where else; NULL if none. */
static LLVMValueRef second_destination(cloop_shape *s) {
  for (unsigned i = 0; i < s->loop.n; ++i) {
    LLVMBasicBlockRef a = LLVMValueAsBasicBlock(s->loop.v[i]);
    if (only_successor(a) != s->exit)
      continue;
    for (LLVMValueRef st = LLVMGetFirstInstruction(a); st; st = LLVMGetNextInstruction(st)) {
      if (!LLVMIsAStoreInst(st) || !LLVMIsAConstantInt(LLVMGetOperand(st, 0)))
        continue;
      LLVMValueRef slot = LLVMGetOperand(st, 1);
      int dispatch = 0;
      for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef load = LLVMGetUser(u);
        if (LLVMIsALoadInst(load) && LLVMGetInstructionParent(load) == s->exit)
          for (LLVMUseRef v = LLVMGetFirstUse(load); v; v = LLVMGetNextUse(v))
            dispatch |= LLVMIsASwitchInst(LLVMGetUser(v)) != NULL;
      }
      for (unsigned k = 0; dispatch && k < s->loop.n; ++k) {
        LLVMBasicBlockRef b = LLVMValueAsBasicBlock(s->loop.v[k]);
        if (only_successor(b) != s->exit)
          continue;
        for (LLVMValueRef o = LLVMGetFirstInstruction(b); o; o = LLVMGetNextInstruction(o))
          if (LLVMIsAStoreInst(o) && LLVMGetOperand(o, 1) == slot && LLVMIsAConstantInt(LLVMGetOperand(o, 0)) &&
              LLVMConstIntGetZExtValue(LLVMGetOperand(o, 0)) != LLVMConstIntGetZExtValue(LLVMGetOperand(st, 0)))
            return LLVMGetBasicBlockTerminator(b);
      }
    }
  }
  return NULL;
}

int cloop_find_while(cloop_shape *s) {
  cloop_free(&s->region);
  s->why = NULL;
  s->why_at = NULL;
  s->is_while = 1;
  s->body_entry = s->header;
  cloop_list exits = {0};
  for (int grown = 1; grown;) { /* breaks' blocks join the loop */
    grown = 0;
    exit_targets(s, &exits);
    for (unsigned i = 0; i < exits.n && exits.n > 1 && !grown; ++i)
      if (is_break_block(s, LLVMValueAsBasicBlock(exits.v[i]), &exits)) {
        cloop_push(&s->loop, exits.v[i]);
        grown = 1;
      }
  }
  s->exit = exits.n ? LLVMValueAsBasicBlock(exits.v[0]) : NULL;
  LLVMValueRef hterm = LLVMGetBasicBlockTerminator(s->header);
  for (unsigned k = 0; hterm && k < LLVMGetNumSuccessors(hterm); ++k) /* the condition's way out first */
    if (cloop_has(&exits, CLOOP_BLOCK(LLVMGetSuccessor(hterm, k))))
      s->exit = LLVMGetSuccessor(hterm, k);
  unsigned nexits = exits.n;
  cloop_free(&exits);
  cloop_push(&s->region, CLOOP_BLOCK(s->header)); /* the entry first */
  for (unsigned i = 0; i < s->loop.n; ++i)
    if (s->loop.v[i] != CLOOP_BLOCK(s->header))
      cloop_push(&s->region, s->loop.v[i]);
  if (!s->exit)
    return cloop_fail(s, LLVMGetBasicBlockTerminator(s->header), "it has no way out");
  if (nexits > 1)
    for (unsigned i = 0; i < s->loop.n; ++i) { /* the first branch to the second place */
      LLVMValueRef term = LLVMGetBasicBlockTerminator(LLVMValueAsBasicBlock(s->loop.v[i]));
      for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k) {
        LLVMBasicBlockRef to = LLVMGetSuccessor(term, k);
        if (to != s->exit && !cloop_has(&s->loop, CLOOP_BLOCK(to)))
          return cloop_fail(s, term, "it is left for more than one place (a return or goto out of its body): it "
                                     "may end only by its condition or a break");
      }
    }
  LLVMValueRef other = second_destination(s);
  if (other)
    return cloop_fail(s, other, "it is left for more than one place (a return or goto out of its body): it may end "
                                "only by its condition or a break");
  for (LLVMValueRef phi = LLVMGetFirstInstruction(s->exit); phi && LLVMIsAPHINode(phi); phi = LLVMGetNextInstruction(phi))
    for (unsigned k = 0; k < LLVMCountIncoming(phi); ++k)
      if (cloop_has(&s->loop, CLOOP_BLOCK(LLVMGetIncomingBlock(phi, k))))
        return cloop_fail(s, phi, "a value the loop computes is used after it without going through memory");
  return 1;
}

/* The body leaves only back to the header, enters only from it, and the
 * header only decides (no stores, no calls): skipping its evaluation once
 * the trip count is known changes nothing. */
int cloop_check_body(cloop_shape *s) {
  for (unsigned i = 0; i < s->region.n; ++i) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(s->region.v[i]);
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k) {
      LLVMBasicBlockRef to = LLVMGetSuccessor(term, k);
      if (s->is_while ? to != s->exit && !cloop_has(&s->region, CLOOP_BLOCK(to))
                      : to != s->header && !cloop_has(&s->region, CLOOP_BLOCK(to)))
        return cloop_fail(s, term, "its body leaves the loop (break, return or goto): the trip count must be known when "
                             "the loop starts");
    }
    if (!term || (!LLVMIsABranchInst(term) && !LLVMIsASwitchInst(term)))
      return cloop_fail(s, term ? term : s->mark, "its body ends in something other than a branch");
    cloop_list preds = {0};
    predecessors(bb, &preds);
    for (unsigned k = 0; k < preds.n; ++k)
      if (!cloop_has(&s->region, preds.v[k]) &&
          !(preds.v[k] == CLOOP_BLOCK(s->is_while ? s->pre : s->header) && bb == s->body_entry))
        s->why = "its body is entered from outside the loop";
    cloop_free(&preds);
    if (s->why)
      return cloop_fail(s, term, s->why);
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
        if (!cloop_in(&s->region, LLVMGetUser(u)))
          return cloop_fail(s, inst, "a value the body computes is used after the loop without going through memory");
      unsigned nops = (unsigned)LLVMGetNumOperands(inst);
      for (unsigned k = 0; k < nops; ++k) {
        LLVMValueRef op = LLVMGetOperand(inst, k);
        if (!s->is_while && LLVMIsAInstruction(op) && LLVMGetInstructionParent(op) == s->header)
          return cloop_fail(s, inst, "its body uses a value its condition computes");
        if (op && LLVMIsAGlobalVariable(op) && !LLVMIsGlobalConstant(op))
          return cloop_fail(s, inst, "its body uses a global variable, which the snapshots of the loop's state do not keep "
                               "(make it a local, or pass it in)");
      }
    }
  }
  for (LLVMValueRef inst = s->is_while ? NULL : LLVMGetFirstInstruction(s->header); inst;
       inst = LLVMGetNextInstruction(inst)) {
    if (LLVMIsAStoreInst(inst) || LLVMIsACallInst(inst) || LLVMIsAPHINode(inst) || LLVMIsAInvokeInst(inst))
      return cloop_fail(s, inst, "its condition does more than compare (a call, a store or a merged value)");
    for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
      if (LLVMGetInstructionParent(LLVMGetUser(u)) != s->header)
        return cloop_fail(s, inst, "a value its condition computes is used elsewhere");
  }
  return 1;
}

/* ---- the trip count ---- */

static LLVMValueRef strip_int_casts(LLVMValueRef v) {
  while (LLVMIsASExtInst(v) || LLVMIsAZExtInst(v) || LLVMIsATruncInst(v))
    v = LLVMGetOperand(v, 0);
  return v;
}

static int is_lifetime(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  return name && len > 14 && !strncmp(name, "llvm.lifetime.", 14);
}

/* Every use of the alloca `slot` is a load, or a store into it, and none in
 * `blocks` writes it (it is constant while they run). */
static int slot_unwritten(LLVMValueRef slot, const cloop_list *blocks) {
  if (!LLVMIsAAllocaInst(slot))
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsALoadInst(user) || is_lifetime(user))
      continue;
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 0) == slot || cloop_in(blocks, user))
      return 0;
  }
  return 1;
}

/* v's value at the end of the preheader: v itself when defined outside the
 * loop, else (build) a copy of its computation from the header's loads of
 * unwritten locals, casts and arithmetic; NULL when it cannot be known
 * there (then nothing was built). */
static LLVMValueRef value_at_entry(cloop_shape *s, LLVMBuilderRef b, LLVMValueRef v, int build, unsigned depth) {
  if (!LLVMIsAInstruction(v) || !cloop_in(&s->loop, v))
    return v;
  if (depth > 16 || LLVMGetInstructionParent(v) != s->header)
    return NULL;
  if (LLVMIsALoadInst(v)) {
    LLVMValueRef slot = LLVMGetOperand(v, 0);
    if (slot != s->counter_slot && !slot_unwritten(slot, &s->loop))
      return NULL;
    return build ? LLVMBuildLoad2(b, LLVMTypeOf(v), slot, "ct.entry") : v;
  }
  if (LLVMIsACastInst(v) || LLVMIsABinaryOperator(v)) {
    unsigned n = (unsigned)LLVMGetNumOperands(v);
    LLVMValueRef ops[2] = {NULL, NULL};
    for (unsigned k = 0; k < n && k < 2; ++k)
      if (!(ops[k] = value_at_entry(s, b, LLVMGetOperand(v, k), build, depth + 1)))
        return NULL;
    if (!build)
      return v;
    if (LLVMIsACastInst(v))
      return LLVMBuildCast(b, LLVMGetInstructionOpcode(v), ops[0], LLVMTypeOf(v), "ct.entry");
    return LLVMBuildBinOp(b, LLVMGetInstructionOpcode(v), ops[0], ops[1], "ct.entry");
  }
  return NULL;
}

/* The counter: a local loaded by the comparison, written in the loop once,
 * with its own value plus or minus one. */
static int is_counter(cloop_shape *s, LLVMValueRef side) {
  LLVMValueRef load = strip_int_casts(side);
  if (!LLVMIsALoadInst(load) || !LLVMIsAAllocaInst(LLVMGetOperand(load, 0)))
    return 0;
  LLVMValueRef slot = LLVMGetOperand(load, 0), store = NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsALoadInst(user) || is_lifetime(user))
      continue;
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 0) == slot)
      return 0;
    if (cloop_in(&s->loop, user)) {
      if (store)
        return 0;
      store = user;
    }
  }
  LLVMValueRef next = store ? LLVMGetOperand(store, 0) : NULL;
  if (!next || !LLVMIsABinaryOperator(next))
    return 0;
  LLVMOpcode op = LLVMGetInstructionOpcode(next);
  LLVMValueRef from = LLVMGetOperand(next, 0), by = LLVMGetOperand(next, 1);
  if (!LLVMIsALoadInst(from) || LLVMGetOperand(from, 0) != slot || !LLVMIsAConstantInt(by))
    return 0;
  long long c = LLVMConstIntGetSExtValue(by);
  if (op == LLVMSub)
    c = -c;
  else if (op != LLVMAdd)
    return 0;
  if (c != 1 && c != -1)
    return 0;
  s->step = (int)c;
  s->counter_slot = slot;
  return 1;
}

static LLVMIntPredicate swapped(LLVMIntPredicate p) {
  switch (p) {
  case LLVMIntSLT: return LLVMIntSGT;
  case LLVMIntSGT: return LLVMIntSLT;
  case LLVMIntSLE: return LLVMIntSGE;
  case LLVMIntSGE: return LLVMIntSLE;
  case LLVMIntULT: return LLVMIntUGT;
  case LLVMIntUGT: return LLVMIntULT;
  case LLVMIntULE: return LLVMIntUGE;
  case LLVMIntUGE: return LLVMIntULE;
  default: return p;
  }
}

int cloop_check_counted(cloop_shape *s) {
  LLVMValueRef a = LLVMGetOperand(s->cmp, 0), b = LLVMGetOperand(s->cmp, 1);
  if (is_counter(s, a)) {
    s->counter = a;
    s->bound = b;
  } else if (is_counter(s, b)) {
    s->counter = b;
    s->bound = a;
    s->pred = swapped(s->pred);
  } else
    return cloop_fail(s, s->cmp, NOT_COUNTED);
  int up = s->pred == LLVMIntSLT || s->pred == LLVMIntULT || s->pred == LLVMIntSLE || s->pred == LLVMIntULE;
  int down = s->pred == LLVMIntSGT || s->pred == LLVMIntUGT || s->pred == LLVMIntSGE || s->pred == LLVMIntUGE;
  if (!(s->pred == LLVMIntNE || (up && s->step == 1) || (down && s->step == -1)))
    return cloop_fail(s, s->cmp, "its counter moves away from its bound");
  if (!value_at_entry(s, NULL, s->bound, 0, 0) || !value_at_entry(s, NULL, s->counter, 0, 0))
    return cloop_fail(s, s->cmp, "its bound changes inside the loop: the trip count must be known when the loop starts");
  return 1;
}

/* The trip count (i64) at the end of the preheader. */
LLVMValueRef cloop_trip_count(cloop_shape *s, LLVMBuilderRef b, LLVMTypeRef i64) {
  LLVMValueRef a = value_at_entry(s, b, s->counter, 1, 0), n = value_at_entry(s, b, s->bound, 1, 0);
  int is_unsigned = s->pred == LLVMIntULT || s->pred == LLVMIntULE || s->pred == LLVMIntUGT || s->pred == LLVMIntUGE;
  if (LLVMGetIntTypeWidth(LLVMTypeOf(a)) < 64) {
    a = is_unsigned ? LLVMBuildZExt(b, a, i64, "") : LLVMBuildSExt(b, a, i64, "");
    n = is_unsigned ? LLVMBuildZExt(b, n, i64, "") : LLVMBuildSExt(b, n, i64, "");
  }
  LLVMValueRef t = s->step > 0 ? LLVMBuildSub(b, n, a, "") : LLVMBuildSub(b, a, n, "");
  if (s->pred == LLVMIntSLE || s->pred == LLVMIntULE || s->pred == LLVMIntSGE || s->pred == LLVMIntUGE)
    t = LLVMBuildAdd(b, t, LLVMConstInt(i64, 1, 0), "");
  LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, t, LLVMConstInt(i64, 0, 0), "");
  return LLVMBuildSelect(b, neg, LLVMConstInt(i64, 0, 0), t, "ct.trips");
}

/* ---- the state: what stays in the body, what comes in ---- */

/* A local used only in the body, written there before every read: a
 * variable of the body (no value carried from one iteration to the next),
 * moved into the iteration. */
static int is_body_local(cloop_shape *s, LLVMValueRef slot) {
  cloop_list loads = {0}, stores = {0};
  int ok = LLVMGetFirstUse(slot) != NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u && ok; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    ok = cloop_in(&s->region, user);
    if (LLVMIsALoadInst(user))
      cloop_push(&loads, user);
    else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == slot && LLVMGetOperand(user, 0) != slot)
      cloop_push(&stores, user);
    else
      ok &= is_lifetime(user);
  }
  for (unsigned i = 0; ok && i < loads.n; ++i) {
    int covered = 0;
    for (unsigned k = 0; k < stores.n && !covered; ++k)
      covered = ct_bridge_dominates(stores.v[k], loads.v[i]);
    ok = covered;
  }
  cloop_free(&loads);
  cloop_free(&stores);
  return ok;
}

void cloop_find_state(cloop_shape *s) {
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(s->fn);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(entry); inst; inst = LLVMGetNextInstruction(inst))
    if (LLVMIsAAllocaInst(inst) && is_body_local(s, inst))
      cloop_push(&s->sink, inst);
  for (unsigned i = 0; i < s->region.n; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(LLVMValueAsBasicBlock(s->region.v[i])); inst;
         inst = LLVMGetNextInstruction(inst))
      if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind) {
        LLVMValueRef slot = LLVMGetOperand(inst, 0);
        if (!cloop_has(&s->sink, slot) && slot_unwritten(slot, &s->loop) && !cloop_has(&s->preload, slot))
          cloop_push(&s->preload, slot);
      }
}

/* What the value stored in the local `slot` is, when every store into it
 * stores the same kind of thing: 1 a pointer parameter (into *param), 2 a
 * block malloc (or calloc, realloc...) returned; 0 otherwise. */
static int slot_source(LLVMValueRef slot, LLVMValueRef *param) {
  int kind = 0;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAStoreInst(user))
      continue;
    LLVMValueRef v = LLVMGetOperand(user, 0);
    int k = LLVMIsAArgument(v) ? 1 : ir_is_allocation(v) ? 2 : 0;
    if (!k || (kind && k != kind) || (k == 1 && kind == 1 && *param != v))
      return 0;
    kind = k;
    if (k == 1)
      *param = v;
  }
  return kind;
}

/* The bytes pointer `p` (an input of the body) points to: a constant
 * (*bytes), or 0 with *heap set when malloc'd memory's size is asked at run
 * time; -1 when unknown. `slot` is the local p was loaded from, or NULL. */
int cloop_pointer_bytes(cloop_shape *s, LLVMValueRef p, LLVMValueRef slot, unsigned long long *bytes, int *heap) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(LLVMGetGlobalParent(s->fn));
  *bytes = 0;
  *heap = 0;
  LLVMValueRef param = p;
  int kind = slot ? slot_source(slot, &param) : LLVMIsAArgument(p) ? 1 : ir_is_allocation(p) ? 2 : 0;
  if (!slot && LLVMIsAAllocaInst(p)) {
    LLVMValueRef count = LLVMGetOperand(p, 0);
    if (!LLVMIsAConstantInt(count))
      return -1;
    *bytes = LLVMABISizeOfType(td, LLVMGetAllocatedType(p)) * LLVMConstIntGetZExtValue(count);
    return 0;
  }
  if (kind == 2) {
    *heap = 1;
    return 0;
  }
  if (kind == 1) {
    unsigned idx = 0;
    for (LLVMValueRef a = LLVMGetFirstParam(s->fn); a && a != param; a = LLVMGetNextParam(a))
      ++idx;
    LLVMAttributeRef attr =
        LLVMGetEnumAttributeAtIndex(s->fn, idx + 1, LLVMGetEnumAttributeKindForName("dereferenceable", 15));
    if (attr && (*bytes = LLVMGetEnumAttributeValue(attr)))
      return 0;
  }
  return -1;
}

/* Every pointer the body gets from outside has a size the snapshots can
 * keep (checked before anything changes). */
int cloop_check_inputs(cloop_shape *s) {
  for (unsigned i = 0; i < s->region.n; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(LLVMValueAsBasicBlock(s->region.v[i])); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind &&
          !cloop_has(&s->preload, LLVMGetOperand(inst, 0)) && !cloop_has(&s->sink, LLVMGetOperand(inst, 0)))
        return cloop_fail(s, inst, "its body reads a pointer from memory that the loop changes or that is not a local "
                             "variable (a swapped buffer, a struct of pointers): the snapshots keep memory, not "
                             "where the pointers stored in it point");
      unsigned nops = (unsigned)LLVMGetNumOperands(inst);
      for (unsigned k = 0; k < nops; ++k) {
        LLVMValueRef op = LLVMGetOperand(inst, k), slot = NULL;
        if (LLVMIsALoadInst(inst) && cloop_has(&s->preload, LLVMGetOperand(inst, 0))) {
          slot = LLVMGetOperand(inst, 0);
          op = inst;
        } else if (cloop_has(&s->sink, op) || cloop_in(&s->region, op) || LLVMIsAGlobalValue(op) || !op ||
                   LLVMIsAConstant(op) || LLVMIsABasicBlock(op) || LLVMGetValueKind(op) == LLVMMetadataAsValueValueKind ||
                   LLVMIsAInlineAsm(op) || (LLVMIsACallInst(inst) && op == LLVMGetCalledValue(inst)))
          continue;
        if (LLVMGetTypeKind(LLVMTypeOf(op)) != LLVMPointerTypeKind)
          continue;
        unsigned long long bytes;
        int heap;
        if (cloop_pointer_bytes(s, op, slot, &bytes, &heap) < 0)
          return cloop_fail(s, inst,
                      "its body reads or writes memory through a pointer whose size the pass cannot tell, so the "
                      "snapshots of the loop's state could not keep it: declare it as an array (a local array, or a "
                      "parameter `T p[static N]`), or allocate it with malloc in this function");
        if (slot)
          break;
      }
    }
  return 1;
}

/* The body has a loop of its own (a block of it reached again from its
 * successors without the header). */
int cloop_has_inner_loop(cloop_shape *s) {
  int inner = 0;
  for (unsigned i = 0; i < s->region.n && !inner; ++i) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(s->region.v[i]);
    if (bb == s->header) /* a while loop's region holds its header: every block reaches it again */
      continue;
    cloop_list reach = {0};
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k)
      if (LLVMGetSuccessor(term, k) != s->header)
        cloop_walk(LLVMGetSuccessor(term, k), 0, s->header, &reach);
    inner = cloop_has(&reach, CLOOP_BLOCK(bb));
    cloop_free(&reach);
  }
  return inner;
}

