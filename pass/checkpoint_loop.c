/* Loop checkpointing: CT_CHECKPOINT_LOOP(snapshots) (and #pragma ct
 * checkpoint) before a counted loop.
 *
 * A long loop's tape grows with its trip count; binomial checkpointing
 * (Griewank's Revolve) bounds it by a number of snapshots of the loop's
 * state, for iterations run again in the reverse pass. Rather than give the
 * generator a second way to sweep, this file rewrites the marked loop at
 * pipeline start, before any optimisation (locals still live in allocas),
 * into calls that the recomputed-call machinery (checkpoint.c) already
 * differentiates:
 *
 *   the body  -> <f>.ct_loop(state...)     one iteration (LLVM's
 *                CodeExtractor); what it reads and writes outside itself,
 *                the loop's state, comes in as pointers: locals, arrays,
 *                malloc'd buffers (the carried state, found here: every
 *                local the body uses that is not written before it is read
 *                in the same iteration)
 *   the loop  -> <f>.ct_steps(k, s, state..., sizes...)  k iterations with
 *                at most s snapshots:
 *                  while k > 1 and s > 0:
 *                    m = __ct_revolve_split(k, s)       (lib/revolve.c)
 *                    ct_recompute(<f>.ct_steps, m, s, ...)
 *                    k -= m, s -= 1
 *                  the k iterations left (at most one unless s was 0), taped
 *
 * The recomputed call keeps a snapshot of the state at the start of the
 * first m iterations, runs them untaped, and tapes the rest with one
 * snapshot less; its reverse restores the snapshot and does the same to the
 * first m. With Revolve's split (the smallest repetition number for k and
 * s) that is the binomial schedule: about s snapshots of the state, each
 * iteration run at most r + 1 times where C(s + r, s) >= k.
 *
 * The trip count must be known when the loop starts: `for (i = a; i OP b;
 * i++ or i--)` with b and the counter written nowhere else in the loop.
 * What this file cannot rewrite soundly (another loop shape, a break or
 * return out of the body, memory of a size it cannot tell, a global
 * variable) is an error at the loop saying why. */
#include "core.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOP_MARK "__ct_checkpoint_loop"
#define NOT_COUNTED                                                                                     \
  "its condition must compare a counter (i++ or i-- once per iteration, nowhere else) with a bound: the trip "  \
  "count must be known when the loop starts (a while loop's is not)"

/* ---- small sets of blocks and values (loops are small: linear search) ---- */

typedef struct {
  LLVMValueRef *v;
  unsigned n, cap;
} value_list;

static void vl_push(value_list *l, LLVMValueRef v) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = v;
}

static int vl_has(const value_list *l, LLVMValueRef v) {
  for (unsigned i = 0; i < l->n; ++i)
    if (l->v[i] == v)
      return 1;
  return 0;
}

static void vl_free(value_list *l) {
  free(l->v);
  memset(l, 0, sizeof *l);
}

#define BLOCK(b) LLVMBasicBlockAsValue(b)

/* Blocks reachable from `from` (forward) or reaching it (backward, not
 * passing `stop`), added to `set`. */
static void walk(LLVMBasicBlockRef from, int backward, LLVMBasicBlockRef stop, value_list *set) {
  value_list work = {0};
  vl_push(&work, BLOCK(from));
  while (work.n) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(work.v[--work.n]);
    if (vl_has(set, BLOCK(bb)))
      continue;
    vl_push(set, BLOCK(bb));
    if (bb == stop)
      continue;
    if (!backward) {
      LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
      for (unsigned s = 0; term && s < LLVMGetNumSuccessors(term); ++s)
        vl_push(&work, BLOCK(LLVMGetSuccessor(term, s)));
    } else
      for (LLVMUseRef u = LLVMGetFirstUse(BLOCK(bb)); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        if (LLVMIsATerminatorInst(user))
          vl_push(&work, BLOCK(LLVMGetInstructionParent(user)));
      }
  }
  vl_free(&work);
}

