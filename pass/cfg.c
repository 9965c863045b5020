/* Control-flow facts about the prepared primal that the generator needs:
 * unique predecessors of each block, dominance (iterative bit sets) and
 * cycles. A block is "stable" when it runs at most once and dominates every
 * return: its values can be used by the reverse part directly, without the
 * tape. In split mode nothing is stable (the reverse is another function). */
#include "gen.h"

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

/* Can block i reach itself? (A depth-first search from its successors;
 * exact, unlike the cycle approximation below that only "stable" uses.) */
static int reaches_itself(ct_gen *g, unsigned i, unsigned char *seen, unsigned *stack) {
  unsigned n = g->nblocks, sp = 0;
  memset(seen, 0, n);
  stack[sp++] = i;
  while (sp) {
    unsigned b = stack[--sp];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned k = 0; k < ns; ++k) {
      unsigned s = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, k)) - g->blocks);
      if (s == i)
        return 1;
      if (!seen[s]) {
        seen[s] = 1;
        stack[sp++] = s;
      }
    }
  }
  return 0;
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
    g->blocks[i].preds = calloc(n, sizeof(LLVMBasicBlockRef));
    vmap_set(&g->block_index, LLVMBasicBlockAsValue(bb), (LLVMValueRef)(uintptr_t)(i + 1));
  }
  for (i = 0; i < n; ++i) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned s = 0; s < ns; ++s) {
      ct_block *succ = cfg_block_of(g, LLVMGetSuccessor(t, s));
      int seen = 0;
      for (unsigned k = 0; k < succ->npreds; ++k)
        seen |= succ->preds[k] == g->blocks[i].bb;
      if (!seen)
        succ->preds[succ->npreds++] = g->blocks[i].bb;
    }
  }
  /* dom[b] = set of blocks dominating b */
  size_t words = (n + 63) / 64;
  uint64_t *dom = malloc(n * words * sizeof *dom);
  uint64_t *tmp = malloc(words * sizeof *tmp);
  for (i = 0; i < n; ++i)
    memset(dom + i * words, i == 0 ? 0 : 0xff, words * sizeof *dom);
  dom[0] = 1;
  for (int changed = 1; changed;) {
    changed = 0;
    for (i = 1; i < n; ++i) {
      memset(tmp, 0xff, words * sizeof *tmp);
      for (unsigned k = 0; k < g->blocks[i].npreds; ++k) {
        unsigned p = (unsigned)(cfg_block_of(g, g->blocks[i].preds[k]) - g->blocks);
        for (size_t w = 0; w < words; ++w)
          tmp[w] &= dom[p * words + w];
      }
      if (!g->blocks[i].npreds)
        memset(tmp, 0, words * sizeof *tmp);
      tmp[i / 64] |= 1ULL << (i % 64);
      if (memcmp(tmp, dom + i * words, words * sizeof *tmp)) {
        memcpy(dom + i * words, tmp, words * sizeof *tmp);
        changed = 1;
      }
    }
  }
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
        if (dom[p * words + i / 64] >> (i % 64) & 1) {
          cyclic[i] = 1;
          changed = 1;
        }
      }
  }
  for (i = 0; i < n; ++i) {
    int dominates_returns = 1;
    for (unsigned r = 0; r < n; ++r)
      if (cfg_is_return_block(g->blocks[r].bb) && !(dom[r * words + i / 64] >> (i % 64) & 1))
        dominates_returns = 0;
    g->blocks[i].stable = dominates_returns && !cyclic[i] && !g->spec->split;
  }
  for (i = 0; i < n && !g->spec->split; ++i)
    g->blocks[i].once = !reaches_itself(g, i, done, stack);
  free(dom);
  free(tmp);
  free(on_stack);
  free(done);
  free(cyclic);
  free(stack);
  free(next_succ);
}

int cfg_loop_contains(ct_gen *g, const ct_bridge_loop *l, LLVMBasicBlockRef bb) {
  for (unsigned k = 0; k < l->nblocks; ++k)
    if (g->loop_blocks[l->first_block + k] == bb)
      return 1;
  return 0;
}
