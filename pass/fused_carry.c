/* Adjoints carried across a fused loop's iterations (fused.c).
 *
 * A one-block loop that reads one element in several iterations (Rosenbrock's
 * chain reads x[i + 1], then as x[i]; a 3-point stencil energy x[i + 1],
 * x[i], x[i - 1]) reads it through a chain of pointers where p(d + 1) of
 * iteration i + 1 is p(d) of iteration i: what p(d) points to is read again
 * at depth d + 1 in the next iteration, and last at the chain's deepest
 * depth K. Found two ways: affine addresses of the loop with one constant
 * step whose starts differ by multiples of it (LLVM's scalar evolution,
 * ct_bridge_pointer_delays: &x[i + 1], &x[i], &x[i - 1] are depths 0, 1,
 * 2); and header phis of pointers, p(1) taking p(0) from the latch, p(2)
 * taking p(1), ... (fused_prepare_loads reloads GVN's carried values
 * through such phis), for the loads left.
 *
 * A fused loop's reverse runs inside its forward iterations. Adding each
 * load's adjoint into its shadow where it is (dx[i + 1] and dx[i] loaded,
 * added to, stored in every iteration) makes a dependence through memory
 * from each iteration to the next: the loop vectorizer refuses the loop,
 * and a store-to-load forwarding lies on its critical path. Instead the
 * adjoints of loads at depths d < K wait in phis,
 *
 *   c(d + 1) <- c(d) + (this iteration's load adjoints at depth d),  c(0) = 0
 *   shadow(p(K)) += c(K) + (the load adjoints at depth K)
 *
 * so each element's shadow gets one addition, and what crosses iterations
 * is a first-order recurrence in registers (which the loop vectorizer
 * handles with lane shuffles). After the last iteration, c(d) (d = 1..K)
 * goes to shadow(p(d - 1)) at the loop's exit. This holds for any addresses
 * (only the phis' identity is used, no induction variable), and additions
 * into shadows commute (a fused loop's loads never read shadows; gradients
 * with atomic shadow additions have no fused loops). */
#include "gen.h"

#include <stdlib.h>

typedef struct {
  LLVMValueRef *ptrs; /* p(0..depth): a pointer of each depth, or NULL (none read there) */
  unsigned depth;     /* K >= 1; p(K) is not NULL */
  long long step;     /* bytes from p(d + 1) to p(d) in one iteration, when a p(d) is NULL */
  LLVMValueRef *at;   /* every pointer the chain's loads read through, ... */
  unsigned *at_depth, nat; /* ... and its depth */
  LLVMTypeRef ty;     /* what every load of the chain loads */
  /* while the loop's forward copy is generated */
  LLVMValueRef *carry;   /* [d], d = 1..depth: phis, what earlier iterations left for p(d)'s element */
  LLVMValueRef *pending; /* [d], d = 0..depth: this iteration's load adjoints at depth d, or NULL */
} carry_chain;

struct ct_fused_carry {
  carry_chain *chains;
  unsigned n;
};

/* The pointer that pointer phi p of bb takes from the latch (bb), or NULL. */
static LLVMValueRef chain_parent(LLVMValueRef p, LLVMBasicBlockRef bb) {
  if (!LLVMIsAPHINode(p) || LLVMGetInstructionParent(p) != bb || LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind)
    return NULL;
  for (unsigned k = 0, n = LLVMCountIncoming(p); k < n; ++k)
    if (LLVMGetIncomingBlock(p, k) == bb)
      return LLVMGetIncomingValue(p, k);
  return NULL;
}

/* A load whose reverse adds a floating-point adjoint into its shadow. */
static int is_carried_load(ct_gen *g, LLVMValueRef i) {
  return LLVMIsALoadInst(i) && !LLVMGetVolatile(i) && type_is_fp_scalar(LLVMTypeOf(i)) && adjoint_has(g, i) &&
         classify(g, i) == REV_LOAD;
}

typedef struct {
  LLVMValueRef *v;
  unsigned n, cap;
} value_list;

