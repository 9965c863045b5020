/* The names of the differential operators and of the activity markers: one
 * table, read by the pass (operators_*.c, lower.c) and by the attribute
 * frontend (which records facts at each operator call). Plain C without
 * LLVM, so that the frontend library links it too. */
#ifndef COTANGENT_PASS_OPERATOR_NAMES_H
#define COTANGENT_PASS_OPERATOR_NAMES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  OP_NONE, OP_ENZYME_AUTODIFF, OP_ENZYME_AUGMENT, OP_ENZYME_REVERSE, OP_ENZYME_AUGMENTSIZE, OP_CT_GRADIENT,
  OP_CT_VALUE_WITH_GRADIENT, OP_CT_PULLBACK, OP_CT_VALUE_WITH_PULLBACK, OP_CT_GRADIENT_OF,
  /* forward (tangent) mode */
  OP_ENZYME_FWDDIFF, OP_CT_DERIVATIVE, OP_CT_VALUE_WITH_DERIVATIVE, OP_CT_DERIVATIVE_N
} ct_op_kind;

/* The operator a function of this (symbol) name is: Cotangent's by their
 * exact names, Enzyme's by the names they contain (__enzyme_autodiff_x,
 * C++ manglings); a call site's own declaration is its operator. */
ct_op_kind operator_kind_of_name(const char *name, size_t len);
/* The operator's name as users write it (in diagnostics). */
const char *operator_name(ct_op_kind k);
/* Enzyme's ABI (markers enzyme_*, the result holds the derivatives). */
int operator_is_enzyme(ct_op_kind k);
/* Forward mode: each floating-point argument is followed by its tangent
 * value, each pointer by its tangent array (shadow). */
int operator_is_forward(ct_op_kind k);

/* An operator call with facts from the frontend (operators.h) calls a
 * declaration of its own, <operator>SUFFIX<n>. */
#define OPERATOR_SITE_SUFFIX ".ct_site."

/* Activity markers, and Enzyme's split-mode options (enzyme_allocated,
 * size: the tape goes into the caller's buffer of that size; enzyme_tape,
 * p: the tape, or that buffer; enzyme_nofree: the reverse keeps the tape
 * for another run), and its forward mode's result options
 * (enzyme_primal_return: the value too; enzyme_dup_return: the tangent, as
 * by default; enzyme_const_return: no tangent). */
typedef enum {
  MARK_NONE, MARK_OUT, MARK_CONST, MARK_DUP, MARK_DUPNONEED, MARK_CT_CONST, MARK_ALLOCATED, MARK_TAPE, MARK_NOFREE,
  MARK_PRIMAL_RETURN, MARK_DUP_RETURN, MARK_CONST_RETURN,
  /* vector forward mode: enzyme_width, N (N directions); enzyme_dupv,
     byte_stride, x, dx (x's N tangent arrays, byte_stride apart) */
  MARK_WIDTH, MARK_DUPV, MARK_DUPNONEEDV
} ct_marker;

/* The marker a global of this name is (MARK_NONE: none). */
ct_marker marker_of_name(const char *name, size_t len);
/* The name of marker number i (0 <= i < MARKER_COUNT). */
enum { MARKER_COUNT = 14 };
const char *marker_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif
