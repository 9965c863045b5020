/* Control-flow facts about the prepared primal that the generator needs:
 * unique predecessors of each block, dominance (iterative bit sets) and
 * cycles. A block is "stable" when it runs at most once and dominates every
 * return: its values can be used by the reverse part directly, without the
 * tape. In split mode nothing is stable (the reverse is another function). */
#include "gen.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

ct_block *cfg_block_of(ct_gen *g, LLVMBasicBlockRef bb) {
  uintptr_t i = (uintptr_t)vmap_get(&g->block_index, LLVMBasicBlockAsValue(bb));
  return i ? &g->blocks[i - 1] : NULL;
}

int cfg_is_return_block(LLVMBasicBlockRef bb) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
  return t && LLVMGetInstructionOpcode(t) == LLVMRet;
}

/* Which blocks can reach themselves (lie on a cycle): the blocks of
 * strongly connected components with more than one block, and blocks
 * branching to themselves (Tarjan's algorithm without recursion: linear,
 * where a search from each block was quadratic). Sets cyclic[b]. */
static void blocks_on_cycles(ct_gen *g, unsigned char *cyclic) {
  unsigned n = g->nblocks, counter = 0, sp = 0, cp = 0;
  unsigned *index = calloc(n, sizeof *index), *low = malloc(n * sizeof *low);
  unsigned *stack = malloc(n * sizeof *stack), *call = malloc(n * sizeof *call), *next = calloc(n, sizeof *next);
  unsigned char *on_stack = calloc(n, 1);
  for (unsigned root = 0; root < n; ++root) {
    if (index[root])
      continue;
    call[cp++] = root; /* the depth-first path */
    while (cp) {
      unsigned b = call[cp - 1];
      if (!index[b]) { /* first visit */
        index[b] = low[b] = ++counter;
        stack[sp++] = b;
        on_stack[b] = 1;
      }
      LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b].bb);
      if (t && next[b] < LLVMGetNumSuccessors(t)) {
        unsigned s = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, next[b]++)) - g->blocks);
        if (s == b)
          cyclic[b] = 1;
        if (!index[s])
          call[cp++] = s;
        else if (on_stack[s] && index[s] < low[b])
          low[b] = index[s];
        continue;
      }
      if (--cp && low[b] < low[call[cp - 1]])
        low[call[cp - 1]] = low[b];
      if (low[b] == index[b]) { /* b roots a component: pop it */
        unsigned first = sp;
        do
          on_stack[stack[--first]] = 0;
        while (stack[first] != b);
        if (sp - first > 1)
          for (unsigned k = first; k < sp; ++k)
            cyclic[stack[k]] = 1;
        sp = first;
      }
    }
  }
  free(index);
  free(low);
  free(stack);
  free(call);
  free(next);
  free(on_stack);
}

/* Dominance, as the iterative bit-set equations define it (dom(entry) =
 * {entry}; dom(b) = {b} and the intersection of its predecessors' sets, or
 * {b} without predecessors), in near-linear time: Cooper, Harvey and
 * Kennedy's algorithm over reverse postorder, from a virtual root (index
 * n) above the entry and every other block without predecessors. A block
 * the root does not reach (on a cycle of unreachable blocks) is dominated
 * by every block, as in the equations' greatest solution. */
typedef struct {
  unsigned *po;         /* postorder number from the root; UINT_MAX: not reached */
  unsigned *idom;       /* immediate dominator (the root's: itself) */
  unsigned *pre, *post; /* the dominator tree's depth-first intervals */
} ct_dominance;

/* b's predecessors in the graph with the root: the root alone for the
 * entry and blocks without predecessors. Returns how many (out[]). */
static unsigned preds_with_root(ct_gen *g, unsigned b, unsigned *out) {
  if (b == 0 || !g->blocks[b].npreds) {
    out[0] = g->nblocks;
    return 1;
  }
  for (unsigned k = 0; k < g->blocks[b].npreds; ++k)
    out[k] = (unsigned)(cfg_block_of(g, g->blocks[b].preds[k]) - g->blocks);
  return g->blocks[b].npreds;
}

/* The next successor of b (n: the root: the entry, then the blocks without
 * predecessors) after the *next-th; n + 1 when there is none. */
