/* Internal interface of the reverse-mode generator: the state of one
 * gradient (ct_gen) and the files that build it, declared in the order data
 * flows through them. See gradient.c (the driver) for the overall design. */
#ifndef COTANGENT_PASS_GEN_H
#define COTANGENT_PASS_GEN_H

#include "core.h"
#include "rules.h"

/* NEED_REMAT (a value) and NEED_REMAT_SHADOW (the shadow of a GEP):
 * recomputed at the start of the reverse block from needs listed before
 * them, never on the tape. */
/* NEED_HOISTED: a value invariant in the loops around the block, taped once
 * per loop run at the loop's exit and read from a slot; NEED_HOISTED_SHADOW
 * the same for a pointer's shadow. */
/* NEED_IV_EXIT (at a loop's exit): a counted induction variable's last
 * value, start + step * (trips - 1), from needs listed before it. */
/* NEED_ITERATION (at a loop's latch; value: the loop's header as a value):
 * the iteration's writes to scratch memory recomputed here (remat.c), from
 * needs listed before it; loads listed after it may read that memory. */
typedef enum {
  NEED_VALUE,
  NEED_SHADOW,
  NEED_CALL_TAPE,
  NEED_REMAT,
  NEED_REMAT_SHADOW,
  NEED_HOISTED,
  NEED_IV_EXIT,
  NEED_ITERATION,
  NEED_HOISTED_SHADOW
} ct_need_kind;

/* Does b's record say which predecessor came before b? */
#define BLOCK_RECORDS_PRED(b) ((b)->npreds > 1 && !(b)->iv && !(b)->guard && !(b)->fused)

static inline int need_on_tape(ct_need_kind k) { return k == NEED_VALUE || k == NEED_SHADOW || k == NEED_CALL_TAPE; }

/* A primal value (of the prepared function) a reverse block takes from the
 * tape: the value itself, its shadow pointer, or the tape returned by the
 * augmented forward of a differentiated call. */
typedef struct {
  LLVMValueRef value;
  ct_need_kind kind;
} ct_need;

typedef struct {
  LLVMBasicBlockRef bb;       /* primal block */
  LLVMBasicBlockRef fwd, rev; /* its forward copy and reverse block */
  LLVMBasicBlockRef *preds;   /* unique predecessors */
  unsigned npreds;
  int stable;     /* runs at most once and dominates every return */
  /* runs at most once (in no cycle) and the reverse is in the same
   * function: its record lives in a stack slot, not on the tape */
  int once;
  LLVMValueRef rec_slot;
  ct_need *needs; /* values its reverse takes from the tape */
  unsigned nneeds;
  ct_vmap *need_kinds; /* plan.c: value -> bit (1 << kind) of each kind it has in needs */
  /* A loop header whose induction variable tells which predecessor came
   * before: iv equals start only when entered from preds[start_pred]. Then
   * no predecessor index goes on the tape. */
  LLVMValueRef iv, iv_start;
  unsigned iv_start_pred;
  /* Else, a condition that tells it (plan.c, find_guard): when it
   * holds, b was entered from preds[guard_true_pred]. */
  LLVMValueRef guard;
  unsigned guard_true_pred;
  /* Loop-indexed records (batch.c): a block of a loop whose trip count is
   * known at its preheader keeps its records in one array per loop run,
   * pushed at the preheader and indexed by the loop's iteration counter,
   * instead of one push per execution. batch: index + 1 of that loop. */
  int batch;
  LLVMValueRef batch_fwd;  /* forward: the array of this loop run */
  LLVMValueRef batch_slot; /* reverse: alloca holding it (set at the loop's exit) */
  int fused; /* fused.c: a loop whose reverse runs in its forward iterations */
} ct_block;

/* The one call back up, the algorithm's own recursion: planning a
 * differentiated call (or an OpenMP region) needs the callee's split
 * gradient, which the driver (gradient.c) builds with this whole pipeline,
 * or declares (a differentiable function of another file: contract.c).
 * Every ct_gen carries the driver's; returns 0 after reporting an error. */
typedef int (*ct_callee_gradient)(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out);

