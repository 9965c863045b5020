/* Reductions whose reverse runs inside their forward iterations.
 *
 * A one-block loop whose only floating-point values carried from one
 * iteration to the next are additive accumulators (f' = f + t, f - t,
 * fmuladd(a, b, f), or a select between such sums and f), as in
 *
 *   for (i = 0; i < n - 1; i++) f += 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2;
 *   return f;
 *
 * gives every accumulator the same adjoint D in every iteration: the
 * adjoint of its value at the loop's exit. When D is known before the
 * loop runs (the exit value reaches the returned value, or the Enzyme
 * form's `*out = f` just before the return, through additions and
 * multiplications by constants or arguments on a path taken whenever the
 * loop exits), the reverse of each iteration can run right after its
 * forward: the adjoint of f' is D, the rules propagate it through the
 * iteration's instructions as the reverse sweep would, and the loads add
 * into their shadows. The reverse of different iterations only adds into
 * shadows and into the adjoints of values computed once before the loop,
 * so their order is free; nothing of the loop goes on the tape, and the
 * reverse sweep only passes D from f's exit value to its start.
 *
 * The loop qualifies (fused_choose) when, besides, it writes no memory,
 * nothing that runs after it writes memory (whose reverse would take or
 * clear shadows the iterations added to before it), its loads' shadows are
 * never the primal memory, and the values it takes from outside with an
 * adjoint are computed once. Only in a combined gradient (the seed is a
 * parameter of the function running the forward pass) on one thread.
 *
 * In the Enzyme form the seed is *dout: read at the gradient's entry; the
 * store's reverse then subtracts it from *dout instead of clearing *dout,
 * which keeps what the iterations added there if dout aliases a shadow
 * they add into.
 *
 * When iterations load what later ones load again (x[i + 1], then x[i]
 * through a pointer carried to the next iteration), the earlier loads'
 * adjoints wait in phis and join the last one's: one addition into the
 * shadow per element, no dependence through memory between iterations
 * (fused_carry.c). The gradient is marked ct-ordered-sums: the loop
 * vectorizer may then run the loop's arithmetic in vector lanes while it
 * adds the lanes into the sums one by one, in the function's order
 * (plugin.cpp), so the value is the function's to the bit.
 *
 * fused_prepare_loads, on the prepared primal: a one-block loop that
 * writes no memory and carries a loaded value to its next iteration (GVN's
 * x[i] reused from the previous iteration's x[i+1]) loads it again from a
 * pointer carried instead, so the reverse needs no adjoint carried across
 * iterations (and, unfused, no tape for it). */
#include "gen.h"

#include <llvm-c/DebugInfo.h>
#include <stdlib.h>
#include <string.h>

/* The value phi takes from block bb, or NULL. */
static LLVMValueRef incoming_for(LLVMValueRef phi, LLVMBasicBlockRef bb) {
  for (unsigned k = 0, n = LLVMCountIncoming(phi); k < n; ++k)
    if (LLVMGetIncomingBlock(phi, k) == bb)
      return LLVMGetIncomingValue(phi, k);
  return NULL;
}

typedef struct {
  LLVMValueRef phi, next, start; /* P, its value from the latch (N), from the preheader */
  LLVMValueRef coef[8];          /* D = base * coef[0] * ... */
  unsigned ncoef;
  LLVMValueRef store; /* the Enzyme form's store (base: *shadow at entry), or NULL (base: the seed) */
} fused_acc;

typedef struct {
  ct_block *b, *pre;
  fused_acc *accs;
  unsigned naccs;
  ct_fused_carry *carry; /* loads of one element in several iterations, or NULL */
} fused_loop;

struct ct_fused {
  fused_loop *loops;
  unsigned nloops;
  ct_vmap store_d; /* Enzyme form's store -> the seed read at entry */
  fused_loop *cur;  /* generating its forward */
};

/* ---- what may run where ---- */

static int is_call_named(LLVMValueRef inst, const char *prefix) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  return name && len >= strlen(prefix) && !strncmp(name, prefix, strlen(prefix));
}

/* May inst write memory (a call: argument or other memory; errno, which
 * math functions of the rule table write, is not ours)? Debug and lifetime
 * markers do not. */