static unsigned next_successor(ct_gen *g, unsigned b, unsigned *next) {
  unsigned n = g->nblocks;
  if (b == n) {
    while (next[b] < n) {
      unsigned i = next[b]++;
      if (i == 0 || !g->blocks[i].npreds)
        return i;
    }
    return n + 1;
  }
  LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b].bb);
  if (!t || next[b] >= LLVMGetNumSuccessors(t))
    return n + 1;
  return (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, next[b]++)) - g->blocks);
}

/* Postorder numbers from the root (depth first, without recursion):
 * fills d->po, and order[] (the blocks by postorder number). Returns how
 * many the root reaches (itself included). */
static unsigned postorder(ct_gen *g, ct_dominance *d, unsigned *order) {
  unsigned n = g->nblocks, sp = 0, count = 0;
  unsigned *stack = malloc((n + 1) * sizeof *stack), *next = calloc(n + 1, sizeof *next);
  unsigned char *seen = calloc(n + 1, 1);
  stack[sp++] = n;
  seen[n] = 1;
  while (sp) {
    unsigned b = stack[sp - 1], s = next_successor(g, b, next);
    if (s > n) {
      order[count] = b;
      d->po[b] = count++;
      sp--;
    } else if (!seen[s]) {
      seen[s] = 1;
      stack[sp++] = s;
    }
  }
  free(stack);
  free(next);
  free(seen);
  return count;
}

static unsigned intersect(const ct_dominance *d, unsigned a, unsigned b) {
  while (a != b) {
    while (d->po[a] < d->po[b])
      a = d->idom[a];
    while (d->po[b] < d->po[a])
      b = d->idom[b];
  }
  return a;
}

static void dominance_compute(ct_gen *g, ct_dominance *d) {
  unsigned n = g->nblocks, maxp = 1;
  for (unsigned i = 0; i < n; ++i)
    maxp = g->blocks[i].npreds > maxp ? g->blocks[i].npreds : maxp;
  d->po = malloc((n + 1) * sizeof *d->po);
  d->idom = malloc((n + 1) * sizeof *d->idom);
  d->pre = calloc(n + 1, sizeof *d->pre);
  d->post = calloc(n + 1, sizeof *d->post);
  for (unsigned i = 0; i <= n; ++i)
    d->po[i] = d->idom[i] = UINT_MAX;
  unsigned *order = malloc((n + 1) * sizeof *order), *preds = malloc(maxp * sizeof *preds);
  unsigned reached = postorder(g, d, order);
  d->idom[n] = n;
  for (int changed = 1; changed;) {
    changed = 0;
    for (unsigned k = reached - 1; k-- > 0;) { /* reverse postorder, after the root */
      unsigned b = order[k], np = preds_with_root(g, b, preds), idom = UINT_MAX;
      for (unsigned j = 0; j < np; ++j)
        if (d->idom[preds[j]] != UINT_MAX) /* processed (and reached) */
          idom = idom == UINT_MAX ? preds[j] : intersect(d, preds[j], idom);
      if (idom != d->idom[b]) {
        d->idom[b] = idom;
        changed = 1;
      }
    }
  }
  /* the tree's intervals: children listed by parent (counting sort) */
  unsigned *first = calloc(n + 2, sizeof *first), *kids = malloc((n + 1) * sizeof *kids);
  for (unsigned i = 0; i < n; ++i)
    if (d->idom[i] != UINT_MAX)
      first[d->idom[i] + 1]++;
  for (unsigned i = 0; i <= n; ++i)
    first[i + 1] += first[i];
  unsigned *fill = malloc((n + 1) * sizeof *fill);
  memcpy(fill, first, (n + 1) * sizeof *fill);
  for (unsigned i = 0; i < n; ++i)
    if (d->idom[i] != UINT_MAX)
      kids[fill[d->idom[i]]++] = i;
  unsigned sp = 0, clock = 0;
  order[sp++] = n; /* reused as the stack; fill[] as each node's next child */
  memcpy(fill, first, (n + 1) * sizeof *fill);
  d->pre[n] = clock++;
  while (sp) {
    unsigned b = order[sp - 1];
    if (fill[b] < first[b + 1]) {
      unsigned c = kids[fill[b]++];
      d->pre[c] = clock++;
      order[sp++] = c;
    } else {
      d->post[b] = clock++;
      sp--;
    }
  }
  free(first);
  free(kids);
  free(fill);
  free(order);
  free(preds);
}

