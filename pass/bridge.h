/* The C interface between the C17 core of the pass and the thin C++ layer.
 *
 * Everything declared here is implemented in C++ only because LLVM and Clang
 * offer no C interface for it (pass managers, diagnostics with locations).
 * The core includes this header and llvm-c/, nothing else from LLVM. */
#ifndef COTANGENT_PASS_BRIDGE_H
#define COTANGENT_PASS_BRIDGE_H

#include <llvm-c/Core.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Entry points of the core, called by the pass plugin (plugin.cpp). Each
 * returns non-zero when it changed the module. */
int ct_lower_module(LLVMModuleRef module);
int ct_differentiate_module(LLVMModuleRef module);
/* OptimizerLast (sincos.c): puts a pure cos next to the sin of the same
 * operand (or the reverse) where one dominates the other, in modules the
 * plugin differentiated. Returns non-zero if it changed anything. */
int ct_pair_sin_cos_module(LLVMModuleRef module);
/* Lets LLVM's loop vectorizer keep floating-point sums in order (in-loop
 * ordered reductions: its force-ordered-reductions option) when on is
 * non-zero, until called with 0; nothing when the command line set it. */
void ct_bridge_ordered_sums(int on);
/* OptimizerLast (tangent_lanes.c): vector forward mode's products whose
 * lanes are known zeros (constant seeds) keep only the other lanes.
 * Returns non-zero if it changed anything. */
int ct_zero_lanes_module(LLVMModuleRef module);
/* When the plugin loads (rules.c): checks the derivative rule table (every
 * word of every expression known, operands and operator arities
 * consistent). Returns 0 with what is wrong in err (n bytes) otherwise. */
int ct_check_rules(char *err, size_t n);

/* Environment switches (switches.c): one table of the environment
 * variables the pass reads, with their meanings, read once when the plugin
 * loads (ct_switches_load). ct_switch gives the value read (NULL when
 * unset); each use says how it reads it. */
typedef enum {
  CT_SWITCH_DEBUG,
  CT_SWITCH_DUMP_GRADIENT,
  CT_SWITCH_NO_BATCH,
  CT_SWITCH_NO_REMAT,
  CT_SWITCH_NO_FUSE,
  CT_SWITCH_INLINE_GRADIENTS,
  CT_SWITCH_DIFFERENTIATE_EARLY,
  CT_SWITCH_RUNTIME_BC,
  CT_SWITCH_DEVICE_RUNTIME_BC,
  CT_SWITCH_TIME,
  CT_NSWITCHES
} ct_switch_id;
void ct_switches_load(void);
const char *ct_switch(ct_switch_id s);
const char *ct_switch_name(ct_switch_id s);
const char *ct_switch_meaning(ct_switch_id s);

typedef enum { CT_SEV_ERROR, CT_SEV_WARNING, CT_SEV_REMARK, CT_SEV_NOTE } ct_severity;

/* Reports a diagnostic through the LLVMContext, so clang prints it with the
 * source location of `at` (an instruction, or NULL for the function) and
 * fails the compilation for errors. `fn` must be a function the frontend
 * emitted (its declaration location is the fallback without debug info). */
void ct_bridge_diagnose(LLVMValueRef fn, LLVMValueRef at, ct_severity sev, const char *msg);
/* Reports an error at a clang source location (its raw encoding, which the
 * frontend recorded in this process), as clang reports errors in inline
 * assembly at the location in their !srcloc. */
void ct_bridge_diagnose_at_source(LLVMContextRef ctx, unsigned long long loc, const char *msg);

/* Runs LLVM's function simplification pipeline (SROA/mem2reg, EarlyCSE,
 * InstCombine, SimplifyCFG, GVN, ...) on one function. Used to bring the
 * primal into SSA form before differentiation (at -O0 too) and to clean up
 * generated code. */
void ct_bridge_simplify_function(LLVMValueRef fn);

/* Keeps LLVM's SLP vectorizer off a generated function without cycles that
 * has a block over 4,096 instructions (attribute noimplicitfloat): its cost
 * grows with the product of the block's length and the trees it vectorizes
 * (16,000 straight-line statements spent minutes there). */
void ct_bridge_limit_slp(LLVMValueRef fn);

/* Inlines, into `fn`, every direct call of a non-recursive function with a
 * body (other than `original`, the function `fn` was copied from), except
 * functions with a custom derivative or marked no_derivative, cold
 * functions (the runtime's slow paths), and functions whose labels'
 * addresses are taken (computed goto: their block addresses name their own
 * blocks); with `only_prefix`, only callees whose name starts with it;
 * at most INLINE_BUDGET calls (inlining.c), past which calls stay calls.
 * (The choice is made in C, inlining.c, each inlining by
 * ct_bridge_inline_call.) */