typedef struct ct_gen {
  ct_module *m;
  const ct_spec *spec;
  ct_callee_gradient callee_gradient;
  LLVMValueRef user_fn; /* for diagnostics */
  LLVMValueRef pc;      /* prepared primal */
  LLVMValueRef g;       /* function holding the forward part */
  LLVMValueRef rg;      /* function holding the reverse part (g unless split) */
  LLVMBuilderRef ab;    /* adjoint slots: entry of the reverse function */
  LLVMBuilderRef sb;    /* shadow allocations and tape: entry of the forward */
  ct_block *blocks;
  unsigned nblocks;
  /* the value maps, together from block_index to kept (gradient.c
   * initializes and frees them from one list, checked complete) */
  ct_vmap block_index; /* primal block (as value) -> index + 1 */
  ct_vmap fwd;         /* primal value -> forward value */
  ct_vmap shadow;      /* primal pointer -> forward shadow pointer */
  ct_vmap rev_args;    /* primal argument -> the reverse function's copy */
  ct_vmap rev_arg_shadows;
  ct_vmap active;
  ct_vmap slot;      /* primal value -> adjoint alloca */
  ct_vmap call_aug;  /* primal call -> callee's augmented forward */
  ct_vmap call_rev;  /* primal call -> callee's reverse */
  ct_vmap call_tape; /* primal call -> tape its augmented forward returned */
  ct_vmap global_shadows; /* global variable -> its per-call zeroed shadow */
  ct_vmap hoisted;        /* primal value taped at a loop exit -> its slot (or itself until made) */
  ct_vmap hoisted_shadows; /* the same for shadows: primal pointer -> its shadow's slot */
  ct_vmap deferred_free;  /* malloc whose memory the reverse pass reads: freed by its reverse, not by free() */
  ct_vmap unchanged_loads; /* load -> 2 if nothing writes its memory after it, 1 if something may (memo) */
  ct_vmap undone_stores;   /* stores whose old value the reverse puts back (memory.c) -> themselves */
  ct_vmap undo_old;        /* such a store -> the old value its forward copy loaded first (forward.c) */
  ct_vmap iv_headers;     /* induction variable phi -> its header block (index + 1) */
  ct_vmap iv_steps;       /* induction variable phi -> its increment (add/sub phi, C) */
  ct_vmap iv_starts;      /* induction variable phi -> its start (the value from outside the loop) */
  ct_vmap iv_counted;     /* induction variables counted down in the reverse pass */
  ct_vmap self_shadowed;  /* pointers whose shadow may be the primal pointer (stored_pointers.c) */
  ct_vmap string_replays; /* std::string calls made again on the shadow string (integer_mirror.c) */
  ct_vmap popped[3]; /* per reverse block and need kind: primal -> popped */
  ct_vmap zeroed;    /* adjoint.c: values whose slot holds zero at the reverse builder's place */
  ct_vmap kept;      /* custom call -> i64 mask of array arguments copied to the tape */
  unsigned nkept;
  LLVMValueRef *heap_shadows; /* split mode: shadow allocas live on the heap */
  unsigned long long *heap_shadow_bytes;
  unsigned nheap_shadows;
  LLVMValueRef keep; /* i1: the reverse may run again (pullbacks); false unless split */
  LLVMValueRef slots; /* the forward's slot of its shadow_slots.c table, or NULL */
  ct_bridge_loop *loops; /* every loop, outer first (so a block's innermost listed loop is its innermost) */
  unsigned nloops;
  LLVMBasicBlockRef *loop_blocks;
  LLVMValueRef *loop_counters; /* per loop: iteration counter phi of the prepared primal, or NULL */
  int shares_tape;       /* some differentiated call pushes onto this gradient's tape (plan.c) */
  LLVMValueRef tape;     /* in the forward function */
  LLVMValueRef rev_tape; /* in the reverse function */
  LLVMTypeRef ptr_ty, i64_ty, i32_ty;
  /* Many threads run this gradient at once (GPU kernels, OpenMP): adjoints
   * are added into shadow memory that is not a thread-private alloca with
   * atomic read-modify-writes. */
  int atomic_shadow_adds;
  /* remat.c: the loops whose iterations the reverse pass recomputes */
  struct ct_remat *remat;
  struct ct_fused *fused; /* fused.c: loops whose reverse runs in their forward iterations */
  LLVMValueRef seed;      /* the seed parameter (combined: of the forward's function too), or NULL */
  int undone_found; /* undone_stores is filled */
  /* scopes.c: per kind of memory, its alias.scope and noalias lists */
  LLVMValueRef scope_lists[5][2];
  struct ct_memory_facts *memory_facts; /* memory.c's, made on first use; memory_free frees them */
  struct ct_loop_index *loop_index;     /* cfg.c's loops of each block; cfg_free frees it */
  /* Forward (tangent) mode (tangent.h): the tangent generator this one
   * serves, or NULL (a gradient). Its shadows are built as a gradient's
   * forward part builds them; a realloc's shadow keeps the old shadow's
   * contents; a differentiated call returning a pointer gets its shadow
   * from tangent_call_shadow (returning a ct_shadow_step), which calls the
   * callee's tangent function, instead of from an augmented forward. */
  struct ct_tgen *tangent;
  int (*tangent_call_shadow)(struct ct_gen *g, LLVMValueRef call, LLVMValueRef *s);
  /* Vector forward mode (spec->width): every shadow comes from this hook
   * (tangent_vector_shadow, a ct_shadow_step): <width x ptr>, one per
   * direction; `inst` may be a phi's incoming pointer into a global (copy
   * NULL). */
  int (*vector_shadow)(struct ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s);
  int failed;
} ct_gen;