static void list_push(value_list *l, LLVMValueRef v) {
  if (l->n == l->cap)
    l->v = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 8) * sizeof *l->v);
  l->v[l->n++] = v;
}

static int list_has(const value_list *l, LLVMValueRef v) {
  for (unsigned k = 0; k < l->n; ++k)
    if (l->v[k] == v)
      return 1;
  return 0;
}

/* The path from p up its chain into path (p first), stopping before a
 * claimed pointer or a cycle; returns its length. */
static unsigned chain_path(LLVMValueRef p, LLVMBasicBlockRef bb, const value_list *claimed, value_list *path) {
  path->n = 0;
  while (p && !list_has(claimed, p) && !list_has(path, p)) {
    list_push(path, p);
    p = chain_parent(p, bb);
  }
  return path->n;
}

/* Does a load of `loads` read through p? */
static int read_through(const value_list *loads, LLVMValueRef p) {
  for (unsigned k = 0; k < loads->n; ++k)
    if (LLVMGetOperand(loads->v[k], 0) == p)
      return 1;
  return 0;
}

/* One chain from path (deepest first) up to its shallowest pointer a load
 * reads through, claimed; added to c when loads read at two depths or more
 * and all load one type. */
static void take_chain(const value_list *loads, const value_list *path, value_list *claimed,
                       struct ct_fused_carry *c) {
  unsigned top = 0;
  for (unsigned k = 0; k < path->n; ++k)
    if (read_through(loads, path->v[k]))
      top = k;
  for (unsigned k = 0; k <= top; ++k)
    list_push(claimed, path->v[k]);
  if (!top)
    return;
  LLVMTypeRef ty = NULL;
  for (unsigned l = 0; l < loads->n; ++l)
    for (unsigned k = 0; k <= top; ++k)
      if (LLVMGetOperand(loads->v[l], 0) == path->v[k]) {
        if (ty && ty != LLVMTypeOf(loads->v[l]))
          return;
        ty = LLVMTypeOf(loads->v[l]);
      }
  c->chains = realloc(c->chains, (c->n + 1) * sizeof *c->chains);
  carry_chain *ch = &c->chains[c->n++];
  *ch = (carry_chain){.depth = top, .ty = ty};
  ch->ptrs = malloc((top + 1) * sizeof *ch->ptrs);
  ch->carry = calloc(top + 1, sizeof *ch->carry);
  ch->pending = calloc(top + 1, sizeof *ch->pending);
  ch->at = malloc((top + 1) * sizeof *ch->at);
  ch->at_depth = malloc((top + 1) * sizeof *ch->at_depth);
  for (unsigned d = 0; d <= top; ++d) {
    ch->ptrs[d] = ch->at[d] = path->v[top - d];
    ch->at_depth[d] = d;
  }
  ch->nat = top + 1;
}

/* The chains LLVM's scalar evolution sees among loads (their pointers
 * then claimed). */
static void affine_chains(const value_list *loads, value_list *claimed, struct ct_fused_carry *c) {
  unsigned n = loads->n;
  if (n < 2)
    return;
  LLVMValueRef *ptrs = malloc(n * sizeof *ptrs);
  int *group = malloc(n * sizeof *group);
  long long *delay = malloc(n * sizeof *delay), *step = malloc(n * sizeof *step);
  for (unsigned k = 0; k < n; ++k)
    ptrs[k] = LLVMGetOperand(loads->v[k], 0);
  ct_bridge_pointer_delays(LLVMGetInstructionParent(loads->v[0]), ptrs, n, group, delay, step);
  for (int gr = 0;; ++gr) {
    unsigned members = 0, depth = 0, first = n;
    int same_type = 1;
    for (unsigned k = 0; k < n; ++k)
      if (group[k] == gr) {
        members++;
        first = first < k ? first : k;
        depth = (unsigned)delay[k] > depth ? (unsigned)delay[k] : depth;
        same_type &= LLVMTypeOf(loads->v[k]) == LLVMTypeOf(loads->v[first]);
      }
    if (!members)
      break;
    if (!depth || !same_type)
      continue;
    c->chains = realloc(c->chains, (c->n + 1) * sizeof *c->chains);
    carry_chain *ch = &c->chains[c->n++];
    *ch = (carry_chain){.depth = depth, .step = step[first], .ty = LLVMTypeOf(loads->v[first])};
    ch->ptrs = calloc(depth + 1, sizeof *ch->ptrs);
    ch->carry = calloc(depth + 1, sizeof *ch->carry);
    ch->pending = calloc(depth + 1, sizeof *ch->pending);
    ch->at = malloc(members * sizeof *ch->at);
    ch->at_depth = malloc(members * sizeof *ch->at_depth);
    for (unsigned k = 0; k < n; ++k)
      if (group[k] == gr) {
        ch->ptrs[delay[k]] = ptrs[k];
        ch->at[ch->nat] = ptrs[k];
        ch->at_depth[ch->nat++] = (unsigned)delay[k];
        list_push(claimed, ptrs[k]);
      }
  }
  free(ptrs);
  free(group);
  free(delay);
  free(step);
}

