/* Forward (tangent) mode: the directional derivative J v of a function in
 * one run of it, without a tape.
 *
 * A tangent function is the prepared primal (prepare.c) copied once, with
 * the tangent of every active value (activity.c) computed right after the
 * value's copy: by the rule table (rules.c: each row's adjoint expressions
 * are linear in the seed, so the same rows with the operand's tangent as
 * seed give the partial derivative times that tangent), through phis, lane
 * and member moves, loads and stores. Memory reached through duplicated
 * pointers has shadows holding the tangents of its contents, built by the
 * gradient's forward part (forward.c: the same convention as reverse mode,
 * so a shadow is the same array in both modes): a load's tangent is loaded
 * from the shadow, a store writes the stored value's tangent into it,
 * memcpy/memset copy or clear it, malloc'd memory gets a zeroed shadow that
 * free() releases with the block, realloc moves it. Differentiated calls
 * that stay calls (recursion, functions too large to inline) call the
 * callee's tangent function; a custom derivative (CT_DERIVATIVE pullback)
 * serves functions of scalars, a registered forward derivative
 * (__enzyme_register_derivative_f) any function.
 *
 * The tangent function of spec (ct_spec: each parameter constant, active
 * (floating point: its tangent follows it) or duplicated (a pointer: its
 * shadow follows it)):
 *   { T, T } <f>.ct_fwd.<codes>(params, each followed by its tangent or shadow)
 * returns f's value and its tangent (a returned pointer's shadow; zero when
 * the result is neither differentiated nor a pointer), nothing when f
 * returns void. */
#ifndef COTANGENT_PASS_TANGENT_H
#define COTANGENT_PASS_TANGENT_H

#include "gen.h"

/* The driver, for a differentiated call's callee (the recursion, as
 * ct_callee_gradient is reverse mode's): NULL after an error. */
typedef LLVMValueRef (*ct_tangent_callee)(ct_module *m, const ct_spec *spec, LLVMValueRef site);

/* One tangent function being generated. */
typedef struct ct_tgen {
  ct_gen g;       /* the analyses, the copy (g.fwd) and its shadows (g.shadow) */
  ct_vmap tangent; /* primal value -> its tangent in the tangent function */
  ct_vmap calls;   /* a differentiated call returning a pointer -> its tangent call, made with the shadows */
  ct_vmap phis;    /* primal phi -> its tangent phi (closed last) */
  ct_tangent_callee callee;
  int mark_copies; /* the primal's copies get !ct.primal metadata (differential.c tells them apart) */
} ct_tgen;

/* ---- tangent_vector.c: vector mode (spec->width = N directions) ---- */
/* The type holding N tangents of a value of type ty: <N x ty> for scalars
 * (pointers: N shadows), aggregates member by member. */
LLVMTypeRef tangent_vector_type(unsigned width, LLVMTypeRef ty);
/* The type of the tangent of a value of type ty in t: ty itself in scalar
 * mode. */
static inline LLVMTypeRef tangent_type_of(ct_tgen *t, LLVMTypeRef ty) {
  return t->g.spec->width ? tangent_vector_type(t->g.spec->width, ty) : ty;
}
/* v (a scalar) in every direction's lane (vector mode; v itself otherwise), at
 * t's builder. */
LLVMValueRef tangent_broadcast(ct_tgen *t, LLVMValueRef v);
/* The vector-mode tangent of inst (classified `kind`), where it differs
 * from the scalar one; 0 when the scalar code serves (it works on the
 * vector types). Reports what vector mode does not follow. */
int tangent_vector_instruction(ct_tgen *t, LLVMValueRef inst, ct_rev_kind kind);
/* forward.c's hook (ct_gen.vector_shadow): the <N x ptr> shadow of an
 * active pointer instruction; a ct_shadow_step. */
int tangent_vector_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s);

/* v's tangent: computed, or zero (constants, inactive values). */
static inline LLVMValueRef tangent_of(ct_tgen *t, LLVMValueRef v) {
  LLVMValueRef d = vmap_get(&t->tangent, v);
  return d ? d : LLVMConstNull(tangent_type_of(t, LLVMTypeOf(v)));
}

/* The copy of primal value v in the tangent function (constants and
 * globals are themselves). */
static inline LLVMValueRef tangent_primal(ct_tgen *t, LLVMValueRef v) {
  LLVMValueRef f = vmap_get(&t->g.fwd, v);
  return f ? f : v;
}