static int writes_memory(LLVMValueRef inst) {
  switch (LLVMGetInstructionOpcode(inst)) {
  case LLVMStore: case LLVMAtomicRMW: case LLVMAtomicCmpXchg: case LLVMFence: case LLVMInvoke: case LLVMCallBr:
  case LLVMVAArg:
    return 1;
  case LLVMCall:
    if (is_call_named(inst, "llvm.dbg.") || is_call_named(inst, "llvm.lifetime.") ||
        is_call_named(inst, "llvm.assume"))
      return 0;
    if (classify_rule(inst)) { /* a math function: errno at most, unless it writes through a pointer */
      int pointers = 0;
      for (int k = 0, n = LLVMGetNumArgOperands(inst); k < n; ++k)
        pointers |= LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, (unsigned)k))) == LLVMPointerTypeKind;
      if (!pointers)
        return 0;
    }
    return ct_bridge_call_may_write(inst, CT_MEM_ARGUMENT | CT_MEM_OTHER);
  default:
    return 0;
  }
}

static int block_writes(LLVMBasicBlockRef bb, LLVMValueRef except) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
    if (i != except && writes_memory(i))
      return 1;
  return 0;
}

/* Does any block reachable from `from` (itself included) write memory,
 * but for `except`? */
static int writes_after(ct_gen *g, LLVMBasicBlockRef from, LLVMValueRef except) {
  unsigned char *seen = calloc(g->nblocks, 1);
  unsigned *stack = malloc(g->nblocks * sizeof *stack), sp = 0;
  ct_block *f = cfg_block_of(g, from);
  int writes = 0;
  stack[sp++] = (unsigned)(f - g->blocks);
  seen[f - g->blocks] = 1;
  while (sp && !writes) {
    ct_block *b = &g->blocks[stack[--sp]];
    writes = block_writes(b->bb, except);
    LLVMValueRef t = LLVMGetBasicBlockTerminator(b->bb);
    for (unsigned s = 0, n = t ? LLVMGetNumSuccessors(t) : 0; s < n; ++s) {
      ct_block *c = cfg_block_of(g, LLVMGetSuccessor(t, s));
      if (c && !seen[c - g->blocks]) {
        seen[c - g->blocks] = 1;
        stack[sp++] = (unsigned)(c - g->blocks);
      }
    }
  }
  free(seen);
  free(stack);
  return writes;
}

/* ---- the accumulator's chain inside the iteration ---- */

static int in_set(LLVMValueRef *set, unsigned n, LLVMValueRef v) {
  for (unsigned i = 0; i < n; ++i)
    if (set[i] == v)
      return 1;
  return 0;
}

/* Is c (in the chain `set`) a sum that passes the chain's value on with
 * coefficient 1 on every path (exactly one chain operand added, or a
 * choice between chain values)? */
static int transparent(LLVMValueRef c, LLVMValueRef *set, unsigned n) {
  LLVMValueRef o0 = LLVMGetNumOperands(c) > 0 ? LLVMGetOperand(c, 0) : NULL;
  LLVMValueRef o1 = LLVMGetNumOperands(c) > 1 ? LLVMGetOperand(c, 1) : NULL;
  switch (LLVMGetInstructionOpcode(c)) {
  case LLVMFAdd: return in_set(set, n, o0) != in_set(set, n, o1);
  case LLVMFSub: return in_set(set, n, o0) && !in_set(set, n, o1);
  case LLVMSelect:
    return !in_set(set, n, o0) && in_set(set, n, o1) && in_set(set, n, LLVMGetOperand(c, 2));
  case LLVMCall:
    if (!is_call_named(c, "llvm.fmuladd.") && !is_call_named(c, "llvm.fma."))
      return 0;
    return !in_set(set, n, o0) && !in_set(set, n, o1) && in_set(set, n, LLVMGetOperand(c, 2));
  default: return 0;
  }
}

/* The chain of accumulator phi P in one-block loop bb: the active values
 * of bb computed from P; each transparent, used only inside it but for
 * N's uses outside bb (N: P's value from the latch). Returns 0 when P is
 * not such an accumulator. */
