/* The shared shapes of loop checkpointing: checkpoint_loop_shape.c finds
 * and checks a marked loop (its blocks, trip count and state), and
 * checkpoint_loop.c rewrites it into the binomial schedule. */
#ifndef COTANGENT_PASS_CHECKPOINT_LOOP_H
#define COTANGENT_PASS_CHECKPOINT_LOOP_H

#include "core.h"

/* a small set (loops are small: linear search) */
typedef struct {
  LLVMValueRef *v;
  unsigned n, cap;
} cloop_list;
void cloop_push(cloop_list *l, LLVMValueRef v);
int cloop_has(const cloop_list *l, LLVMValueRef v);
void cloop_free(cloop_list *l);
/* Blocks reachable from `from` (forward) or reaching it (backward), not
 * going on from `stop`, added to `set`. */
void cloop_walk(LLVMBasicBlockRef from, int backward, LLVMBasicBlockRef stop, cloop_list *set);
/* inst is an instruction of one of `blocks`. */
int cloop_in(const cloop_list *blocks, LLVMValueRef inst);

#define CLOOP_BLOCK(b) LLVMBasicBlockAsValue(b)

/* A marked loop, as found and checked. */
typedef struct {
  LLVMValueRef fn, mark, snapshots;
  LLVMBasicBlockRef pre, header, body_entry, exit;
  cloop_list loop;   /* header and body */
  cloop_list region; /* the body: every loop block but the header */
  LLVMValueRef cmp;
  LLVMIntPredicate pred; /* the loop continues while `counter pred bound` */
  LLVMValueRef counter, bound, counter_slot;
  int step; /* +1 or -1 */
  int is_while; /* the trip count is not known when it starts: the region is the whole loop */
  cloop_list sink;    /* allocas written before read in every iteration: locals of the body */
  cloop_list preload; /* allocas of pointers the loop reads and never writes */
  const char *why;
  LLVMValueRef why_at;
} cloop_shape;
/* Records why the loop cannot be checkpointed, and where; returns 0. */
int cloop_fail(cloop_shape *s, LLVMValueRef at, const char *why);
/* The loop after s->mark: its header, preheader and blocks; 0 (s->why)
 * when there is none, or it is entered from elsewhere. */
int cloop_find(cloop_shape *s);
/* A counted loop's shape: the header only tests an integer comparison,
 * the body (s->region) and the exit its two sides; 0 (s->why) otherwise. */
int cloop_check_condition(cloop_shape *s);
/* Any other loop (a while loop, a break): the whole loop is one
 * iteration's region (s->region, the header first), left for a single
 * block (s->exit) that takes no value from it; 0 (s->why) otherwise. */
int cloop_find_while(cloop_shape *s);
/* The body leaves and is entered only through the header, which only
 * decides (a while loop's region: leaves only for s->exit, entered only at
 * the header); no global variables; 0 (s->why) otherwise. */
int cloop_check_body(cloop_shape *s);
/* The trip count is known when the loop starts (a counter and a bound). */
int cloop_check_counted(cloop_shape *s);
/* Builds the trip count (i64) with b, at the end of the preheader. */
LLVMValueRef cloop_trip_count(cloop_shape *s, LLVMBuilderRef b, LLVMTypeRef i64);
/* Fills s->sink (the body's own locals) and s->preload (pointers the loop
 * reads from locals it never writes). */
void cloop_find_state(cloop_shape *s);
/* Every pointer the body gets from outside has a size the snapshots can
 * keep, and no pointer comes from memory the loop changes. */
int cloop_check_inputs(cloop_shape *s);
/* The bytes pointer p (an input of the body, loaded from the local `slot`
 * or NULL) points to: a constant (*bytes), or malloc'd (*heap, asked at
 * run time); -1 when unknown. */
int cloop_pointer_bytes(cloop_shape *s, LLVMValueRef p, LLVMValueRef slot, unsigned long long *bytes, int *heap);
/* The body has a loop of its own. */
int cloop_has_inner_loop(cloop_shape *s);

#endif