/* The predecessors of bb (blocks whose terminators name it). */
static void predecessors(LLVMBasicBlockRef bb, value_list *out) {
  for (LLVMUseRef u = LLVMGetFirstUse(BLOCK(bb)); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsATerminatorInst(user) && !vl_has(out, BLOCK(LLVMGetInstructionParent(user))))
      vl_push(out, BLOCK(LLVMGetInstructionParent(user)));
  }
}

static int in_blocks(const value_list *blocks, LLVMValueRef inst) {
  return LLVMIsAInstruction(inst) && vl_has(blocks, BLOCK(LLVMGetInstructionParent(inst)));
}

/* ---- the loop after a marker ---- */

typedef struct {
  LLVMValueRef fn, mark, snapshots;
  LLVMBasicBlockRef pre, header, body_entry, exit;
  value_list loop;   /* header and body */
  value_list region; /* the body: every loop block but the header */
  LLVMValueRef cmp;
  LLVMIntPredicate pred; /* the loop continues while `counter pred bound` */
  LLVMValueRef counter, bound, counter_slot;
  int step; /* +1 or -1 */
  value_list sink;    /* allocas written before read in every iteration: locals of the body */
  value_list preload; /* allocas of pointers the loop reads and never writes */
  const char *why;
  LLVMValueRef why_at;
} loop_shape;

static int fail(loop_shape *s, LLVMValueRef at, const char *why) {
  s->why = why;
  s->why_at = at;
  return 0;
}

static int is_header(LLVMBasicBlockRef bb) {
  value_list reach = {0}, preds = {0};
  walk(bb, 0, NULL, &reach);
  predecessors(bb, &preds);
  int header = 0;
  for (unsigned i = 0; i < preds.n; ++i)
    header |= vl_has(&reach, preds.v[i]);
  vl_free(&reach);
  vl_free(&preds);
  return header;
}

static int find_loop(loop_shape *s) {
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(s->mark), prev = NULL;
  for (unsigned hops = 0; hops < 8 && !is_header(bb); ++hops) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    if (!term || LLVMGetNumSuccessors(term) != 1)
      return fail(s, s->mark, "it must come right before a loop (a for loop counting from a start to a bound)");
    prev = bb;
    bb = LLVMGetSuccessor(term, 0);
  }
  if (!is_header(bb) || !prev)
    return fail(s, s->mark, "it must come right before a loop (a for loop counting from a start to a bound)");
  s->header = bb;
  s->pre = prev;
  value_list reach = {0}, preds = {0};
  walk(bb, 0, NULL, &reach);
  predecessors(bb, &preds);
  for (unsigned i = 0; i < preds.n; ++i)
    if (vl_has(&reach, preds.v[i]))
      walk(LLVMValueAsBasicBlock(preds.v[i]), 1, bb, &s->loop);
    else if (preds.v[i] != BLOCK(prev))
      s->why = "the loop is entered from more than one place";
  vl_free(&reach);
  vl_free(&preds);
  if (s->why)
    return fail(s, s->mark, s->why);
  for (unsigned i = 0; i < s->loop.n; ++i)
    if (s->loop.v[i] != BLOCK(bb))
      vl_push(&s->region, s->loop.v[i]);
  LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
  if (!LLVMIsABranchInst(term) || !LLVMIsConditional(term))
    return fail(s, term, NOT_COUNTED);
  int on_true = vl_has(&s->region, BLOCK(LLVMGetSuccessor(term, 0)));
  s->body_entry = LLVMGetSuccessor(term, on_true ? 0 : 1);
  s->exit = LLVMGetSuccessor(term, on_true ? 1 : 0);
  if (!vl_has(&s->region, BLOCK(s->body_entry)) || vl_has(&s->loop, BLOCK(s->exit)))
    return fail(s, term, NOT_COUNTED);
  s->cmp = LLVMGetCondition(term);
  if (!LLVMIsAICmpInst(s->cmp) || LLVMGetInstructionParent(s->cmp) != bb)
    return fail(s, term, NOT_COUNTED);
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

/* The body leaves only back to the header, enters only from it, and the
 * header only decides (no stores, no calls): skipping its evaluation once
 * the trip count is known changes nothing. */