static int check_chain(ct_gen *g, LLVMBasicBlockRef bb, LLVMValueRef phi, LLVMValueRef next) {
  unsigned n = 0, cap = 8;
  LLVMValueRef *set = malloc(cap * sizeof *set);
  set[n++] = phi;
  int ok = 1;
  for (unsigned i = 0; i < n && ok; ++i)
    for (LLVMUseRef u = LLVMGetFirstUse(set[i]); u && ok; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (!LLVMIsAInstruction(user) || !vmap_get(&g->active, user))
        continue; /* no adjoint comes back through it (a comparison) */
      if (LLVMGetInstructionParent(user) != bb) {
        ok = set[i] == next; /* the exit value: fused_exit_adjoint */
        continue;
      }
      if (user == phi) {
        ok = set[i] == next;
        continue;
      }
      if (in_set(set, n, user))
        continue;
      if (n == cap)
        set = realloc(set, (cap *= 2) * sizeof *set);
      set[n++] = user;
    }
  for (unsigned i = 1; i < n && ok; ++i)
    ok = transparent(set[i], set, n);
  ok = ok && in_set(set, n, next);
  free(set);
  return ok;
}

/* ---- the exit value's adjoint ---- */

/* A value known before the loop runs (a constant, an argument). */
static int known_before(LLVMValueRef v) { return !ir_is_local(v); }

/* Follows v (the exit value, certain to be used once control is in block
 * `at`) to the return or the Enzyme form's store, through phis on edges
 * certain to be taken, additions and multiplications by values known
 * before the loop; collects the coefficients. Returns 0 when the adjoint
 * is not known so. */
static int exit_adjoint(ct_gen *g, ct_block *loop, LLVMValueRef v, LLVMBasicBlockRef at, fused_acc *acc) {
  for (int steps = 0; steps < 64; ++steps) {
    LLVMValueRef use = NULL;
    unsigned nuses = 0;
    for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (user == acc->phi || !LLVMIsAInstruction(user))
        continue;
      LLVMOpcode op = LLVMGetInstructionOpcode(user);
      if (op != LLVMRet && op != LLVMStore && !vmap_get(&g->active, user) && LLVMGetTypeKind(LLVMTypeOf(user)) != LLVMVoidTypeKind)
        continue; /* carries no adjoint back */
      use = user;
      ++nuses;
    }
    if (nuses != 1)
      return 0;
    LLVMBasicBlockRef ub = LLVMGetInstructionParent(use);
    if (LLVMIsAPHINode(use)) {
      for (unsigned k = 0, n = LLVMCountIncoming(use); k < n; ++k) {
        if (LLVMGetIncomingValue(use, k) != v)
          continue;
        LLVMBasicBlockRef from = LLVMGetIncomingBlock(use, k);
        LLVMValueRef t = LLVMGetBasicBlockTerminator(from);
        /* the loop's exit edge, or an unconditional branch from `at` */
        if (!((from == loop->bb && ub == at) || (from == at && LLVMGetNumSuccessors(t) == 1)))
          return 0;
      }
      v = use;
      at = ub;
      continue;
    }
    if (ub != at)
      return 0;
    LLVMOpcode op = LLVMGetInstructionOpcode(use);
    if (op == LLVMRet)
      return g->spec->ret_active && g->seed != NULL;
    if (op == LLVMStore) {
      /* *out = f for a duplicated argument out, then only the return */
      LLVMValueRef p = LLVMGetOperand(use, 1);
      int arg = ir_param_index(p);
      if (LLVMGetOperand(use, 0) != v || arg < 0 || g->spec->act[arg] != ACT_DUP || LLVMGetVolatile(use))
        return 0;
      for (LLVMValueRef i = LLVMGetNextInstruction(use); i; i = LLVMGetNextInstruction(i))
        if (LLVMGetInstructionOpcode(i) != LLVMRet && (writes_memory(i) || LLVMIsALoadInst(i)))
          return 0;
      if (LLVMGetInstructionOpcode(LLVMGetBasicBlockTerminator(ub)) != LLVMRet)
        return 0;
      acc->store = use;
      return 1;
    }
    if (acc->ncoef == sizeof acc->coef / sizeof acc->coef[0])
      return 0;
    LLVMTypeRef ty = LLVMTypeOf(v);
    LLVMValueRef o0 = LLVMGetOperand(use, 0), o1 = LLVMGetNumOperands(use) > 1 ? LLVMGetOperand(use, 1) : NULL;
    switch (op) {
    case LLVMFAdd:
      if (o0 == o1)
        return 0;
      break;
    case LLVMFSub:
      if (o0 == o1)
        return 0;
      if (o1 == v)
        acc->coef[acc->ncoef++] = type_const_real(ty, -1.0);
      break;
    case LLVMFNeg: acc->coef[acc->ncoef++] = type_const_real(ty, -1.0); break;
    case LLVMFMul: {
      LLVMValueRef k = o0 == v ? o1 : o0;
      if (k == v || !known_before(k))
        return 0;
      acc->coef[acc->ncoef++] = k;
      break;
    }
    case LLVMCall: { /* fmuladd(a, b, c): c passes on, a by b */
      if (!is_call_named(use, "llvm.fmuladd.") && !is_call_named(use, "llvm.fma."))
        return 0;
      LLVMValueRef c = LLVMGetOperand(use, 2);
      if ((o0 == v) + (o1 == v) + (c == v) != 1)
        return 0;
      if (c != v) {
        LLVMValueRef k = o0 == v ? o1 : o0;
        if (!known_before(k))
          return 0;
        acc->coef[acc->ncoef++] = k;
      }
      break;
    }
    default: return 0;
    }
    v = use;
  }
  return 0;
}

