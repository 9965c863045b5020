/* Shared declarations of the C17 core of the Cotangent pass.
 *
 * Flow, one direction only: lower (lower.c) -> find operator calls
 * (operators.c) -> build the gradient (gradient.c, the driver: prepare the
 * primal (prepare.c), analyse (cfg.c, activity.c), plan (plan.c), generate
 * (forward.c, reverse.c, with the rule table in rules.c; gen.h)), or the
 * tangent function of forward mode (tangent.c, tangent.h: the same
 * preparation, analyses, shadows and rules, no tape) -> clean up. Files call only files below them (scripts/callgraph checks it); the
 * one way back up is the generator's own recursion, gen.h's
 * ct_callee_gradient. IR predicates any file may use live in ir.h. */
#ifndef COTANGENT_PASS_CORE_H
#define COTANGENT_PASS_CORE_H

#include "bridge.h"
#include "alloc.h"
#include "ir.h"

#include <llvm-c/Core.h>
#include <stddef.h>

/* ---- value map: LLVMValueRef -> LLVMValueRef (open addressing) ---- */
typedef struct {
  LLVMValueRef *keys;
  LLVMValueRef *vals;
  size_t cap, len;
} ct_vmap;

void vmap_init(ct_vmap *m);
void vmap_free(ct_vmap *m);
LLVMValueRef vmap_get(const ct_vmap *m, LLVMValueRef key);
void vmap_set(ct_vmap *m, LLVMValueRef key, LLVMValueRef val);

/* The name of the function a call instruction calls directly, or NULL
 * (not a call, or an indirect one). */
const char *util_callee_name(LLVMValueRef inst, size_t *len);
/* printf into a new malloc'd string, never truncated (names of generated
 * functions embed user names of any length); the caller frees it. */
char *util_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- types ---- */
int type_is_fp_scalar(LLVMTypeRef t);
/* float, double, half, or a vector of those */
int type_is_fp(LLVMTypeRef t);
LLVMValueRef type_const_real(LLVMTypeRef t, double v); /* splats for vectors */
LLVMValueRef type_zero(LLVMTypeRef t);

/* ---- diagnostics (diag.c) ----
 * `user_fn` is the function the user wrote (its declaration is the location
 * fallback); `at` the instruction whose debug location to report, or NULL. */