/* What the reverse of a primal instruction is (classify.c). */
typedef enum {
  REV_NONE, REV_RULE, REV_LOAD, REV_STORE, REV_PASS, REV_PHI, REV_MEMSET, REV_MEMCPY, REV_LANES,
  REV_ALLOC, REV_CALL, REV_CUSTOM, REV_MASKED_LOAD, REV_MASKED_STORE, REV_OMP_FORK, REV_OMP_SYNC,
  REV_ATOMIC_ADD, REV_UNSUPPORTED
} ct_rev_kind;

/* For unit tests (test/unit/test_plan.c), gradient.c: a generator for spec
 * over pc (already in prepared form), with the analyses of build_gradient
 * done (loops, cfg_analyse, activity_analyze) and no function created, so
 * that plan_tape may run on it; gradient_release frees it. */
void gradient_analyse_only(ct_gen *g, ct_module *m, const ct_spec *spec, LLVMValueRef pc);
void gradient_release(ct_gen *g);

/* The files below, in the order a gradient's data flows through them (the
 * driver, gradient.c, calls them in this order; core.h declares it). */

/* cfg.c: predecessors, dominance and cycles of the prepared primal */
/* Fills g->blocks (predecessors, stable, once) and g->block_index. */
void cfg_analyse(ct_gen *g);
/* The block record of a primal block, or NULL. */
ct_block *cfg_block_of(ct_gen *g, LLVMBasicBlockRef bb);
/* bb ends in a return. */
int cfg_is_return_block(LLVMBasicBlockRef bb);
/* Loop l contains bb. */
int cfg_loop_contains(ct_gen *g, const ct_bridge_loop *l, LLVMBasicBlockRef bb);
/* The loops containing bb (indices into g->loops, ascending: outer loops
 * first) at *loops; returns how many. */
unsigned cfg_block_loops(ct_gen *g, LLVMBasicBlockRef bb, const unsigned **loops);
/* The loops whose exit is bb, likewise. */
unsigned cfg_exit_loops(ct_gen *g, LLVMBasicBlockRef bb, const unsigned **loops);
/* Frees what cfg_analyse found besides g->blocks (with the generator). */
void cfg_free(ct_gen *g);

/* classify.c: what the reverse of each instruction is */
ct_rev_kind classify(ct_gen *g, LLVMValueRef inst);
/* The rule table's row for inst (a call by its callee's name), or NULL. */
const ct_rule *classify_rule(LLVMValueRef inst);
/* The operands of an instruction with a rule: the arguments making up
 * each (first[k], nargs[k]: rules_operand_args), whether it is active (an
 * argument has an adjoint) and which primal values the expressions of the
 * active operands use (uses[k]: operand k; uses[RULE_MAX_OPERANDS]: the
 * result). */
typedef struct {
  unsigned first[RULE_MAX_OPERANDS], nargs[RULE_MAX_OPERANDS];
  int active[RULE_MAX_OPERANDS], uses[RULE_MAX_OPERANDS + 1];
} ct_rule_operands;
/* Fills *out for inst and its row; returns 0 when an operand cannot be
 * read (a complex number passed in memory). */
int classify_rule_operands(ct_gen *g, LLVMValueRef inst, const ct_rule *rule, ct_rule_operands *out);
/* Calls known to neither carry derivatives nor write differentiable memory. */
int classify_is_inactive_call(LLVMValueRef call);
/* The activity a differentiated call's callee is differentiated for (its
 * canonical one for a function of another file). Returns 0 after an
 * error. */
int classify_call_spec(ct_gen *g, LLVMValueRef call, ct_spec *spec);
/* Reports an instruction classified REV_UNSUPPORTED, by what it is. */
void classify_report_unsupported(ct_gen *g, LLVMValueRef inst);
/* Reports the first unsupported atomic operation on differentiable data (a
 * write before a load: the same place at every -O level). */
void classify_reject_atomics(ct_gen *g);
/* Warns where a differentiable value is converted to an integer and back. */
void classify_warn_lossy_conversions(ct_gen *g);

/* indirect_calls.c, forward: before each kept indirect call whose
 * derivative the gradient needs, a stop naming the call and the function
 * (no target equalled the pointer: its derivative is unknown). */
void indirect_guard_fallbacks(ct_gen *g);

/* memory.c: memory effects */
/* Does the load read, in the reverse pass, the value it read in the forward
 * pass (nothing may write its object after it)? Remembered per load; a
 * malloc read so is freed by its reverse (g->deferred_free). */