/* ---- choosing ---- */

static int operands_ok(ct_gen *g, LLVMValueRef inst, LLVMBasicBlockRef bb) {
  for (int o = 0, n = LLVMGetNumOperands(inst); o < n; ++o) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)o);
    if (!LLVMIsAInstruction(op) || LLVMGetInstructionParent(op) == bb || !adjoint_has(g, op))
      continue;
    if (!cfg_block_of(g, LLVMGetInstructionParent(op))->once)
      return 0; /* its adjoint would collect every run's additions */
  }
  return 1;
}

/* The instructions of bb: reverses that commute across iterations. */
static int body_ok(ct_gen *g, LLVMBasicBlockRef bb) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
    if (writes_memory(i) || !operands_ok(g, i, bb))
      return 0;
    switch (classify(g, i)) {
    case REV_NONE: case REV_RULE: case REV_PASS: case REV_LANES: case REV_PHI: break;
    case REV_LOAD:
      if (stored_pointers_maybe_self(g, LLVMGetOperand(i, 0)) || LLVMGetVolatile(i))
        return 0;
      break;
    default: return 0;
    }
    if (!LLVMIsAPHINode(i) && adjoint_has(g, i))
      for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u))
        if (LLVMIsAInstruction(LLVMGetUser(u)) && LLVMGetInstructionParent(LLVMGetUser(u)) != bb) {
          /* only accumulators leave the loop (checked by their chains) */
          LLVMValueRef user = LLVMGetUser(u);
          int is_next = 0;
          for (LLVMValueRef p = LLVMGetFirstInstruction(bb); p && LLVMIsAPHINode(p); p = LLVMGetNextInstruction(p))
            is_next |= LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind && adjoint_has(g, p) &&
                       incoming_for(p, bb) == i;
          if (!is_next && vmap_get(&g->active, user))
            return 0;
        }
  }
  return 1;
}