/* Does block a dominate block b (the equations' answer)? */
static int dominates(const ct_dominance *d, unsigned a, unsigned b) {
  if (d->po[b] == UINT_MAX)
    return 1;
  if (d->po[a] == UINT_MAX)
    return 0;
  return d->pre[a] <= d->pre[b] && d->post[b] <= d->post[a];
}

static void dominance_free(ct_dominance *d) {
  free(d->po);
  free(d->idom);
  free(d->pre);
  free(d->post);
}

/* The loops of each block and the loops leaving through each block, as
 * lists (loop indices, ascending) at first[b] .. first[b + 1] - 1: each
 * question about a block and its loops looks at that block's few loops,
 * not at every loop. */
struct ct_loop_index {
  unsigned *loops_first, *loops; /* the loops containing each block */
  unsigned *exits_first, *exits; /* the loops whose exit is each block */
};

/* Counts per block into first[1..n], turns them into list starts, and
 * returns the total. */
static unsigned list_starts(unsigned *first, unsigned n) {
  for (unsigned i = 0; i < n; ++i)
    first[i + 1] += first[i];
  return first[n];
}

static void index_loops(ct_gen *g) {
  unsigned n = g->nblocks, total = 0;
  struct ct_loop_index *x = calloc(1, sizeof *x);
  x->loops_first = calloc(n + 1, sizeof *x->loops_first);
  x->exits_first = calloc(n + 1, sizeof *x->exits_first);
  for (unsigned l = 0; l < g->nloops; ++l) {
    for (unsigned k = 0; k < g->loops[l].nblocks; ++k)
      x->loops_first[cfg_block_of(g, g->loop_blocks[g->loops[l].first_block + k]) - g->blocks + 1]++;
    if (g->loops[l].exit)
      x->exits_first[cfg_block_of(g, g->loops[l].exit) - g->blocks + 1]++;
  }
  total = list_starts(x->loops_first, n);
  x->loops = malloc((total ? total : 1) * sizeof *x->loops);
  x->exits = malloc((list_starts(x->exits_first, n) + 1) * sizeof *x->exits);
  unsigned *fill = malloc((n ? n : 1) * sizeof *fill), *fill_exits = malloc((n ? n : 1) * sizeof *fill_exits);
  memcpy(fill, x->loops_first, n * sizeof *fill);
  memcpy(fill_exits, x->exits_first, n * sizeof *fill_exits);
  for (unsigned l = 0; l < g->nloops; ++l) {
    for (unsigned k = 0; k < g->loops[l].nblocks; ++k)
      x->loops[fill[cfg_block_of(g, g->loop_blocks[g->loops[l].first_block + k]) - g->blocks]++] = l;
    if (g->loops[l].exit)
      x->exits[fill_exits[cfg_block_of(g, g->loops[l].exit) - g->blocks]++] = l;
  }
  free(fill);
  free(fill_exits);
  g->loop_index = x;
}