int memory_reads_unchanged(ct_gen *g, LLVMValueRef load);
/* Frees what memory.c found about the function (with the generator). */
void memory_free(ct_gen *g);
/* Is `base` memory of the function's own that its reverse pass may write
 * and read back (remat.c): an alloca of the entry block, or a malloc
 * outside loops whose free can be deferred, that stays private, in a
 * gradient that is neither split nor run by several threads? */
int memory_private_scratch(ct_gen *g, LLVMValueRef base);
/* Does the reverse pass put back the value the store overwrote (an output
 * written last; see memory.c)? The forward loads it first (forward.c), the
 * reverse starts by storing it back and ends by storing the new value
 * again (gradient.c). NULL: just makes sure the stores are decided. */
int memory_store_undone(ct_gen *g, LLVMValueRef inst);

/* integer_mirror.c: after the forward copy of inst (a store, memcpy or
 * memmove of integer data into memory with a shadow), the same integers
 * written into the shadow, so a shadow container keeps the primal's keys,
 * counts and lengths. */
void integer_mirror_stores(ct_gen *g, LLVMValueRef inst);

/* stored_pointers.c: a pointer without a shadow stored into shadowed
 * memory is its own shadow there; pointers loaded back from there (and
 * derived from those) may have the primal pointer as shadow */
/* Before planning: finds those pointers; reports their uses that need a
 * real shadow. */
void stored_pointers_plan(ct_gen *g);
/* ptr's shadow may be ptr itself. */
int stored_pointers_maybe_self(ct_gen *g, LLVMValueRef ptr);
/* Reverse: sp (the shadow of ptr, for a `ty` access), or a discarded slot
 * when sp is ptr itself; *self is that condition (NULL when ptr's shadow
 * is never itself). Needs ptr's value in the reverse. */
LLVMValueRef stored_pointers_guard(ct_gen *g, LLVMValueRef ptr, LLVMValueRef sp, LLVMTypeRef ty, LLVMValueRef *self);
/* A memcpy into shadowed memory holding pointers (struct assignment):
 * whether it does; whether it may (else reported: returns 0); and, in the
 * forward pass, the copy of the shadows after the primal copy. */
int stored_pointers_copies_pointers(ct_gen *g, LLVMValueRef copy);
/* Does a memset clear memory holding pointers (a hash table's bucket
 * array), with no float or double access of the function in its range?
 * Its reverse clears nothing; the forward clears the shadow too
 * (integer_mirror.c). */
int stored_pointers_memset_of_pointers(ct_gen *g, LLVMValueRef inst);
int stored_pointers_check_copy(ct_gen *g, LLVMValueRef copy);
void stored_pointers_copy_shadows(ct_gen *g, LLVMValueRef copy);
/* A malloc stored into the caller's memory that has a shadow, or returned:
 * its shadow is the caller's. */
int stored_pointers_escapes(ct_gen *g, LLVMValueRef alloc);
/* May memory a differentiated callee allocates reach the caller of this
 * gradient (through the call's result or its pointer arguments)? */
int stored_pointers_call_reaches_caller(ct_gen *g, LLVMValueRef call);

/* shadow_slots.c: pointers with a shadow stored into memory without one (a
 * constant model struct's workspace fields, a global) keep their shadows in
 * a table by address, for the forward pass */
/* Forward, at m->b after the load's copy: *s, the shadow of the pointer
 * `load` reads from memory without a shadow, from the table. Returns 0
 * after reporting a load that no store of the function may have written. */
int shadow_slots_lookup(ct_gen *g, LLVMValueRef load, LLVMValueRef *s);
/* Forward: after a store of a pointer with a shadow into memory without
 * one, the shadow goes into the table (when a load may read it back). */
void shadow_slots_store(ct_gen *g, LLVMValueRef store);
/* At the start of the turn (the forward pass is over): frees the table. */
void shadow_slots_finish(ct_gen *g, LLVMBasicBlockRef turn);

/* custom_memory.c: the arrays a custom derivative's pullback reads and the
 * function overwrites after the call are copied to the tape right after
 * it (when their size is known; else a compile error). */
/* Planning: decides which arrays of the call to keep, or reports. */
void custom_check_memory(ct_gen *g, LLVMValueRef call);
/* The bytes of array argument k of a kept call, its sizes taken through
 * `value` (the call's operands as values where the code is built). */
LLVMValueRef custom_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef));
/* Forward: pushes the kept arrays right after their calls. */
void custom_build_kept(ct_gen *g);