/* Loop l as a fused loop, or 0. */
static int choose_loop(ct_gen *g, const ct_bridge_loop *l, fused_loop *out) {
  if (l->nblocks != 1 || !l->preheader || !l->exit)
    return 0;
  LLVMBasicBlockRef bb = l->header;
  ct_block *b = cfg_block_of(g, bb), *x = cfg_block_of(g, l->exit);
  if (!b || !x || b->npreds != 2 || x->npreds != 1 || !body_ok(g, bb))
    return 0;
  fused_loop fl = {.b = b, .pre = cfg_block_of(g, l->preheader)};
  int ok = 1;
  for (LLVMValueRef p = LLVMGetFirstInstruction(bb); p && LLVMIsAPHINode(p) && ok; p = LLVMGetNextInstruction(p)) {
    if (!adjoint_has(g, p))
      continue;
    fused_acc acc = {.phi = p, .next = incoming_for(p, bb),
                     .start = incoming_for(p, l->preheader)};
    ok = type_is_fp_scalar(LLVMTypeOf(p)) && acc.next && acc.start && LLVMIsAInstruction(acc.next) &&
         LLVMGetInstructionParent(acc.next) == bb && check_chain(g, bb, p, acc.next) &&
         exit_adjoint(g, b, acc.next, l->exit, &acc);
    if (ok && !writes_after(g, l->exit, acc.store)) {
      fl.accs = realloc(fl.accs, (fl.naccs + 1) * sizeof *fl.accs);
      fl.accs[fl.naccs++] = acc;
    } else {
      ok = 0;
    }
  }
  if (!ok || !fl.naccs) {
    free(fl.accs);
    return 0;
  }
  fl.carry = fused_carry_find(g, bb);
  *out = fl;
  return 1;
}

void fused_choose(ct_gen *g) {
  const ct_spec *spec = g->spec;
  if (ct_switch(CT_SWITCH_NO_FUSE) || spec->split || g->atomic_shadow_adds || g->tangent || spec->width || !g->nloops)
    return;
  struct ct_fused *f = calloc(1, sizeof *f);
  vmap_init(&f->store_d);
  g->fused = f;
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->user_fn, &len);
  for (unsigned i = 0; i < g->nloops; ++i) {
    fused_loop fl;
    if (!choose_loop(g, &g->loops[i], &fl))
      continue;
    f->loops = realloc(f->loops, (f->nloops + 1) * sizeof *f->loops);
    f->loops[f->nloops++] = fl;
    fl.b->fused = 1;
    diag_report(g->user_fn, LLVMGetBasicBlockTerminator(fl.b->bb), CT_SEV_REMARK,
                "gradient of '%.*s': loop's reverse fused into its forward iterations (%u accumulator(s) with an "
                "adjoint known before the loop); no reverse loop, nothing taped for it",
                (int)len, fname, fl.naccs);
    if (fl.carry)
      diag_report(g->user_fn, LLVMGetBasicBlockTerminator(fl.b->bb), CT_SEV_REMARK,
                  "gradient of '%.*s': the loop reads elements again in up to %u later iteration(s); their adjoints "
                  "wait in registers, one addition into the shadow per element",
                  (int)len, fname, fused_carry_depth(fl.carry));
  }
}

/* ---- generating ---- */

/* D for acc, built at the forward's entry (g->sb). */
static LLVMValueRef exit_value_adjoint(ct_gen *g, fused_acc *acc) {
  LLVMBuilderRef b = g->sb;
  LLVMTypeRef ty = LLVMTypeOf(acc->phi);
  LLVMValueRef d;
  if (acc->store) {
    d = vmap_get(&g->fused->store_d, acc->store);
    if (!d) {
      LLVMValueRef sp = vmap_get(&g->shadow, LLVMGetOperand(acc->store, 1));
      d = LLVMBuildLoad2(b, ty, sp, "ct.fused_seed");
      vmap_set(&g->fused->store_d, acc->store, d);
    }
  } else {
    d = g->seed;
  }
  if (LLVMTypeOf(d) != ty)
    d = LLVMBuildFPCast(b, d, ty, "");
  for (unsigned k = 0; k < acc->ncoef; ++k) {
    LLVMValueRef c = acc->coef[k];
    LLVMValueRef fc = ir_is_local(c) ? c : vmap_get(&g->fwd, c);
    d = LLVMBuildFMul(b, d, fc ? fc : c, "");
  }
  return d;
}

/* The forward copy of the block fl's loop exits to. */
static LLVMBasicBlockRef exit_forward(ct_gen *g, fused_loop *fl) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(fl->b->bb);
  for (unsigned s = 0, n = LLVMGetNumSuccessors(t); s < n; ++s)
    if (LLVMGetSuccessor(t, s) != fl->b->bb)
      return cfg_block_of(g, LLVMGetSuccessor(t, s))->fwd;
  return NULL;
}

