/* remat.h: what iteration-level rematerialisation's two halves share, the
 * planner's (remat.c: which loops, what their recomputation copies) and the
 * reverse pass's (remat_emit.c: the copy itself, the remarks). */
#ifndef COTANGENT_PASS_REMAT_H
#define COTANGENT_PASS_REMAT_H

#include "gen.h"

/* one chosen loop */
typedef struct {
  unsigned loop;
  ct_block *latch;
  LLVMValueRef *objects; /* O */
  unsigned nobjects;
  ct_vmap slice;    /* instructions the recomputation copies */
  ct_vmap restored; /* loads restored for the iteration's reverse */
  LLVMValueRef *live_ins;
  unsigned nlive_ins;
  int used; /* some reverse block reads a restored load (remat_remark) */
} remat_loop;

struct ct_remat {
  remat_loop *chosen;
  unsigned nchosen;
  int *innermost; /* per block index: its innermost loop, or -1 */
  int *parent;    /* per loop: the innermost loop around it, or -1 */
  LLVMBasicBlockRef *latches; /* per loop: its single latch, or NULL */
};

/* The index of block bb among g->blocks. */
unsigned remat_block_index(ct_gen *g, LLVMBasicBlockRef bb);
/* Is the block of index bi in loop l (of g->loops)? */
int remat_in_loop(ct_gen *g, int l, unsigned bi);

#endif