static int check_region(loop_shape *s) {
  for (unsigned i = 0; i < s->region.n; ++i) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(s->region.v[i]);
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k) {
      LLVMBasicBlockRef to = LLVMGetSuccessor(term, k);
      if (to != s->header && !vl_has(&s->region, BLOCK(to)))
        return fail(s, term, "its body leaves the loop (break, return or goto): the trip count must be known when "
                             "the loop starts");
    }
    if (!term || (!LLVMIsABranchInst(term) && !LLVMIsASwitchInst(term)))
      return fail(s, term ? term : s->mark, "its body ends in something other than a branch");
    value_list preds = {0};
    predecessors(bb, &preds);
    for (unsigned k = 0; k < preds.n; ++k)
      if (!vl_has(&s->region, preds.v[k]) && !(preds.v[k] == BLOCK(s->header) && bb == s->body_entry))
        s->why = "its body is entered from outside the loop";
    vl_free(&preds);
    if (s->why)
      return fail(s, term, s->why);
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
        if (!in_blocks(&s->region, LLVMGetUser(u)))
          return fail(s, inst, "a value the body computes is used after the loop without going through memory");
      unsigned nops = (unsigned)LLVMGetNumOperands(inst);
      for (unsigned k = 0; k < nops; ++k) {
        LLVMValueRef op = LLVMGetOperand(inst, k);
        if (LLVMIsAInstruction(op) && LLVMGetInstructionParent(op) == s->header)
          return fail(s, inst, "its body uses a value its condition computes");
        if (op && LLVMIsAGlobalVariable(op) && !LLVMIsGlobalConstant(op))
          return fail(s, inst, "its body uses a global variable, which the snapshots of the loop's state do not keep "
                               "(make it a local, or pass it in)");
      }
    }
  }
  for (LLVMValueRef inst = LLVMGetFirstInstruction(s->header); inst; inst = LLVMGetNextInstruction(inst)) {
    if (LLVMIsAStoreInst(inst) || LLVMIsACallInst(inst) || LLVMIsAPHINode(inst) || LLVMIsAInvokeInst(inst))
      return fail(s, inst, "its condition does more than compare (a call, a store or a merged value)");
    for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
      if (LLVMGetInstructionParent(LLVMGetUser(u)) != s->header)
        return fail(s, inst, "a value its condition computes is used elsewhere");
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
static int slot_unwritten(LLVMValueRef slot, const value_list *blocks) {
  if (!LLVMIsAAllocaInst(slot))
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsALoadInst(user) || is_lifetime(user))
      continue;
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 0) == slot || in_blocks(blocks, user))
      return 0;
  }
  return 1;
}

/* v's value at the end of the preheader: v itself when defined outside the
 * loop, else (build) a copy of its computation from the header's loads of
 * unwritten locals, casts and arithmetic; NULL when it cannot be known
 * there (then nothing was built). */