void diag_report(LLVMValueRef user_fn, LLVMValueRef at, ct_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A short human name for an instruction: "call to 'foo'", "'fdiv'", ... */
void diag_describe(LLVMValueRef inst, char *buf, size_t n);
/* The name of function fn as users write it, into buf: demangled (C++),
 * and a parallel region's body (f.omp_outlined...) named f. */
void diag_function_name(LLVMValueRef fn, char *buf, size_t n);
/* "file:line:col" of an instruction when debug info exists, else "". */
void diag_location(LLVMValueRef inst, char *buf, size_t n);
/* While muted, errors are held back instead of reported (the first is
 * kept, "file:line:col: " first where known; diag_muted_first, NULL when
 * none): operators.c tries a second derivative and explains a failure
 * itself. Turning it on forgets the last one. diag_mute(2) also drops
 * warnings and remarks (tangent_export.c: derivatives nobody asked for). */
void diag_mute(int on);
const char *diag_muted_first(void);

/* ---- the module being transformed ---- */
typedef struct {
  LLVMModuleRef mod;
  LLVMContextRef ctx;
  LLVMBuilderRef b;
  unsigned md_kind_differentiable;
  int changed;
} ct_module;

/* Adds v to the list global `list` ("llvm.compiler.used", ...), or
 * removes from it the elements that are v or whose first field is v
 * (entries of "llvm.global.annotations"). */
void util_list_edit(ct_module *m, const char *list, LLVMValueRef v, int add);

/* ---- what to differentiate ---- */
typedef enum { ACT_CONST, ACT_ACTIVE, ACT_DUP, ACT_DUPNONEED } ct_activity;

enum { CT_MAX_PARAMS = 64 };

typedef struct {
  LLVMValueRef fn; /* the user's function */
  unsigned nparams;
  ct_activity act[CT_MAX_PARAMS];
  int ret_active; /* the return value is differentiated (seed passed in) */
  int ret_shadow; /* split: the result is a pointer to differentiable data;
                     the augmented forward returns its shadow after it */
  int owns_escaping; /* split, a callee: what it allocates and returns (or
                        stores into its arguments' memory) stays inside its
                        caller's gradient, so this reverse frees its shadow
                        (else the shadow is the user's, as at the top) */
  int want_value; /* the gradient function also returns the primal result */
  int split;      /* separate augmented forward and reverse functions */
  int shared_tape; /* split, called from a gradient: the augmented forward
                      pushes onto its caller's tape (its last parameter) and
                      the reverse pops from it; neither creates, marks,
                      rewinds nor destroys a tape (a recursion keeps one) */
  int concurrent; /* runs inside a parallel region: atomic shadow adds */
  unsigned width;  /* forward mode: 0 one direction; N >= 1: N directions at once
                     (tangent_vector.c: <N x T> tangents, <N x ptr> shadows) */
} ct_spec;

/* Split mode: the augmented forward runs the primal and records the tape,
 * the reverse consumes it:
 *   { ptr tape, [ret] } aug(params with shadows..., [ptr caller's tape])
 *   { d(active scalar args)... } rev(params with shadows..., [seed], ptr tape,
 *                                     i1 keep)
 * With keep the reverse leaves the tape (and shadows) ready for another run;
 * without, it frees them. */
typedef struct {
  LLVMValueRef aug, rev;
} ct_split;

/* signature.c: the names and types of generated gradients */
/* "<f>.ct_grad.<activity codes>[.r][.v][.mt]" (".ct_aug." when split), whole
 * (names of any length must not collide); the caller frees it. */
char *signature_name(const ct_spec *spec);
/* The combined gradient's type (gradient_get); *ret_struct its
 * result struct. */
LLVMTypeRef signature_combined(ct_module *m, const ct_spec *spec, LLVMTypeRef *ret_struct);
/* The types of the split pair for `spec`. */
void signature_split(ct_module *m, const ct_spec *spec, LLVMTypeRef *aug_ty, LLVMTypeRef *rev_ty);
/* Marks a generated split function (augmented forward or reverse) as using
 * its caller's tape (spec->shared_tape); signature_shares_tape asks. */
void signature_mark_shared(ct_module *m, LLVMValueRef split_fn);
int signature_shares_tape(LLVMValueRef split_fn);

/* contract.c: the `differentiable` contract across files. A differentiable
 * function with external linkage exports its split gradient under stable
 * names (__ct_aug_<f>, __ct_rev_<f>) for its canonical activity
 * (floating-point parameters in wrt active, pointers in wrt duplicated,
 * the rest constant); other files call them for calls of f declared
 * differentiable. */
int contract_canonical_spec(ct_module *m, LLVMValueRef fn, ct_spec *out);
/* Several `differentiable(wrt)` attributes on one function: how many
 * configurations it has (0: not differentiable; the first is canonical),
 * and configuration k's activity, as contract_canonical_spec. */
unsigned contract_config_count(ct_module *m, LLVMValueRef fn);
int contract_config_spec(ct_module *m, LLVMValueRef fn, unsigned k, ct_spec *out);
/* The exported names of fn's configuration `spec` (its activity): the stable
 * names for the first, suffixed ".wrt.<i>..." for the others; freed by the
 * caller. */
void contract_config_names(ct_module *m, LLVMValueRef fn, const ct_spec *spec, char **aug, char **rev);
/* The split pair of `spec` (a function of another file) by its stable
 * names, declared here. */
int contract_external_pair(ct_module *m, const ct_spec *spec, ct_split *out);
/* fn is declared differentiable (without a module at hand). */
int contract_is_differentiable(LLVMValueRef fn);
/* The metadata string "ct.differentiable[:a,b]" of fn, or NULL. */
const char *contract_differentiable_text(ct_module *m, LLVMValueRef fn, unsigned *len);
/* __ct_aug_<f>, __ct_rev_<f> (whole: names of any length must not
 * collide); the caller frees them. */
void contract_stable_names(LLVMValueRef fn, char **aug, char **rev);

/* gradient.c, the driver. gradient_get: the gradient function for `spec`,
 * generated on first use and cached in the module under a stable name. Its
 * signature:
 *   { [ret], d(active scalar args)... } name(params with a shadow pointer
 *                                          after each dup param..., [seed])
 * Returns NULL after reporting an error at `site` (the operator call). */
LLVMValueRef gradient_get(ct_module *m, const ct_spec *spec, LLVMValueRef site);
/* Gets (generating on first use) the split pair for `spec` (spec->split set).
 * Returns 0 after reporting an error. */
int gradient_get_split(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out);
/* Deletes the prepared primal copies made while generating. */
void gradient_finish(ct_module *m);

/* prepare.c: a copy of `fn` in canonical SSA form (optnone removed,
 * simplified by LLVM), cached per function; NULL after reporting a
 * construct that cannot be differentiated (constructs.c). */
LLVMValueRef prepare_primal(ct_module *m, LLVMValueRef fn);
void prepare_finish(ct_module *m);
/* libm_calls.c: in a prepared copy, each modf call is followed by an
 * explicit store of its integral part (trunc(x)), whose reverse clears that
 * part's shadow. */
void prepare_libm_calls(ct_module *m, LLVMValueRef fn);
/* libm_calls.c, PipelineStart: clears no-signed-zeros on floating-point
 * selects and phis, so that -ffast-math keeps a max/min idiom's select
 * (and its tie) as written instead of llvm.maxnum/minnum. Returns whether
 * anything changed. */
int libm_keep_tie_order(LLVMModuleRef mod);
/* retype.c: integer loads/stores that move float/double data (small struct
 * copies) become loads/stores of that floating-point type. */
void retype_fp_memory(ct_module *m, LLVMValueRef fn);
/* interchange.c: in a prepared copy, a loop of dot products along a
 * strided index (for j { s = 0; for k s += a[k] * b[k*n + j]; use(s) })
 * becomes for k { for j S[j] += ... } with the sums in an array (the same
 * operations per sum, in the same order): forward and reverse run along
 * rows. */
void interchange_dot_products(ct_module *m, LLVMValueRef user_fn, LLVMValueRef fn);
/* fused.c: in a prepared copy, a one-block loop that writes no memory and
 * carries a value loaded in one iteration to the next (x[i] reused from
 * x[i+1]) loads it again from a carried pointer instead. */
void fused_prepare_loads(ct_module *m, LLVMValueRef fn);

/* layout.c, layout_resolve.c: the floating-point fields of what a
 * memcpy/memmove copies, deduced from the types, TBAA and accesses of the
 * memory at either end (layout.h). */
typedef enum {
  CT_LAYOUT_UNKNOWN, /* bytes that may be floating point, of no deducible type (`why` says which) */
  CT_LAYOUT_NO_FP,   /* integers, pointers and padding only: no derivative */
  CT_LAYOUT_UNIFORM, /* every element is `uniform` (float or double) */
  CT_LAYOUT_FIELDS   /* fields[i] = offset << 1 | is_double, repeated every `period` bytes */
} ct_layout_kind;
typedef struct {
  ct_layout_kind kind;
  int uniform;               /* CT_LAYOUT_UNIFORM: 8 for double, 4 for float */
  int fp_seen;               /* some fact says floating point (an unknown layout is not pointers only) */
  unsigned long long period;
  unsigned *fields;
  unsigned nfields;
  char why[160];
} ct_layout;
/* The layout of the bytes `copy` copies, from its start; layout_free after. */
void layout_of_copy(LLVMValueRef copy, ct_layout *out);
void layout_free(ct_layout *l);
/* constructs.c: in a copy of `from` made through `map`, computed gotos
 * (indirectbr) become switches over the addresses of their destinations. */
void constructs_lower_indirect_branches(ct_module *m, LLVMValueRef from, const ct_vmap *map);
/* In a prepared copy, invokes whose landing pads only clean up or
 * terminate become calls (the gradient follows the normal path; see
 * constructs.c). Returns whether any did (simplify the copy again then). */
int constructs_drop_cleanups(LLVMValueRef copy);
/* Reports constructs of the prepared copy of user_fn that the reverse pass
 * cannot replay (a try/catch, setjmp); returns 0 then. */
int constructs_check(ct_module *m, LLVMValueRef user_fn, LLVMValueRef copy);
/* omp.c: in a prepared copy, critical sections and reductions become
 * the runtime's ordered critical sections; unsupported OpenMP constructs
 * are reported (returns 0 then). */
int omp_prepare(ct_module *m, LLVMValueRef user_fn, LLVMValueRef copy);

/* indirect_calls.c: calls through function pointers (C callbacks, C++
 * virtual calls). In `fn`, a prepared copy of `orig` (simplified first
 * when it has any), each indirect call that may carry derivatives compares
 * its pointer with its targets (the functions of its type whose derivative
 * Cotangent knows and whose address may reach the call) and calls the one
 * it equals directly; the call itself stays, tagged, for any other pointer
 * (ir_is_dispatch_fallback). Returns whether any call was dispatched (the
 * direct calls are to be inlined, and their indirect calls dispatched in
 * turn; one to a target that may call itself through a pointer is tagged
 * IR_DISPATCH_KEPT, not inlined). */
int indirect_dispatch_calls(ct_module *m, LLVMValueRef orig, LLVMValueRef fn);
/* Why the indirect call `call` (of the prepared copy of `orig`) has no
 * dispatch (no target, or too many), for its error; the caller frees it. */
char *indirect_explain(ct_module *m, LLVMValueRef orig, LLVMValueRef call);

/* clone.c: copy the body of `from` into `to` (same signature) mapping
 * arguments and values through `map`; blocks are appended to `to`. */
void clone_body(ct_module *m, LLVMValueRef from, LLVMValueRef to, ct_vmap *map);
/* The same with the arguments already mapped (the target's signature may
 * differ). */
void clone_blocks(ct_module *m, LLVMValueRef from, LLVMValueRef to, ct_vmap *map);

/* activity.c: which values of the prepared primal carry derivatives.
 * A value is active when it depends on an active input (varied) and can
 * influence the differentiated result (useful). `active` maps each active
 * value to itself. */
void activity_analyze(const ct_spec *spec, LLVMValueRef prepared, ct_vmap *active);
int activity_carries_derivative(LLVMTypeRef t);
/* float or double when the memory `ptr` points into is accessed as such in
 * `fn` (and only as one of them), else NULL. */
LLVMTypeRef activity_fp_type_of_memory(LLVMValueRef fn, LLVMValueRef ptr);
/* Is the memory at `addr` without a shadow: a constant argument's or a
 * global's, or reached through pointers read from such memory that have no
 * shadow themselves? `varied` maps varied (or active) values to
 * themselves. */
int activity_unshadowed(const ct_vmap *varied, LLVMValueRef addr);
/* The varied pointer whose address (ptrtoint) the integer `v` is computed
 * from, or NULL. `varied` maps varied values (or active ones) to
 * themselves. */
LLVMValueRef activity_ptrtoint_source(const ct_vmap *varied, LLVMValueRef v, int depth);
/* A call of ct_without_derivative(x) (x's value, with a zero derivative),
 * of a function marked no_derivative (constant results), or of a library
 * function that touches no floating-point data though it may read values
 * or get pointers to varied memory (C++ output streams, std::string,
 * memcmp): its result carries no derivative. */
int activity_is_without_derivative(LLVMValueRef inst);
/* The library functions of activity_is_without_derivative alone (not the
 * user's markers): a pointer one returns points to no floating-point data
 * (a std::string's characters). */
int activity_is_inactive_library_call(LLVMValueRef inst);
/* v (of fn, the prepared primal) is computed from a ct_without_derivative
 * (or no_derivative call) of a value that depends on spec's differentiable
 * arguments: its zero derivative is what the user asked for. */
int activity_held_constant(const ct_spec *spec, LLVMValueRef fn, LLVMValueRef v);
/* gpu.c: a kernel's block-shared array (addrspace(3) global on NVPTX, or
 * section ".ct_shared" under host SIMT emulation): it gets a shadow. */
int gpu_is_shared_global(LLVMValueRef gv);
/* NVPTX: deletes unused generated functions (after differentiation). */
void gpu_finish_module(ct_module *m);

/* sincos.c: marks a module whose gradients should have their sin and cos
 * calls paired at the end of the pipeline (ct_pair_sin_cos_module). */
void sincos_mark_module(LLVMModuleRef mod);

/* stack_guard.c: a split gradient function `fn` (of the user's function
 * user_fn) that calls split functions (a recursion) checks on entry that the
 * stack has room (__ct_stack_guard); on CPUs only. */
void stack_guard_add(ct_module *m, LLVMValueRef fn, LLVMValueRef user_fn);

/* runtime_link.c: links the tape's push/pop fast paths into the module as
 * internal functions (so they can be inlined). Returns 0 when the runtime
 * bitcode is unavailable; the calls then stay external. */
int runtime_link_tape(ct_module *m);
/* NVPTX modules: links the device runtime (lib/gpu/device_rt.c) when
 * generated code calls it; reports an error if it is missing. */
int runtime_link_device(ct_module *m);

/* alloc.c, at pipeline start: a user's allocators. "ct.allocator" on fn
 * (CT_ALLOCATOR; args: the annotation's argument struct {size parameter,
 * element bytes, deallocator}) and Enzyme's __enzyme_allocation_like
 * globals mark the allocator and its deallocator (reported when
 * malformed). Returns whether the module changed. */
void alloc_register_annotation(ct_module *m, LLVMValueRef fn, LLVMValueRef args);
int alloc_lower_module(ct_module *m);
/* alloc.c, preparing a primal: posix_memalign becomes an allocation call
 * returning the block (before simplification, so the pointer variable can
 * become SSA). */
void alloc_prepare(ct_module *m, LLVMValueRef fn);

/* custom.c: custom derivatives (pullbacks) registered by the user. */
void custom_register(ct_module *m, LLVMValueRef pullback, const char *target, size_t len);
LLVMValueRef custom_derivative_of(ct_module *m, LLVMValueRef fn);
/* "ct.derivative_is:P" on f: P (declared here if needed) is f's pullback. */
void custom_register_on_target(ct_module *m, LLVMValueRef f, const char *pullback, size_t len);
/* "ct.derivative_link:f,P" (text after the colon) on `var`, a variable the
 * frontend made for a pullback P that is only declared: as
 * "ct.derivative_is:P" on f; deletes var. Returns 1. */
int custom_register_link(ct_module *m, LLVMValueRef var, const char *text, size_t len);
/* "ct.access:..." on f, and its letter for parameter `index`: '.' not a
 * pointer, 'r'/'i' read by f (and by its pullback / not), 'w'/'u' written
 * by f (and not read / read by its pullback); 'u' when not stated. */
void custom_set_access(ct_module *m, LLVMValueRef f, const char *text, size_t len);
char custom_access(LLVMValueRef fn, unsigned index);
/* The integer parameters (up to 8, in sizes) whose product is the element
 * count of array parameter `index` (digits after its CT_ACCESS letter);
 * returns how many, 0 when unknown (no sizes, or no element type). */
unsigned custom_array_size(LLVMValueRef fn, unsigned index, unsigned *sizes);
/* The element type of f's arrays when its CT_ACCESS ends in ":d" or ":f". */
LLVMTypeRef custom_element_type(LLVMValueRef fn);
/* PipelineStart: every use of a function with a custom derivative and a
 * body here moves to an opaque declaration of its name (so that LLVM cannot
 * fold its calls away before differentiation). custom_restore_names gives
 * the bodies their names back (for exported gradients; the declarations
 * become "<f>.ct_hidden"); after differentiation, custom_restore_bodies
 * moves the uses back. Return whether anything changed. */
int custom_hide_bodies(ct_module *m);
int custom_restore_names(ct_module *m);
int custom_restore_bodies(ct_module *m);
/* Does f's body, hidden behind declaration `d`, only read through (or not
 * use) pointer parameter `index`, by LLVM's inferred readonly/readnone? */
int custom_body_only_reads(ct_module *m, LLVMValueRef d, unsigned index);
/* Gives `into` (f's signature, empty) a body that calls f (its hidden
 * declaration while there is one) and returns the result. */
void custom_build_call_body(ct_module *m, LLVMValueRef f, LLVMValueRef into);
/* Parameter `index` of fn is marked no_derivative (treated as constant). */
int custom_param_no_derivative(LLVMValueRef fn, unsigned index);

/* registry.c: gradient entry points with a plain C signature (for
 * ct_gradient_of, and with variadic-call types for run-time function
 * pointers), and the constructor registering differentiable functions. */
LLVMValueRef registry_entry_point(ct_module *m, LLVMValueRef fn, int variadic_abi, LLVMValueRef site);
void registry_register_all(ct_module *m);
/* Exports the split gradients of the differentiable functions with external
 * linkage under their stable names (contract.c). */
void registry_export_all(ct_module *m);
/* tangent_export.c: the same for forward mode, each differentiable function's
 * tangent function for its canonical activity as __ct_fwd_<f> (one that
 * stops the program with the reason where it cannot be generated). */
void tangent_export_all(ct_module *m);

/* checks.c: before `before`, a run-time check that the pointer `p` the
 * user gave an operator (a derivative pointer, or a shadow: then with the
 * array `primal`, which may be NULL too) is not NULL; if it is, the program
 * stops with "cotangent: <op>: the <what> of parameter <param> of '<fn>' is
 * NULL". Folds away where p is known not to be NULL. Not on NVPTX. Leaves
 * m->b before `before`. */
void checks_nonnull(ct_module *m, LLVMValueRef before, LLVMValueRef p, LLVMValueRef primal, const char *op,
                    const char *what, unsigned param, LLVMValueRef fn);

/* checkpoint.c: recomputed calls. A call that is checkpointed (its callee
 * CT_CHECKPOINT, or written ct_recompute(f, ...)): it stays a call. */
int checkpoint_is_recompute_call(LLVMValueRef call);
/* fn is a checkpointed loop's schedule (checkpoint_loop.c's <f>.ct_steps
 * or <f>.ct_while): errors in it are reported at the loop. */
int checkpoint_is_loop_schedule(LLVMValueRef fn);
/* call is a recomputed call of a while loop's schedule (<f>.ct_while),
 * whose run again takes, as its first argument, the count the call
 * returned (the reverse pass needs the call's result). */
int checkpoint_reruns_with_count(LLVMValueRef call);
/* PipelineStart: ct_recompute's markers and CT_CHECKPOINT become
 * attributes (call site / function) that keep the calls from being
 * inlined; a marker without its call is reported. Returns whether the
 * module changed. */
int checkpoint_lower(ct_module *m);
/* checkpoint_loop.c, PipelineStart (before checkpoint_lower): each loop
 * after CT_CHECKPOINT_LOOP's marker becomes <f>.ct_steps, a recursion of
 * recomputed calls over <f>.ct_loop (one iteration) that follows Revolve's
 * binomial schedule (a loop whose trip count is not known when it starts:
 * a recomputed call of <f>.ct_while, which counts its iterations, run
 * again on that schedule); a loop it cannot rewrite soundly is an error at
 * the loop. Returns whether anything changed. */
int checkpoint_loop_lower(ct_module *m);
/* Metadata on the calls that run a recomputed call again in a reverse
 * pass (scratch copies, the callee's augmented forward and reverse): a
 * pullback's release twin (release.c) drops them. */
#define CT_RERUN_MD "ct.rerun"

/* operators.c: find and lower every differential operator call. */
void operators_lower_all(ct_module *m);

#endif