/* ---- tangent.c: the driver ---- */
/* The tangent function of spec, generated on first use (cached in the
 * module by name); NULL after reporting an error at `site`. */
LLVMValueRef tangent_get(ct_module *m, const ct_spec *spec, LLVMValueRef site);

/* The type of spec's tangent function (above). */
LLVMTypeRef tangent_type(ct_module *m, const ct_spec *spec);
/* Runs on a tangent function just generated (t: its maps, g.fwd the
 * primal's copies), before it is verified and simplified; returns 0 after
 * reporting an error. */
typedef int (*ct_tangent_post)(ct_tgen *t, LLVMValueRef f, void *data);
/* Generates spec's tangent function from fn's body into f (of
 * tangent_type, or with more parameters after those), runs post, verifies
 * and simplifies it; 0 after an error at `site` (f is then a stub). For
 * transformed tangent functions (differential.c). */
int tangent_build_into(ct_module *m, const ct_spec *spec, LLVMValueRef f, LLVMValueRef site, ct_tangent_post post,
                       void *data);

/* ---- tangent_inst.c: the tangents of the copy's instructions ---- */
/* Every active instruction's tangent, block by block in reverse post-order
 * (operands before their uses), phis closed last; reports what has no
 * derivative (g.failed). */
void tangent_instructions(ct_tgen *t);

/* ---- tangent_calls.c: calls ---- */
/* A differentiated call (REV_CALL): the callee's tangent function. */
void tangent_call(ct_tgen *t, LLVMValueRef call);
/* A call of a function with a custom derivative (REV_CUSTOM): its pullback,
 * seeded with 1, gives the partial derivatives (functions of scalars). */
void tangent_custom(ct_tgen *t, LLVMValueRef call);
/* forward.c's hook (ct_gen.tangent_call_shadow): a differentiated call
 * returning a pointer, made while the shadows are built (its tangent
 * arguments are filled in by tangent_call); a ct_shadow_step. */
int tangent_call_shadow(ct_gen *g, LLVMValueRef call, LLVMValueRef *s);
/* The registered forward derivative (__enzyme_register_derivative_f) of
 * fn, or NULL. */
LLVMValueRef tangent_registered(LLVMValueRef fn);
/* Fills tfn (the tangent function of spec, whose fn has a registered
 * forward derivative) with a call of that derivative; returns 0 after an
 * error at `site` (a derivative that does not fit, a pointer without a
 * shadow). */
int tangent_build_registered(ct_module *m, const ct_spec *spec, LLVMValueRef tfn, LLVMValueRef site);

/* ---- tangent_lanes.c: products with zero directions ---- */
/* Marks a vector-mode tangent product (splat(partial) * tangents): at the
 * end of the pipeline (ct_zero_lanes_module, bridge.h) its lanes known to
 * be zero become zeros. */
void tangent_lanes_mark(LLVMValueRef product);

/* ---- tangent_jvp.c: custom tangents (CT_TANGENT_IS) ---- */
/* "ct.tangent_is:T" on f (lower.c, at pipeline start): T is f's tangent. */
void tangent_jvp_register(ct_module *m, LLVMValueRef f, const char *jvp, size_t len);
/* "ct.tangent_derivative_is:P;ACCESS" on f: P is the pullback of f's
 * tangent, ACCESS its CT_ACCESS (given to the tangent by tangent_jvp_of). */
void tangent_jvp_register_pullback(ct_module *m, LLVMValueRef f, const char *text, size_t len);
/* fn's custom tangent (declared here with the expected type if the module
 * lacks it, with its pullback registered), or NULL. */
LLVMValueRef tangent_jvp_of(ct_module *m, LLVMValueRef fn);
/* A call of a function with a custom tangent (REV_CUSTOM): T called after
 * the call's copy (once per direction in vector mode); reports a T of the
 * wrong type. */
void tangent_jvp_call(ct_tgen *t, LLVMValueRef call, LLVMValueRef jvp);

/* ---- tangent_export.c: forward mode across files ---- */
/* (tangent_export_all: core.h) */
/* The exported tangent function of spec->fn (a declaration of this file;
 * spec its canonical activity), declared on first use. */
LLVMValueRef tangent_external(ct_module *m, const ct_spec *spec);

/* ---- tangent_omp.c: OpenMP parallel regions ---- */
/* A fork with differentiable captured data (REV_OMP_FORK): a fork of the
 * region body's tangent function, with the shadows and tangents. */
void tangent_omp_fork(ct_tgen *t, LLVMValueRef inst);

#endif