static LLVMValueRef value_at_entry(loop_shape *s, LLVMBuilderRef b, LLVMValueRef v, int build, unsigned depth) {
  if (!LLVMIsAInstruction(v) || !in_blocks(&s->loop, v))
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
static int is_counter(loop_shape *s, LLVMValueRef side) {
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
    if (in_blocks(&s->loop, user)) {
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

static int check_counted(loop_shape *s) {
  LLVMValueRef a = LLVMGetOperand(s->cmp, 0), b = LLVMGetOperand(s->cmp, 1);
  if (is_counter(s, a)) {
    s->counter = a;
    s->bound = b;
  } else if (is_counter(s, b)) {
    s->counter = b;
    s->bound = a;
    s->pred = swapped(s->pred);
  } else
    return fail(s, s->cmp, NOT_COUNTED);
  int up = s->pred == LLVMIntSLT || s->pred == LLVMIntULT || s->pred == LLVMIntSLE || s->pred == LLVMIntULE;
  int down = s->pred == LLVMIntSGT || s->pred == LLVMIntUGT || s->pred == LLVMIntSGE || s->pred == LLVMIntUGE;
  if (!(s->pred == LLVMIntNE || (up && s->step == 1) || (down && s->step == -1)))
    return fail(s, s->cmp, "its counter moves away from its bound");
  if (!value_at_entry(s, NULL, s->bound, 0, 0) || !value_at_entry(s, NULL, s->counter, 0, 0))
    return fail(s, s->cmp, "its bound changes inside the loop: the trip count must be known when the loop starts");
  return 1;
}

/* The trip count (i64) at the end of the preheader. */
static LLVMValueRef build_trip_count(loop_shape *s, LLVMBuilderRef b, LLVMTypeRef i64) {
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
static int is_body_local(loop_shape *s, LLVMValueRef slot) {
  value_list loads = {0}, stores = {0};
  int ok = LLVMGetFirstUse(slot) != NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u && ok; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    ok = in_blocks(&s->region, user);
    if (LLVMIsALoadInst(user))
      vl_push(&loads, user);
    else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == slot && LLVMGetOperand(user, 0) != slot)
      vl_push(&stores, user);
    else
      ok &= is_lifetime(user);
  }
  for (unsigned i = 0; ok && i < loads.n; ++i) {
    int covered = 0;
    for (unsigned k = 0; k < stores.n && !covered; ++k)
      covered = ct_bridge_dominates(stores.v[k], loads.v[i]);
    ok = covered;
  }
  vl_free(&loads);
  vl_free(&stores);
  return ok;
}

static void find_state(loop_shape *s) {
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(s->fn);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(entry); inst; inst = LLVMGetNextInstruction(inst))
    if (LLVMIsAAllocaInst(inst) && is_body_local(s, inst))
      vl_push(&s->sink, inst);
  for (unsigned i = 0; i < s->region.n; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(LLVMValueAsBasicBlock(s->region.v[i])); inst;
         inst = LLVMGetNextInstruction(inst))
      if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind) {
        LLVMValueRef slot = LLVMGetOperand(inst, 0);
        if (!vl_has(&s->sink, slot) && slot_unwritten(slot, &s->loop) && !vl_has(&s->preload, slot))
          vl_push(&s->preload, slot);
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
static int pointer_bytes(loop_shape *s, LLVMValueRef p, LLVMValueRef slot, unsigned long long *bytes, int *heap) {
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
static int check_inputs(loop_shape *s) {
  for (unsigned i = 0; i < s->region.n; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(LLVMValueAsBasicBlock(s->region.v[i])); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind &&
          !vl_has(&s->preload, LLVMGetOperand(inst, 0)) && !vl_has(&s->sink, LLVMGetOperand(inst, 0)))
        return fail(s, inst, "its body reads a pointer from memory that the loop changes or that is not a local "
                             "variable (a swapped buffer, a struct of pointers): the snapshots keep memory, not "
                             "where the pointers stored in it point");
      unsigned nops = (unsigned)LLVMGetNumOperands(inst);
      for (unsigned k = 0; k < nops; ++k) {
        LLVMValueRef op = LLVMGetOperand(inst, k), slot = NULL;
        if (LLVMIsALoadInst(inst) && vl_has(&s->preload, LLVMGetOperand(inst, 0))) {
          slot = LLVMGetOperand(inst, 0);
          op = inst;
        } else if (vl_has(&s->sink, op) || in_blocks(&s->region, op) || LLVMIsAGlobalValue(op) || !op ||
                   LLVMIsAConstant(op) || LLVMIsABasicBlock(op) || LLVMGetValueKind(op) == LLVMMetadataAsValueValueKind ||
                   LLVMIsAInlineAsm(op) || (LLVMIsACallInst(inst) && op == LLVMGetCalledValue(inst)))
          continue;
        if (LLVMGetTypeKind(LLVMTypeOf(op)) != LLVMPointerTypeKind)
          continue;
        unsigned long long bytes;
        int heap;
        if (pointer_bytes(s, op, slot, &bytes, &heap) < 0)
          return fail(s, inst,
                      "its body reads or writes memory through a pointer whose size the pass cannot tell, so the "
                      "snapshots of the loop's state could not keep it: declare it as an array (a local array, or a "
                      "parameter `T p[static N]`), or allocate it with malloc in this function");
        if (slot)
          break;
      }
    }
  return 1;
}

/* ---- rewriting ---- */

static LLVMValueRef declare(ct_module *m, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n) {
  LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  if (!f) { /* the runtime's integer answers: no derivative */
    f = LLVMAddFunction(m->mod, name, fty);
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, "ct-no-derivative", 16, "", 0));
  }
  return f;
}