/* remat.c: iteration-level rematerialisation (planned by plan.c) */
/* What having v in block b's reverse costs, in taped values (plan.c). */
typedef int (*ct_remat_cost)(ct_gen *g, ct_block *b, LLVMValueRef v);
/* Chooses the loops whose iterations the reverse recomputes, and what
 * they recompute; returns how many. Before the blocks' needs are planned. */
unsigned remat_choose(ct_gen *g, ct_remat_cost live_in_cost);
/* Chosen loop k: its latch, the values its recomputation takes (planned as
 * the latch's needs before the marker), and the marker (NEED_ITERATION). */
ct_block *remat_latch(ct_gen *g, unsigned k);
unsigned remat_live_ins(ct_gen *g, unsigned k, LLVMValueRef **out);
LLVMValueRef remat_marker(ct_gen *g, unsigned k);
/* Does b's reverse find in memory again what `load` read (a load of a
 * chosen loop's scratch memory, b in that loop)? */
int remat_restores(ct_gen *g, ct_block *b, LLVMValueRef load);
/* Remarks (-Rpass=cotangent): each chosen loop and the values it spares
 * the tape. After planning. */
void remat_remark(ct_gen *g);
/* Reverse, at m->b: the recomputation of the iteration `marker` names. */
void remat_emit(ct_gen *g, LLVMValueRef marker);
void remat_free(ct_gen *g);

/* fused.c: reductions whose reverse runs inside their forward iterations
 * (a one-block loop of additive accumulators whose exit adjoint is known
 * before it runs; see the file) */
/* Chooses those loops (b->fused), with a remark for each. Before the
 * blocks' needs are planned (fused blocks need nothing). */
void fused_choose(ct_gen *g);
/* Forward, after forward_build: in each fused block's forward copy, after
 * its instructions, their reverse (through reverse_instructions, reverse.c)
 * with the accumulators' adjoints known. */
void fused_emit_forward(ct_gen *g, void (*reverse_instructions)(ct_gen *, LLVMBasicBlockRef));
/* Reverse: b's reverse block when b is fused (the accumulators' adjoints
 * passed to their starts, then the preheader's); returns 0 otherwise. */
int fused_reverse_block(ct_gen *g, ct_block *b);
/* Reverse of the Enzyme form's store whose seed a fused loop read at
 * entry (subtracted from the shadow, given to the stored value); 0 for
 * any other store. */
int fused_reverse_store(ct_gen *g, LLVMValueRef store);
/* Reverse of a load in a fused block's forward, with adjoint d: NULL when
 * its addition waits for the next iteration (the value it loaded is loaded
 * again there: the two additions go into the shadow as one), else what to
 * add into the shadow (d, and for that next load what waited). */
LLVMValueRef fused_load_adjoint(ct_gen *g, LLVMValueRef load, LLVMValueRef d);
void fused_free(ct_gen *g);

/* fused_carry.c: in a fused loop, loads that read one element in several
 * iterations (through header phis of pointers: x[i + 1], x[i], x[i - 1]);
 * the adjoints of all but the last read wait in phis (see the file). */
typedef struct ct_fused_carry ct_fused_carry;
/* The chains of pointers of one-block fused loop bb, or NULL when no
 * element is read in two iterations. Freed by fused_carry_free. */
ct_fused_carry *fused_carry_find(ct_gen *g, LLVMBasicBlockRef bb);
/* How many iterations after the first the deepest chain reads an element. */
unsigned fused_carry_depth(const ct_fused_carry *c);
/* Before the reverse of the loop's instructions in its forward copy fwd:
 * the phis of what earlier iterations left (c may be NULL). */
void fused_carry_begin(ct_gen *g, ct_fused_carry *c, LLVMBasicBlockRef fwd);
/* Reverse of a load with adjoint d, between begin and end: NULL when its
 * addition waits for a later iteration, else what to add into its shadow
 * (d, plus what waited for the element). */
LLVMValueRef fused_carry_load(ct_gen *g, ct_fused_carry *c, LLVMValueRef load, LLVMValueRef d);
/* After them, at m->b in the latch: the phis' values, and what waits after
 * the last iteration added at the start of exit_fwd (the forward copy of
 * the loop's exit block); m->b is left there. */
void fused_carry_end(ct_gen *g, ct_fused_carry *c, LLVMBasicBlockRef fwd, LLVMBasicBlockRef exit_fwd);
void fused_carry_free(ct_fused_carry *c);

/* plan.c: tape planning */
/* Decides what each reverse block needs and how it gets it (b->needs, the
 * induction variables and guards telling predecessors, batched records). */
void plan_tape(ct_gen *g);
/* Does the reverse of `copy` (a memcpy/memmove of that layout) only clear
 * its destination's adjoints: constant data (a source without a shadow)
 * of no deducible layout, into memory holding no pointers (a key's chars
 * copied into a std::string inside a map node that also holds a double)?
 * The copied bytes carry no derivative, whatever they are. */