void fused_emit_forward(ct_gen *g, void (*reverse_instructions)(ct_gen *, LLVMBasicBlockRef)) {
  struct ct_fused *f = g->fused;
  ct_module *m = g->m;
  for (unsigned i = 0; f && i < f->nloops && !g->failed; ++i) {
    fused_loop *fl = &f->loops[i];
    LLVMValueRef ds[64];
    for (unsigned a = 0; a < fl->naccs && a < 64; ++a)
      ds[a] = exit_value_adjoint(g, &fl->accs[a]);
    LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(fl->b->fwd));
    for (int k = 0; k < 3; ++k) {
      vmap_free(&g->popped[k]);
      vmap_init(&g->popped[k]);
    }
    adjoint_mark_zeroed(g, fl->b->bb, 1);
    for (unsigned a = 0; a < fl->naccs && a < 64; ++a)
      adjoint_add(g, fl->accs[a].next, ds[a]);
    f->cur = fl;
    fused_carry_begin(g, fl->carry, fl->b->fwd);
    reverse_instructions(g, fl->b->bb);
    for (unsigned a = 0; a < fl->naccs; ++a)
      (void)adjoint_take(g, fl->accs[a].phi); /* D again: the next iteration's is known */
    adjoint_mark_zeroed(g, NULL, 0);
    fused_carry_end(g, fl->carry, fl->b->fwd, exit_forward(g, fl));
    f->cur = NULL;
    LLVMValueRef fn = LLVMGetBasicBlockParent(fl->b->fwd);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, "ct-ordered-sums", 15, "", 0));
  }
}

LLVMValueRef fused_load_adjoint(ct_gen *g, LLVMValueRef load, LLVMValueRef d) {
  struct ct_fused *f = g->fused;
  return f && f->cur && f->cur->carry ? fused_carry_load(g, f->cur->carry, load, d) : d;
}

int fused_reverse_block(ct_gen *g, ct_block *b) {
  struct ct_fused *f = b->fused ? g->fused : NULL;
  fused_loop *fl = NULL;
  for (unsigned i = 0; f && i < f->nloops && !fl; ++i)
    if (f->loops[i].b == b)
      fl = &f->loops[i];
  if (!fl)
    return 0;
  ct_module *m = g->m;
  LLVMPositionBuilderAtEnd(m->b, b->rev);
  LLVMValueRef ds[64];
  for (unsigned a = 0; a < fl->naccs && a < 64; ++a)
    ds[a] = adjoint_take(g, fl->accs[a].next);
  adjoint_mark_zeroed(g, fl->pre->bb, 2);
  for (unsigned a = 0; a < fl->naccs && a < 64; ++a)
    adjoint_add(g, fl->accs[a].start, ds[a]);
  adjoint_store_zeroed(g, fl->pre->bb);
  LLVMBuildBr(m->b, fl->pre->rev);
  return 1;
}

int fused_reverse_store(ct_gen *g, LLVMValueRef store) {
  LLVMValueRef d = g->fused ? vmap_get(&g->fused->store_d, store) : NULL;
  if (!d)
    return 0;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef val = LLVMGetOperand(store, 0);
  LLVMTypeRef ty = LLVMTypeOf(val);
  LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(store, 1));
  LLVMValueRef cur = LLVMBuildLoad2(b, ty, sp, "");
  LLVMValueRef same = LLVMBuildFCmp(b, LLVMRealOEQ, cur, d, "");
  LLVMBuildStore(b, LLVMBuildSelect(b, same, LLVMConstNull(ty), LLVMBuildFSub(b, cur, d, ""), ""), sp);
  adjoint_add(g, val, d);
  return 1;
}

void fused_free(ct_gen *g) {
  struct ct_fused *f = g->fused;
  if (!f)
    return;
  for (unsigned i = 0; i < f->nloops; ++i) {
    free(f->loops[i].accs);
    fused_carry_free(f->loops[i].carry);
  }
  free(f->loops);
  vmap_free(&f->store_d);
  free(f);
  g->fused = NULL;
}

/* ---- the prepared primal: loaded values carried to the next iteration ---- */