static LLVMValueRef call_named(ct_module *m, const char *name, LLVMTypeRef ret, LLVMValueRef *args, unsigned n) {
  LLVMTypeRef params[4];
  for (unsigned i = 0; i < n; ++i)
    params[i] = LLVMTypeOf(args[i]);
  LLVMValueRef f = declare(m, name, ret, params, n);
  return LLVMBuildCall2(m->b, LLVMFunctionType(ret, params, n, 0), f, args, n, "");
}

/* <f>.ct_steps(i64 k, i32 s, the body's inputs..., i64 heap bytes...):
 * the schedule above; recursive only through the recomputed calls. */
static LLVMValueRef build_steps(ct_module *m, loop_shape *s, LLVMValueRef iter, const unsigned long long *bytes,
                                const int *heap, unsigned nin, unsigned nheap) {
  LLVMContextRef ctx = m->ctx;
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  unsigned np = 2 + nin + nheap;
  LLVMTypeRef *params = malloc(np * sizeof *params);
  params[0] = i64;
  params[1] = i32;
  LLVMValueRef p = LLVMGetFirstParam(iter);
  for (unsigned i = 0; i < nin; ++i, p = LLVMGetNextParam(p))
    params[2 + i] = LLVMTypeOf(p);
  for (unsigned i = 0; i < nheap; ++i)
    params[2 + nin + i] = i64;
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), params, np, 0);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(s->fn, &len);
  char *name = util_format("%.*s.ct_steps", (int)len, fname);
  LLVMValueRef steps = LLVMAddFunction(m->mod, name, fty);
  free(name);
  LLVMSetLinkage(steps, LLVMInternalLinkage);
  util_list_edit(m, "llvm.compiler.used", steps, 1); /* keeps its signature: the sizes are unused in code */
  char where[160] = ""; /* for the remark of its gradient (forward.c) */
  diag_location(LLVMGetBasicBlockTerminator(s->header), where, sizeof where);
  LLVMAddAttributeAtIndex(steps, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(ctx, "ct-loop-steps", 13, where, (unsigned)strlen(where)));
  ir_copy_attributes(s->fn, steps, LLVMAttributeFunctionIndex);
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    if (bytes[i])
      LLVMAddAttributeAtIndex(steps, 3 + i,
                              LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("dereferenceable", 15),
                                                      bytes[i]));
    else if (heap[i]) {
      char idx[16];
      snprintf(idx, sizeof idx, "%u", 2 + nin + h++);
      LLVMAddAttributeAtIndex(steps, 3 + i, LLVMCreateStringAttribute(ctx, "ct-bytes-arg", 12, idx, (unsigned)strlen(idx)));
    }
  }
  LLVMValueRef *args = malloc(np * sizeof *args);
  for (unsigned i = 0; i < np; ++i)
    args[i] = LLVMGetParam(steps, i);
  LLVMBuilderRef b = m->b;
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, steps, "entry"),
                    head = LLVMAppendBasicBlockInContext(ctx, steps, "head"),
                    few = LLVMAppendBasicBlockInContext(ctx, steps, "few"),
                    loop = LLVMAppendBasicBlockInContext(ctx, steps, "taped"),
                    split = LLVMAppendBasicBlockInContext(ctx, steps, "split"),
                    done = LLVMAppendBasicBlockInContext(ctx, steps, "done");
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMSetCurrentDebugLocation2(b, NULL); /* <f>.ct_steps has no debug info of its own */
  LLVMBuildBr(b, head);
  /* the chain of later parts is a loop (each with one snapshot less), so
     the recursion is only as deep as the repetitions, not the snapshots */
  LLVMPositionBuilderAtEnd(b, head);
  LLVMValueRef k = LLVMBuildPhi(b, i64, "k"), snaps = LLVMBuildPhi(b, i32, "s");
  LLVMValueRef plain = LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntSLE, k, LLVMConstInt(i64, 1, 0), ""),
                                   LLVMBuildICmp(b, LLVMIntSLE, snaps, LLVMConstInt(i32, 0, 0), ""), "");
  LLVMBuildCondBr(b, plain, few, split);
  LLVMPositionBuilderAtEnd(b, few); /* k iterations, taped */
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, k, LLVMConstInt(i64, 0, 0), ""), loop, done);
  LLVMPositionBuilderAtEnd(b, loop);
  LLVMValueRef j = LLVMBuildPhi(b, i64, "j");
  LLVMBuildCall2(b, LLVMGlobalGetValueType(iter), iter, args + 2, nin, "");
  LLVMValueRef next = LLVMBuildAdd(b, j, LLVMConstInt(i64, 1, 0), "");
  LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
  LLVMBasicBlockRef from[2] = {few, loop};
  LLVMValueRef in[2] = {zero, next};
  LLVMAddIncoming(j, in, from, 2);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, next, k, ""), loop, done);
  LLVMPositionBuilderAtEnd(b, split); /* Revolve: the first m recomputed from a snapshot, the rest with one less */
  LLVMValueRef sa[2] = {k, snaps};
  LLVMValueRef mid = call_named(m, "__ct_revolve_split", i64, sa, 2);
  args[0] = mid;
  args[1] = snaps;
  LLVMValueRef first = LLVMBuildCall2(b, fty, steps, args, np, "");
  LLVMAddCallSiteAttribute(first, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(ctx, "ct-recompute", 12, "", 0));
  LLVMAddCallSiteAttribute(first, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
  LLVMValueRef rest = LLVMBuildSub(b, k, mid, ""), fewer = LLVMBuildSub(b, snaps, LLVMConstInt(i32, 1, 0), "");
  LLVMBuildBr(b, head);
  LLVMBasicBlockRef kfrom[2] = {entry, split};
  LLVMValueRef kin[2] = {LLVMGetParam(steps, 0), rest}, sin_[2] = {LLVMGetParam(steps, 1), fewer};
  LLVMAddIncoming(k, kin, kfrom, 2);
  LLVMAddIncoming(snaps, sin_, kfrom, 2);
  LLVMPositionBuilderAtEnd(b, done);
  LLVMBuildRetVoid(b);
  free(params);
  free(args);
  return steps;
}