ct_fused_carry *fused_carry_find(ct_gen *g, LLVMBasicBlockRef bb) {
  if (g->atomic_shadow_adds)
    return NULL;
  value_list loads = {0}, claimed = {0}, path = {0};
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
    if (is_carried_load(g, i))
      list_push(&loads, i);
  struct ct_fused_carry *c = calloc(1, sizeof *c);
  affine_chains(&loads, &claimed, c);
  /* phi chains, deepest first: a pointer belongs to one chain */
  for (;;) {
    LLVMValueRef best = NULL;
    unsigned best_len = 0;
    for (unsigned k = 0; k < loads.n; ++k) {
      LLVMValueRef p = LLVMGetOperand(loads.v[k], 0);
      unsigned len = list_has(&claimed, p) ? 0 : chain_path(p, bb, &claimed, &path);
      if (len > best_len) {
        best = p;
        best_len = len;
      }
    }
    if (!best)
      break;
    chain_path(best, bb, &claimed, &path);
    take_chain(&loads, &path, &claimed, c);
  }
  free(loads.v);
  free(claimed.v);
  free(path.v);
  if (!c->n) {
    free(c);
    return NULL;
  }
  return c;
}

unsigned fused_carry_depth(const ct_fused_carry *c) {
  unsigned depth = 0;
  for (unsigned k = 0; c && k < c->n; ++k)
    depth = c->chains[k].depth > depth ? c->chains[k].depth : depth;
  return depth;
}

void fused_carry_begin(ct_gen *g, ct_fused_carry *c, LLVMBasicBlockRef fwd) {
  if (!c)
    return;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(g->m->ctx);
  LLVMValueRef first = LLVMGetFirstInstruction(fwd);
  while (first && LLVMIsAPHINode(first))
    first = LLVMGetNextInstruction(first);
  if (first)
    LLVMPositionBuilderBefore(b, first);
  else
    LLVMPositionBuilderAtEnd(b, fwd);
  for (unsigned k = 0; k < c->n; ++k) {
    carry_chain *ch = &c->chains[k];
    for (unsigned d = 0; d <= ch->depth; ++d) {
      ch->carry[d] = d ? LLVMBuildPhi(b, ch->ty, "ct.carry") : NULL;
      ch->pending[d] = NULL;
    }
  }
  LLVMDisposeBuilder(b);
}

/* a + b (either may be NULL: zero), reassociable as adjoint sums are. */
static LLVMValueRef sum(LLVMBuilderRef b, LLVMValueRef x, LLVMValueRef y) {
  if (!x || !y)
    return x ? x : y;
  LLVMValueRef s = LLVMBuildFAdd(b, x, y, "");
  LLVMSetFastMathFlags(s, LLVMFastMathNoSignedZeros | LLVMFastMathAllowReassoc);
  return s;
}