void cfg_analyse(ct_gen *g) {
  unsigned n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb))
    n++;
  g->nblocks = n;
  g->blocks = calloc(n, sizeof *g->blocks);
  unsigned i = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb), ++i) {
    g->blocks[i].bb = bb;
    vmap_set(&g->block_index, LLVMBasicBlockAsValue(bb), (LLVMValueRef)(uintptr_t)(i + 1));
  }
  /* unique predecessors, in the order of the blocks that branch there:
     counted (edges), then listed (each block once per successor) */
  unsigned *nedges = calloc(n ? n : 1, sizeof *nedges), *last_pred = malloc((n ? n : 1) * sizeof *last_pred);
  for (i = 0; i < n; ++i) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned s = 0; s < ns; ++s)
      nedges[cfg_block_of(g, LLVMGetSuccessor(t, s)) - g->blocks]++;
  }
  for (i = 0; i < n; ++i) {
    g->blocks[i].preds = malloc((nedges[i] ? nedges[i] : 1) * sizeof(LLVMBasicBlockRef));
    last_pred[i] = n; /* none */
  }
  for (i = 0; i < n; ++i) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned s = 0; s < ns; ++s) {
      ct_block *succ = cfg_block_of(g, LLVMGetSuccessor(t, s));
      if (last_pred[succ - g->blocks] != i) {
        last_pred[succ - g->blocks] = i;
        succ->preds[succ->npreds++] = g->blocks[i].bb;
      }
    }
  }
  free(nedges);
  free(last_pred);
  ct_dominance dom;
  dominance_compute(g, &dom);
  /* a block is in a cycle when one of its predecessors is reachable from it;
     approximated safely by: some predecessor is dominated by it, or it
     cannot be shown acyclic by a DFS back-edge search */
  unsigned char *on_stack = calloc(n, 1), *done = calloc(n, 1), *cyclic = calloc(n, 1);
  unsigned *stack = malloc(n * sizeof *stack), *next_succ = calloc(n, sizeof *next_succ);
  unsigned sp = 0;
  stack[sp++] = 0;
  on_stack[0] = 1;
  while (sp) {
    unsigned b = stack[sp - 1];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    if (next_succ[b] < ns) {
      unsigned s = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, next_succ[b]++)) - g->blocks);
      if (on_stack[s]) {
        /* back edge: every block on the stack from s upwards is in a cycle */
        for (unsigned k = sp; k-- > 0;) {
          cyclic[stack[k]] = 1;
          if (stack[k] == s)
            break;
        }
      } else if (!done[s]) {
        stack[sp++] = s;
        on_stack[s] = 1;
      }
    } else {
      on_stack[b] = 0;
      done[b] = 1;
      sp--;
    }
  }
  /* cycles found through already-finished blocks: propagate over preds */
  for (int changed = 1; changed;) {
    changed = 0;
    for (i = 0; i < n; ++i)
      for (unsigned k = 0; k < g->blocks[i].npreds && !cyclic[i]; ++k) {
        unsigned p = (unsigned)(cfg_block_of(g, g->blocks[i].preds[k]) - g->blocks);
        /* p -> i with i dominating p closes a natural loop */
        if (dominates(&dom, i, p)) {
          cyclic[i] = 1;
          changed = 1;
        }
      }
  }
  /* the blocks dominating every return: those dominating the returns'
     nearest common dominator (none when that is the root; every block when
     no return is reached) */
  unsigned common = UINT_MAX;
  for (unsigned r = 0; r < n; ++r)
    if (cfg_is_return_block(g->blocks[r].bb) && dom.po[r] != UINT_MAX)
      common = common == UINT_MAX ? r : intersect(&dom, r, common);
  for (i = 0; i < n; ++i)
    g->blocks[i].stable = (common == UINT_MAX || dominates(&dom, i, common)) && !cyclic[i] && !g->spec->split;
  if (!g->spec->split) {
    memset(done, 0, n);
    blocks_on_cycles(g, done);
    for (i = 0; i < n; ++i)
      g->blocks[i].once = !done[i];
  }
  dominance_free(&dom);
  index_loops(g);
  free(on_stack);
  free(done);
  free(cyclic);
  free(stack);
  free(next_succ);
}

void cfg_free(ct_gen *g) {
  if (!g->loop_index)
    return;
  free(g->loop_index->loops_first);
  free(g->loop_index->loops);
  free(g->loop_index->exits_first);
  free(g->loop_index->exits);
  free(g->loop_index);
  g->loop_index = NULL;
}

unsigned cfg_block_loops(ct_gen *g, LLVMBasicBlockRef bb, const unsigned **loops) {
  unsigned b = (unsigned)(cfg_block_of(g, bb) - g->blocks);
  *loops = g->loop_index->loops + g->loop_index->loops_first[b];
  return g->loop_index->loops_first[b + 1] - g->loop_index->loops_first[b];
}

unsigned cfg_exit_loops(ct_gen *g, LLVMBasicBlockRef bb, const unsigned **loops) {
  unsigned b = (unsigned)(cfg_block_of(g, bb) - g->blocks);
  *loops = g->loop_index->exits + g->loop_index->exits_first[b];
  return g->loop_index->exits_first[b + 1] - g->loop_index->exits_first[b];
}

int cfg_loop_contains(ct_gen *g, const ct_bridge_loop *l, LLVMBasicBlockRef bb) {
  const unsigned *loops;
  unsigned n = cfg_block_loops(g, bb, &loops);
  for (unsigned k = 0; k < n; ++k)
    if (loops[k] == (unsigned)(l - g->loops))
      return 1;
  return 0;
}