static int is_plain_load(LLVMValueRef v) { return v && LLVMIsALoadInst(v) && !LLVMGetVolatile(v) && !LLVMGetOrdering(v); }

/* Q = phi [load A0 (preheader), load A1 (bb)] becomes load (phi [A0, A1]). */
static void reload_phi(ct_module *m, LLVMValueRef q, LLVMBasicBlockRef bb, LLVMBasicBlockRef pre) {
  LLVMValueRef l0 = incoming_for(q, pre), l1 = incoming_for(q, bb);
  LLVMValueRef first = LLVMGetFirstInstruction(bb);
  while (LLVMIsAPHINode(first))
    first = LLVMGetNextInstruction(first);
  LLVMPositionBuilderBefore(m->b, first);
  LLVMSetCurrentDebugLocation2(m->b, NULL);
  LLVMValueRef p = LLVMBuildPhi(m->b, LLVMTypeOf(LLVMGetOperand(l1, 0)), "ct.carried");
  LLVMValueRef vals[2] = {LLVMGetOperand(l0, 0), LLVMGetOperand(l1, 0)};
  LLVMBasicBlockRef from[2] = {pre, bb};
  LLVMAddIncoming(p, vals, from, 2);
  LLVMValueRef ld = LLVMBuildLoad2(m->b, LLVMTypeOf(q), p, "");
  unsigned a0 = LLVMGetAlignment(l0), a1 = LLVMGetAlignment(l1);
  LLVMSetAlignment(ld, a0 < a1 ? a0 : a1);
  LLVMInstructionSetDebugLoc(ld, LLVMInstructionGetDebugLoc(l1));
  unsigned tbaa = LLVMGetMDKindIDInContext(m->ctx, "tbaa", 4);
  if (LLVMGetMetadata(l0, tbaa) == LLVMGetMetadata(l1, tbaa) && LLVMGetMetadata(l1, tbaa))
    LLVMSetMetadata(ld, tbaa, LLVMGetMetadata(l1, tbaa));
  LLVMReplaceAllUsesWith(q, ld);
  LLVMInstructionEraseFromParent(q);
}

void fused_prepare_loads(ct_module *m, LLVMValueRef fn) {
  if (ct_switch(CT_SWITCH_NO_FUSE))
    return;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
    if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t) ||
        (LLVMGetSuccessor(t, 0) != bb && LLVMGetSuccessor(t, 1) != bb) || block_writes(bb, NULL))
      continue;
    /* the preheader: the other predecessor, branching only here */
    LLVMBasicBlockRef pre = NULL;
    int npreds = 0;
    for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (!LLVMIsATerminatorInst(user))
        continue;
      ++npreds;
      if (LLVMGetInstructionParent(user) != bb)
        pre = LLVMGetInstructionParent(user);
    }
    if (npreds != 2 || !pre || LLVMGetNumSuccessors(LLVMGetBasicBlockTerminator(pre)) != 1)
      continue;
    /* until none is left: a value carried two iterations (x[i - 1] of a
       3-point stencil, a phi of x[i]'s phi) is reloaded once the phi it
       takes is a load */
    for (int changed = 1; changed;) {
      changed = 0;
      LLVMValueRef next;
      for (LLVMValueRef q = LLVMGetFirstInstruction(bb); q && LLVMIsAPHINode(q); q = next) {
        next = LLVMGetNextInstruction(q);
        if (!type_is_fp_scalar(LLVMTypeOf(q)) || LLVMCountIncoming(q) != 2)
          continue;
        LLVMValueRef l0 = incoming_for(q, pre), l1 = incoming_for(q, bb);
        if (!is_plain_load(l0) || !is_plain_load(l1) || LLVMGetInstructionParent(l0) != pre ||
            LLVMGetInstructionParent(l1) != bb || LLVMTypeOf(l0) != LLVMTypeOf(l1))
          continue;
        int clean = 1; /* nothing writes memory after l0 in the preheader */
        for (LLVMValueRef i = LLVMGetNextInstruction(l0); i && clean; i = LLVMGetNextInstruction(i))
          clean = !writes_memory(i);
        if (clean) {
          reload_phi(m, q, bb, pre);
          changed = 1;
        }
      }
    }
  }
}
