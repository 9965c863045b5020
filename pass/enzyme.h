/* Enzyme's registration globals and attributes, read at PipelineStart
 * (enzyme_register.c), and the split gradients built around the user's
 * derivatives (enzyme_adapters.c).
 *
 * A function f with a registered derivative is differentiated like a
 * differentiable function of another file (contract.c): its calls in
 * differentiated code call the split pair __ct_aug_<f> / __ct_rev_<f>,
 * which here are adapters (internal, kept alive until differentiation is
 * done) that call the user's augmented forward and gradient with Enzyme's
 * calling convention; f's body, if it has one here, is hidden from the
 * optimizer and from the generator (custom.c) until then. */
#ifndef COTANGENT_PASS_ENZYME_H
#define COTANGENT_PASS_ENZYME_H

#include "core.h"

/* The string attribute on f ("ct-enzyme-gradient", value: its wrt list,
 * the parameter indices with a derivative) that custom_hide_bodies turns
 * into the hidden declaration's "ct.differentiable:<wrt>" metadata. */
#define ENZYME_GRADIENT_ATTR "ct-enzyme-gradient"
/* On f whose only registered derivative is forward mode, usable only in
 * forward mode (value: the registration global's name). */
#define ENZYME_FORWARD_ONLY_ATTR "ct-enzyme-forward-only"
/* On f with a registered forward derivative (value: that function's name,
 * kept alive until differentiation): forward mode's tangent of f
 * (tangent_calls.c). */
#define ENZYME_FORWARD_ATTR "ct-enzyme-forward"

/* Metadata on a global variable that carries no derivative (lower.c holds
 * its loads and stores constant). */
#define ENZYME_INACTIVE_MD "ct.inactive_global"

/* What the user's augmented forward returns (Enzyme's convention): nothing,
 * f's result, the tape, or the struct { tape; result }. */
typedef enum { EZ_AUG_NONE, EZ_AUG_RESULT, EZ_AUG_TAPE, EZ_AUG_BOTH } ez_aug_kind;

/* A checked registration. */
typedef struct {
  LLVMValueRef f;       /* the function the derivative is for */
  LLVMValueRef aug;     /* the augmented forward, NULL for a forward derivative */
  LLVMValueRef deriv;   /* the gradient, or the forward derivative */
  int forward;          /* deriv is a forward derivative of a function of scalars */
  ct_spec spec;         /* f's activity: which parameters have derivatives */
  LLVMTypeRef tape;     /* the tape's type (the gradient's last parameter), or NULL */
  ez_aug_kind aug_kind;
  const char *global;   /* the registration's name (in messages) */
} ez_rule;

/* PipelineStart, after the annotations, before custom_hide_bodies: reads
 * and deletes the globals __enzyme_register_gradient_* ({f, augmented
 * forward, gradient}), __enzyme_register_derivative_* ({f, forward
 * derivative}), __enzyme_register_splitderivative_*, __enzyme_inactivefn*
 * and __enzyme_inactive_global*, and the "enzyme_inactive" and
 * "enzyme_nofree" string attributes of functions and calls; builds the
 * adapters of each registration; malformed ones are errors at the user's
 * function. Returns whether anything changed. */
int enzyme_lower_registrations(ct_module *m);
/* An "enzyme_inactive", "enzyme_const" or "enzyme_nofree" annotation
 * (__attribute__((annotate(...))), or the frontend's enzyme_inactive /
 * enzyme_nofree attributes) on a function or a global variable: an
 * inactive function's calls have no derivative, an inactive global carries
 * none; nofree is a promise Cotangent does not need. Returns 1 if `text` is
 * one of them. */
int enzyme_annotation(ct_module *m, LLVMValueRef target, const char *text, size_t len);
/* Operator lowering: a call, in the code `fn` differentiates, of a function
 * whose only registered derivative is forward mode is an error at the
 * operator call `site` (of `caller`); returns 0 then. */
int enzyme_check_forward_only(ct_module *m, LLVMValueRef fn, LLVMValueRef caller, LLVMValueRef site,
                              const char *op);
/* After the gradients are made: the adapters are no longer kept alive, and
 * those nothing calls are deleted. */
void enzyme_release_adapters(ct_module *m);

/* enzyme_adapters.c: builds __ct_aug_<f> and __ct_rev_<f> (and the
 * reverse's release twin, release.h) for a checked rule (f's hidden
 * declaration takes f's uses later, the adapters' calls of f included).
 * Returns 0 (after an error at f) when those names are taken. */
int enzyme_build_adapters(ct_module *m, const ez_rule *r);
/* The type the user's function returns its result in: the pointee of its
 * sret parameter when it has one, else its return type. */
LLVMTypeRef enzyme_result_type(LLVMValueRef fn, int *sret);

#endif