/* Moves the body's locals into the iteration function's entry. */
static void move_locals(ct_module *m, loop_shape *s, LLVMValueRef iter) {
  LLVMValueRef first = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(iter));
  for (unsigned i = 0; i < s->sink.n; ++i) {
    LLVMValueRef a = s->sink.v[i];
    LLVMInstructionRemoveFromParent(a);
    LLVMPositionBuilderBefore(m->b, first);
    LLVMInsertIntoBuilder(m->b, a);
  }
}

static void delete_block(LLVMBasicBlockRef bb) {
  for (LLVMValueRef inst = LLVMGetLastInstruction(bb), prev; inst; inst = prev) {
    prev = LLVMGetPreviousInstruction(inst);
    if (LLVMGetFirstUse(inst))
      LLVMReplaceAllUsesWith(inst, LLVMGetPoison(LLVMTypeOf(inst)));
    LLVMInstructionEraseFromParent(inst);
  }
  LLVMDeleteBasicBlock(bb);
}

static void remark(loop_shape *s, unsigned long long bytes, unsigned nheap) {
  char snaps[32] = "the given number of";
  if (LLVMIsAConstantInt(s->snapshots))
    snprintf(snaps, sizeof snaps, "%lld", LLVMConstIntGetSExtValue(s->snapshots));
  if (LLVMIsAConstantInt(s->snapshots) && LLVMConstIntGetSExtValue(s->snapshots) < 1)
    snprintf(snaps, sizeof snaps, "%s", "an automatic number of");
  diag_report(s->fn, LLVMGetBasicBlockTerminator(s->header), CT_SEV_REMARK,
              "loop is checkpointed (binomial schedule, Revolve): its gradient keeps at most about %s snapshots of "
              "the loop's state, %llu bytes each%s, instead of every iteration's tape; the reverse pass runs "
              "iterations again from them",
              snaps, bytes, nheap ? " plus the heap buffers it uses (sized at run time)" : "");
}