int plan_copy_clears_only(ct_gen *g, LLVMValueRef copy, const ct_layout *layout);

/* tape.c: the runtime tape as generated code uses it */
#define TAPE_MAX_EXIT_ARRAYS 64
/* A call of __ct_tape_push or __ct_tape_pop (`fn`) for `bytes` bytes (an
 * i64 value) aligned to `align`; returns the block's address. */
LLVMValueRef tape_call(ct_gen *g, const char *fn, LLVMValueRef tape, LLVMValueRef bytes, unsigned long long align);
/* a * b for i64 byte counts, saturating at UINT64_MAX: a tape request that
 * large fails with the runtime's out-of-memory message instead of wrapping
 * to a small size. Built at m->b. */
LLVMValueRef tape_bytes_mul(ct_gen *g, LLVMValueRef a, LLVMValueRef b);
/* Pushes v (forward, g->tape) / pops a `ty` (reverse, g->rev_tape) at m->b. */
void tape_push(ct_gen *g, LLVMValueRef v);
LLVMValueRef tape_pop(ct_gen *g, LLVMTypeRef ty);
/* The record a block execution leaves on the tape (which predecessor came
 * before, the values its reverse needs, a loop exit's record arrays); NULL
 * when the block needs nothing. */
LLVMTypeRef tape_record_type(ct_gen *g, ct_block *b);
/* The batched blocks whose arrays' pointers travel in b's record (b is
 * their loop's exit): up to max, returns how many. */
unsigned tape_exit_arrays(ct_gen *g, ct_block *b, ct_block **out, unsigned max);

/* batch.c: loop-indexed records */
/* Adds an iteration counter (0, 1, ...) to the header of every loop that can
 * hold its blocks' records in an array (trip count, preheader, one latch,
 * dedicated exit); fills g->loop_counters. Before planning. */
void batch_add_counters(ct_gen *g);
/* Index of the innermost loop containing bb, or -1. */
int batch_innermost_loop(ct_gen *g, LLVMBasicBlockRef bb);
/* Forward: pushes each batched block's array at its loop's preheader
 * (before the preheader's own record, which its reverse pops first). */
void batch_build_pushes(ct_gen *g);
/* Forward: stores rec into b's array at the current iteration. */
void batch_store_record(ct_gen *g, ct_block *b, LLVMValueRef rec);
/* Reverse: loads b's record of the current iteration. */
LLVMValueRef batch_load_record(ct_gen *g, ct_block *b, LLVMTypeRef rec_ty, LLVMValueRef counter);
/* Reverse: the slot holding the array pointer of batched block b. */
LLVMValueRef batch_slot(ct_gen *g, ct_block *b);
/* Reverse, at the end of a preheader's reverse: pops its loop's arrays. */
void batch_reverse_pops(ct_gen *g, ct_block *pre, LLVMValueRef (*value)(ct_gen *, LLVMValueRef));

/* forward.c: the forward copy's shadows, differentiated calls and pushes */
/* How making one shadow went: made, waiting for an operand's shadow, or
 * failed (reported). */
typedef enum { SHADOW_MADE, SHADOW_PENDING, SHADOW_FAILED } ct_shadow_step;
/* Records a heap shadow (of `bytes` bytes) released when the reverse ends. */
void forward_add_heap_shadow(ct_gen *g, LLVMValueRef p, unsigned long long bytes);
/* Completes the forward part (the primal's blocks are copied already). */
void forward_build(ct_gen *g);
/* The part of forward_build that forward (tangent) mode shares: math calls
 * marked pure, a shadow for every active pointer, and the shadows of
 * pointers stored into memory with a shadow. */
void forward_build_shadows(ct_gen *g);

/* heap.c: the shadows of heap allocations (alloc.c's functions), realloc's
 * included */
/* calloc(count, size) for a shadow at b, stopping the program with a
 * message when it fails while the primal allocation `primal` (NULL: none)
 * succeeded. */
LLVMValueRef heap_shadow_calloc(ct_gen *g, LLVMBuilderRef b, LLVMValueRef count, LLVMValueRef size,
                                LLVMValueRef primal, const char *name);
/* Frees a shadow heap block of `bytes` bytes, or zeroes it when the
 * reverse is kept for another application. */
void heap_release_shadow(ct_gen *g, LLVMValueRef p, LLVMValueRef bytes);

/* Planning: what the reverse of allocation `inst` needs (through `need`);
 * reports a realloc that cannot be differentiated. */
void heap_plan(ct_gen *g, ct_block *b, LLVMValueRef inst,
               void (*need)(ct_gen *, ct_block *, LLVMValueRef, ct_need_kind));