LLVMValueRef fused_carry_load(ct_gen *g, ct_fused_carry *c, LLVMValueRef load, LLVMValueRef d) {
  LLVMValueRef p = LLVMGetOperand(load, 0);
  for (unsigned k = 0; c && k < c->n; ++k) {
    carry_chain *ch = &c->chains[k];
    if (LLVMTypeOf(load) != ch->ty)
      continue;
    for (unsigned a = 0; a < ch->nat; ++a) {
      unsigned dp = ch->at_depth[a];
      if (ch->at[a] != p)
        continue;
      /* read again in a later iteration, its addition waits; at the
         deepest depth, it joins what waited (fused_carry_end) */
      ch->pending[dp] = sum(g->m->b, ch->pending[dp], d);
      return NULL;
    }
  }
  return d;
}

/* The shadow of p(d) += v, at m->b (nothing for a zero); where no load
 * reads at depth d, p(d) is p(K) moved by K - d steps. */
static void add_into_shadow(ct_gen *g, carry_chain *ch, unsigned d, LLVMValueRef v) {
  if (!v || (LLVMIsConstant(v) && LLVMIsNull(v)))
    return;
  LLVMValueRef p = ch->ptrs[d] ? ch->ptrs[d] : ch->ptrs[ch->depth];
  LLVMValueRef sp = rev_shadow(g, p);
  if (!ch->ptrs[d]) {
    LLVMValueRef off = LLVMConstInt(g->i64_ty, (unsigned long long)((long long)(ch->depth - d) * ch->step), 1);
    sp = LLVMBuildGEP2(g->m->b, LLVMInt8TypeInContext(g->m->ctx), sp, &off, 1, "ct.carried_to");
  }
  gpu_shadow_add(g, p, sp, v);
}

void fused_carry_end(ct_gen *g, ct_fused_carry *c, LLVMBasicBlockRef fwd, LLVMBasicBlockRef exit_fwd) {
  LLVMBuilderRef b = g->m->b;
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(b);
  for (unsigned k = 0; c && k < c->n; ++k) {
    carry_chain *ch = &c->chains[k];
    /* c(d) of the next iteration into pending[d - 1], then the deepest
       element's one addition: each phi's users after its next value (the
       loop vectorizer's fixed-order recurrences need that order) */
    for (unsigned d = 1; d <= ch->depth; ++d) {
      LLVMValueRef next = sum(b, d > 1 ? ch->carry[d - 1] : NULL, ch->pending[d - 1]);
      ch->pending[d - 1] = next ? next : LLVMConstNull(ch->ty);
    }
    add_into_shadow(g, ch, ch->depth, sum(b, ch->carry[ch->depth], ch->pending[ch->depth]));
    for (unsigned d = 1; d <= ch->depth; ++d)
      for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(fwd)); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        if (!LLVMIsATerminatorInst(user))
          continue;
        LLVMBasicBlockRef from = LLVMGetInstructionParent(user);
        LLVMValueRef v = from == latch ? ch->pending[d - 1] : LLVMConstNull(ch->ty);
        LLVMAddIncoming(ch->carry[d], &v, &from, 1);
      }
  }
  if (!c)
    return;
  /* after the last iteration: c(d) of the iteration that did not come */
  LLVMValueRef at = LLVMGetFirstInstruction(exit_fwd);
  while (at && LLVMIsAPHINode(at))
    at = LLVMGetNextInstruction(at);
  if (at)
    LLVMPositionBuilderBefore(b, at);
  else
    LLVMPositionBuilderAtEnd(b, exit_fwd);
  for (unsigned k = 0; k < c->n; ++k) {
    carry_chain *ch = &c->chains[k];
    for (unsigned d = 1; d <= ch->depth; ++d)
      add_into_shadow(g, ch, d - 1, ch->pending[d - 1]);
  }
}

void fused_carry_free(ct_fused_carry *c) {
  for (unsigned k = 0; c && k < c->n; ++k) {
    free(c->chains[k].ptrs);
    free(c->chains[k].carry);
    free(c->chains[k].pending);
    free(c->chains[k].at);
    free(c->chains[k].at_depth);
  }
  if (c)
    free(c->chains);
  free(c);
}