/* The body has a loop of its own (a block of it reached again from its
 * successors without the header). */
static int has_inner_loop(loop_shape *s) {
  int inner = 0;
  for (unsigned i = 0; i < s->region.n && !inner; ++i) {
    LLVMBasicBlockRef bb = LLVMValueAsBasicBlock(s->region.v[i]);
    value_list reach = {0};
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k)
      if (LLVMGetSuccessor(term, k) != s->header)
        walk(LLVMGetSuccessor(term, k), 0, s->header, &reach);
    inner = vl_has(&reach, BLOCK(bb));
    vl_free(&reach);
  }
  return inner;
}

/* What one iteration tapes, read at run time (the tape budget): the
 * global <steps>.tape, which the gradient of <f>.ct_steps sets (forward.c)
 * where it can count it (a body without loops of its own), read
 * volatile so that nothing folds its initial 0; else 0, unknown. */
static LLVMValueRef iteration_tape_bytes(ct_module *m, loop_shape *s, LLVMValueRef steps) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
  if (has_inner_loop(s))
    return LLVMConstInt(i64, 0, 0);
  size_t len = 0;
  const char *name = LLVMGetValueName2(steps, &len);
  char *gname = util_format("%.*s.tape", (int)len, name);
  LLVMValueRef g = LLVMAddGlobal(m->mod, i64, gname);
  free(gname);
  LLVMSetLinkage(g, LLVMInternalLinkage);
  LLVMSetInitializer(g, LLVMConstInt(i64, 0, 0));
  LLVMValueRef v = LLVMBuildLoad2(m->b, i64, g, "ct.iteration_tape");
  LLVMSetVolatile(v, 1);
  return v;
}

static int rewrite(ct_module *m, loop_shape *s) {
  LLVMBuilderRef b = m->b;
  LLVMValueRef pre_term = LLVMGetBasicBlockTerminator(s->pre);
  LLVMValueRef where = LLVMGetBasicBlockTerminator(s->header);
  /* pointers read from locals the loop never writes: read once before it */
  for (unsigned i = 0; i < s->preload.n; ++i) {
    LLVMValueRef slot = s->preload.v[i], early = NULL;
    for (LLVMUseRef u = LLVMGetFirstUse(slot), next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef user = LLVMGetUser(u);
      if (!LLVMIsALoadInst(user) || !in_blocks(&s->region, user))
        continue;
      if (!early) {
        LLVMPositionBuilderBefore(b, pre_term);
        early = LLVMBuildLoad2(b, LLVMTypeOf(user), slot, "ct.state");
      }
      LLVMReplaceAllUsesWith(user, early);
      LLVMInstructionEraseFromParent(user);
    }
  }
  for (unsigned i = 0; i < s->sink.n; ++i) { /* into the body for the extractor */
    LLVMValueRef a = s->sink.v[i];
    LLVMInstructionRemoveFromParent(a);
    LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(s->body_entry));
    LLVMInsertIntoBuilder(b, a);
  }
  LLVMBasicBlockRef *blocks = malloc(s->region.n * sizeof *blocks);
  blocks[0] = s->body_entry;
  for (unsigned i = 0, n = 1; i < s->region.n; ++i)
    if (s->region.v[i] != BLOCK(s->body_entry))
      blocks[n++] = LLVMValueAsBasicBlock(s->region.v[i]);
  LLVMValueRef call = ct_bridge_extract_region(blocks, s->region.n, "ct_loop");
  free(blocks);
  if (!call)
    return fail(s, where, "LLVM could not move its body into a function");
  LLVMValueRef iter = LLVMGetCalledValue(call);
  move_locals(m, s, iter);
  LLVMAddAttributeAtIndex(iter, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
  unsigned nin = (unsigned)LLVMGetNumArgOperands(call), nheap = 0;
  unsigned long long *bytes = calloc(nin + 1, sizeof *bytes), total = 0;
  int *heap = calloc(nin + 1, sizeof *heap);
  for (unsigned i = 0; i < nin; ++i) {
    LLVMValueRef a = LLVMGetOperand(call, i);
    if (LLVMGetTypeKind(LLVMTypeOf(a)) != LLVMPointerTypeKind)
      continue;
    LLVMValueRef slot = LLVMIsALoadInst(a) && vl_has(&s->preload, LLVMGetOperand(a, 0)) ? LLVMGetOperand(a, 0) : NULL;
    if (pointer_bytes(s, a, slot, &bytes[i], &heap[i]) < 0) {
      free(bytes);
      free(heap);
      return fail(s, where, "a pointer its body uses has a size the pass cannot tell");
    }
    nheap += heap[i];
    total += bytes[i];
  }
  LLVMValueRef steps = build_steps(m, s, iter, bytes, heap, nin, nheap);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx), i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMPositionBuilderBefore(b, pre_term);
  LLVMValueRef *args = malloc((2 + nin + nheap) * sizeof *args);
  args[0] = build_trip_count(s, b, i64);
  LLVMValueRef snaps = LLVMBuildIntCast2(b, s->snapshots, i32, 1, "");
  /* what one snapshot costs the tape: the state, and the recomputed
     call's arguments and records (about 8 bytes each) */
  LLVMValueRef state = LLVMConstInt(i64, total + 8ull * (2 + nin + nheap) + 32, 0);
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    args[2 + i] = LLVMGetOperand(call, i);
    if (heap[i]) {
      LLVMValueRef p = args[2 + i];
      args[2 + nin + h] = call_named(m, "__ct_heap_bytes", i64, &p, 1);
      state = LLVMBuildAdd(b, state, args[2 + nin + h++], "");
    }
  }
  LLVMValueRef sa[4] = {args[0], snaps, state, iteration_tape_bytes(m, s, steps)};
  args[1] = call_named(m, "__ct_revolve_snapshots", i32, sa, 4);
  LLVMValueRef top = LLVMBuildCall2(b, LLVMGlobalGetValueType(steps), steps, args, 2 + nin + nheap, "");
  LLVMInstructionSetDebugLoc(top, LLVMInstructionGetDebugLoc(where));
  for (unsigned k = 0; k < LLVMGetNumSuccessors(pre_term); ++k)
    if (LLVMGetSuccessor(pre_term, k) == s->header)
      LLVMSetSuccessor(pre_term, k, s->exit);
  remark(s, total, nheap);
  delete_block(LLVMGetInstructionParent(call));
  delete_block(s->header);
  free(args);
  free(bytes);
  free(heap);
  return 1;
}