/* Forward: the shadow of allocation `inst` (its forward copy `copy`), at
 * m->b (just after the copy; a realloc's goes before it). */
ct_shadow_step heap_forward_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s);
/* integer_mirror.c: a call of a std::string member that may write the
 * string, on a string with a shadow, made again after its forward copy on
 * the shadow string (pointer arguments with a shadow by their shadow);
 * *replay is that call (for a returned buffer: its shadow), or NULL when
 * it is not such a call or was made already. SHADOW_PENDING while an
 * argument's shadow is not made yet. */
ct_shadow_step integer_mirror_replay(ct_gen *g, LLVMValueRef inst, LLVMValueRef *replay);
/* Reverse of allocation `inst`: realloc's adjoints moved back, the shadow
 * released, a deferred free done. */
void heap_reverse(ct_gen *g, LLVMValueRef inst);
/* heap.c: a block loaded from a field of the caller's memory that only
 * ever holds tables of pointers and integers (a std::unordered_map's
 * bucket array, freed by a rehash), freed by operator delete in the forward
 * pass: its shadow block (the caller's shadow map's, or one made for it
 * here, which no adjoint reaches) is freed with it, by the same
 * deallocator, unless it is the block itself or NULL. */
void heap_free_table_shadows(ct_gen *g);

/* scopes.c: scoped-noalias tags telling primal, shadow and tape memory
 * apart (loads and stores only; anything else is left alone) */
/* inst accesses the function's own memory, or the tape */
void scopes_tag_primal(ct_gen *g, LLVMValueRef inst);
void scopes_tag_tape(ct_gen *g, LLVMValueRef inst);
/* inst accesses the shadow of primal_ptr (a pointer of the prepared
 * function) */
void scopes_tag_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef primal_ptr);
/* the forward copies of the function's own loads and stores */
void scopes_tag_forward(ct_gen *g);

/* adjoint.c: adjoints and the primal values the reverse part sees */
/* v has an adjoint: active and not a pointer (pointers have shadows) */
int adjoint_has(ct_gen *g, LLVMValueRef v);
/* v's adjoint slot (created zeroed in the reverse function's entry) */
LLVMValueRef adjoint_slot(ct_gen *g, LLVMValueRef v);
/* adds c (converted to primal's type) to primal's adjoint, if it has one */
void adjoint_add(ct_gen *g, LLVMValueRef primal, LLVMValueRef c);
/* reads and clears v's adjoint (a loop's next iteration starts from zero) */
LLVMValueRef adjoint_take(ct_gen *g, LLVMValueRef v);
/* Is v's adjoint local to its block b: 1 when only b's own reverse adds to
 * it (its uses are in b, none a phi or a return), 2 when the edges into
 * b's reverse may add too (phis of b's successors use it, coming from b),
 * else 0 (floating-point values and vectors of them only). */
int adjoint_local(ct_gen *g, LLVMValueRef v);
/* Forgets which slots hold zero; then, for `kind` 1 or 2, marks the
 * adjoints of that kind local to block bb as holding zero (they do before
 * its reverse, or an edge into it, adds to them): the first addition
 * stores, and a take before any returns zero, so that no slot is live
 * across reverse blocks that never touch it (SROA's promotion of the slots
 * stays linear in the function's size). */
void adjoint_mark_zeroed(ct_gen *g, LLVMBasicBlockRef bb, int kind);
/* Stores zero into the slots still marked (an edge that adds nothing to
 * them), then forgets the marks. */
void adjoint_store_zeroed(ct_gen *g, LLVMBasicBlockRef bb);
/* The primal value v (or its shadow) at the current reverse position. */
LLVMValueRef rev_value(ct_gen *g, LLVMValueRef v);
LLVMValueRef rev_shadow(ct_gen *g, LLVMValueRef v);

/* reverse.c: the reverse emitter */
/* The reverse of block b (at b->rev); the entry block's goes to rev_exit. */
void reverse_block(ct_gen *g, ct_block *b, LLVMBasicBlockRef rev_exit);
/* The reverse of bb's instructions but its phis, last first, at m->b,
 * with the values and shadows as they are there (no records taken, no
 * edges: fused.c). */
void reverse_instructions(ct_gen *g, LLVMBasicBlockRef bb);

/* omp.c: OpenMP parallel regions, at each stage above. A __kmpc_fork_call
 * with differentiable captured data runs the region's augmented forward
 * per thread (tapes kept in a region record) and, in the reverse, forks
 * the region's reverse; critical sections and barriers are mirrored. */
/* The reverse kind of an OpenMP runtime call (REV_OMP_FORK, REV_OMP_SYNC,
 * REV_NONE, REV_UNSUPPORTED), or -1 when `inst` is not one. */