void ct_bridge_inline_calls(LLVMValueRef fn, LLVMValueRef original, const char *only_prefix);

/* Inlines one call (of a function with a body). Returns non-zero on
 * success. */
int ct_bridge_inline_call(LLVMValueRef call);

/* Replaces an invoke with a call followed by a branch to its normal
 * destination (the unwind edge is removed from the landing pad's phis).
 * Returns the call. */
LLVMValueRef ct_bridge_invoke_to_call(LLVMValueRef invoke);
/* The reverse: `call` becomes an invoke unwinding to `unwind`, its block
 * split after it (the caller adds the new edge to unwind's phis). Returns
 * the invoke. */
LLVMValueRef ct_bridge_call_to_invoke(LLVMValueRef call, LLVMBasicBlockRef unwind);

/* The demangled form of a (C++) symbol name into buf (the name itself when
 * it is not mangled). */
void ct_bridge_demangle(const char *name, size_t len, char *buf, size_t n);

/* Does instruction `a` dominate instruction `b` (same function)? Builds
 * the dominator tree for the query: for occasional use. */
int ct_bridge_dominates(LLVMValueRef a, LLVMValueRef b);

/* Memory locations of LLVM's memory effects (MemoryEffects), as bits. */
enum { CT_MEM_ARGUMENT = 1, CT_MEM_INACCESSIBLE = 2, CT_MEM_OTHER = 4 };
/* May `call` modify memory at any of `locations` (CT_MEM_* bits), by LLVM's
 * own reading of its memory effects (CallBase::getMemoryEffects: the call
 * site's and the callee's memory attributes, and operand bundles)? */
int ct_bridge_call_may_write(LLVMValueRef call, unsigned locations);
/* Clears the no-signed-zeros fast-math flag of a floating-point
 * instruction (LLVMSetFastMathFlags can only add flags). */
void ct_bridge_clear_no_signed_zeros(LLVMValueRef inst);

/* Splits the block of `before` there, so that `cond` (an i1 computed
 * before it) branches, as unlikely, to a new block that ends in
 * `unreachable`; returns that terminator, before which the caller puts what
 * runs then (a noreturn call). */
LLVMValueRef ct_bridge_split_if_then_unreachable(LLVMValueRef cond, LLVMValueRef before);

/* Splits the block of `before` there into `if (cond) then else otherwise`,
 * both new blocks joining again at `before`; returns the two new blocks'
 * terminators (the caller puts what each arm runs before them). */
void ct_bridge_split_if_then_else(LLVMValueRef cond, LLVMValueRef before, LLVMValueRef *then_term,
                                  LLVMValueRef *else_term);

/* Splits the edge from `from` to `to` (from's terminator, a br or a switch,
 * reaches `to` by exactly one of its successors) with a new block that
 * branches to `to`; the phis of `to` take their value from it. Returns it. */
LLVMBasicBlockRef ct_bridge_split_edge(LLVMBasicBlockRef from, LLVMBasicBlockRef to);

/* The loops of `fn`, outer loops first: header, preheader (or NULL), the
 * unique exit block reached only from inside (or NULL), and, when LLVM's
 * scalar evolution can compute it before the loop runs, the trip count (an
 * i64 materialized at the end of the preheader, else NULL). Lists every
 * loop: *loops and *blocks (each loop's blocks, at first_block) are
 * malloc'd, and the caller frees them; returns the number of loops. */
typedef struct {
  LLVMBasicBlockRef header, preheader, exit;
  LLVMValueRef trip_count;
  unsigned first_block, nblocks; /* into the blocks array */
} ct_bridge_loop;
unsigned ct_bridge_loop_trip_counts(LLVMValueRef fn, ct_bridge_loop **loops, LLVMBasicBlockRef **blocks);

/* Pointers ptrs[0..n) used in block bb that one iteration of bb's loop
 * reads again in a later one: where LLVM's scalar evolution sees ptrs[k]
 * as an affine address of the loop with a constant step of step[k] bytes,
 * the pointers whose starts differ by multiples of that step share a
 * group[k] (else -1), and ptrs[k] of iteration i is the address the
 * group's leading pointer had delay[k] >= 0 iterations earlier. */
void ct_bridge_pointer_delays(LLVMBasicBlockRef bb, const LLVMValueRef *ptrs, unsigned n, int *group,
                              long long *delay, long long *step);

/* Moves the n blocks (a single-entry region, blocks[0] its entry) into a
 * new internal function named <function>.<suffix> (LLVM's CodeExtractor: values from
 * outside become parameters) and returns the call that replaces them, or
 * NULL when LLVM cannot extract the region (nothing changed then). */
LLVMValueRef ct_bridge_extract_region(LLVMBasicBlockRef *blocks, unsigned n, const char *name);

#ifdef __cplusplus
}
#endif
#endif