static void lower_one(ct_module *m, LLVMValueRef mark) {
  loop_shape s = {.fn = LLVMGetBasicBlockParent(LLVMGetInstructionParent(mark)), .mark = mark,
                  .snapshots = LLVMGetOperand(mark, 0)};
  int ok = find_loop(&s) && check_region(&s) && check_counted(&s);
  if (ok) {
    find_state(&s);
    ok = check_inputs(&s) && rewrite(m, &s);
  }
  if (!ok) {
    char *msg = util_format("cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): %s", s.why);
    diag_report(s.fn, s.why_at ? s.why_at : mark, CT_SEV_ERROR, "%s", msg);
    free(msg);
  }
  LLVMInstructionEraseFromParent(mark);
  vl_free(&s.loop);
  vl_free(&s.region);
  vl_free(&s.sink);
  vl_free(&s.preload);
}

int checkpoint_loop_lower(ct_module *m) {
  LLVMValueRef markfn = LLVMGetNamedFunction(m->mod, LOOP_MARK);
  if (!markfn)
    return 0;
  LLVMBuilderRef caller_b = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  value_list marks = {0};
  for (LLVMUseRef u = LLVMGetFirstUse(markfn); u; u = LLVMGetNextUse(u))
    if (LLVMIsACallInst(LLVMGetUser(u)) && LLVMGetCalledValue(LLVMGetUser(u)) == markfn)
      vl_push(&marks, LLVMGetUser(u));
  for (unsigned i = 0; i < marks.n; ++i)
    lower_one(m, marks.v[i]);
  vl_free(&marks);
  LLVMDisposeBuilder(m->b);
  m->b = caller_b;
  if (!LLVMGetFirstUse(markfn))
    LLVMDeleteFunction(markfn);
  return 1;
}