int omp_classify(ct_gen *g, LLVMValueRef inst);
/* The activity a fork's region body is differentiated for: gtid and btid
 * constant, captured pointers to differentiable data duplicated, doubles
 * captured by copy active (in a copy of the body taking them as double).
 * Returns 0 after an error. */
int omp_fork_spec(ct_gen *g, LLVMValueRef inst, ct_spec *spec);
/* The double a fork passes by copy as its i64 bits (op is the bitcast), or
 * NULL when op is not a differentiable double so passed. */
LLVMValueRef omp_captured_double(ct_gen *g, LLVMValueRef op);
/* What the reverse of an OpenMP call needs, in order (a fork's region
 * record as NEED_CALL_TAPE, always on the tape); `spec` is a fork's
 * (omp_fork_spec). Returns how many, at most OMP_MAX_NEEDS. */
enum { OMP_MAX_NEEDS = 2 * CT_MAX_PARAMS + 2 };
unsigned omp_needs(ct_gen *g, LLVMValueRef inst, const ct_spec *spec, ct_need *out);
/* Forward: the fork runs the region's augmented forward per thread. */
void omp_forward_fork(ct_gen *g, LLVMValueRef inst);
/* Reverse of a fork (the region's reverse per thread), an atomic update or
 * a synchronisation. */
void omp_reverse(ct_gen *g, LLVMValueRef inst);

/* gpu.c: SIMT code (NVPTX kernels, host SIMT emulation) */
/* The module targets NVPTX or calls the host SIMT emulator. */
int gpu_module_is_simt(LLVMModuleRef mod);
/* A block, warp or cluster barrier. */
int gpu_is_barrier(LLVMValueRef inst);
/* Emits a copy of a primal barrier call at the builder's position, with
 * its arguments (barrier ids, warp masks) as the reverse pass sees them. */
void gpu_mirror_barrier(ct_gen *g, LLVMValueRef barrier, LLVMValueRef *args);
/* The shadow of a constant pointer into a shared array (its shadow global
 * zeroed at the gradient's entry), or NULL. */
LLVMValueRef gpu_shadow_of_constant(ct_gen *g, LLVMValueRef p, LLVMBuilderRef b);
/* Do adds into the shadow of primal_ptr need to be atomic? */
int gpu_needs_atomic(ct_gen *g, LLVMValueRef primal_ptr);
/* *sp += d, atomically where other threads may add too */
void gpu_shadow_add(ct_gen *g, LLVMValueRef primal_ptr, LLVMValueRef sp, LLVMValueRef d);
/* reads *sp and zeroes it (atomically where needed) */
LLVMValueRef gpu_shadow_take(ct_gen *g, LLVMValueRef primal_ptr, LLVMValueRef sp, LLVMTypeRef ty);

/* checkpoint.c: recomputed calls (their callee's split gradient is built
 * without a shared tape; plan.c, forward.c, reverse.c) */
/* Can the call run again in the reverse pass (its callee touches only
 * memory its pointer arguments point to, of known sizes, and has no other
 * effects)? Reports why not at the call; returns 0 then. */
int checkpoint_check_call(ct_gen *g, LLVMValueRef call, const ct_spec *spec);
/* Does the call have pointer arguments whose memory goes on the tape? */
int checkpoint_keeps_memory(LLVMValueRef call);
/* -Rpass=cotangent: the call is checkpointed, and what it keeps. */
void checkpoint_remark(ct_gen *g, LLVMValueRef call);
/* Forward, before the call's copy: its pointer arguments' memory onto the tape. */
void checkpoint_save(ct_gen *g, LLVMValueRef call);
/* Reverse, at m->b: copies of the memory as before the call take the place
 * of the pointer arguments in args (values and shadows, nargs: for the
 * callee's reverse too); runs the callee's augmented forward with them and
 * returns the tape it made; *out is what checkpoint_put_back needs after
 * the callee's reverse (which must free that tape: keep false). */
struct ct_rerun;
LLVMValueRef checkpoint_rerun(ct_gen *g, LLVMValueRef call, LLVMValueRef *args, unsigned nargs, struct ct_rerun **out);
/* ... and then frees the copies; rev_call is the callee's reverse. */
void checkpoint_put_back(ct_gen *g, struct ct_rerun *r, LLVMValueRef rev_call);

/* diag.c: errors while generating (they set g->failed) */
/* "cannot differentiate 'f': <instruction> <what>; <hint>" at inst */
void gen_fail(ct_gen *g, LLVMValueRef inst, const char *what, const char *hint);
/* "cannot differentiate 'f': it <what>; <hint>" at `at` */
void gen_fail_plain(ct_gen *g, LLVMValueRef at, const char *what, const char *hint);

#endif
