/* The derivative rule table: one row per differentiable operation.
 *
 * Each row gives, for each operand, the adjoint contribution as a small
 * expression in reverse Polish notation over these symbols:
 *   d        the adjoint (seed) of the result
 *   r        the primal result
 *   a b c    the primal operands 0, 1, 2
 *   numbers  floating-point constants of the operand's type
 *   + - * /  neg sqrt sin cos exp log sinh cosh abs trunc pow copysign
 *            ldexp
 *   itof     converts an integer operand to the floating-point type
 *   feq      ordered equality (gives a condition)
 *   sel      cond t f -> cond ? t : f
 *   powm1    x y p -> x^(y-1) given p = x^y: p / x where p is finite and
 *            nonzero (no second pow call), else by pow (x = 0, and where
 *            p overflowed or underflowed)
 * A NULL expression means the operand receives no adjoint (zero derivative
 * or not differentiable, e.g. an integer exponent). The operators, with the
 * number of values each takes, are a table in rules.c; when the plugin
 * loads, ct_check_rules (bridge.h) checks every row against it (every word
 * known, the operands among the row's, one value left), so a malformed row
 * stops every compilation at once. */
#ifndef COTANGENT_PASS_RULES_H
#define COTANGENT_PASS_RULES_H

#include "core.h"

enum { RULE_MAX_OPERANDS = 3 };

typedef struct {
  const char *names;  /* space-separated callee names, or NULL for an opcode row */
  LLVMOpcode opcode;  /* for instruction rows */
  unsigned noperands;
  const char *adjoint[RULE_MAX_OPERANDS];
} ct_rule;

/* The row for a call to `callee` (libm name or llvm intrinsic), or NULL. */
const ct_rule *rules_for_callee(const char *callee, size_t len);
/* The row for an instruction opcode, or NULL. */
const ct_rule *rules_for_opcode(LLVMOpcode op);

/* Emits the expression at the builder's position; `ty` is the type of the
 * constants and of floating-point intermediates. Returns NULL when the
 * expression cannot be built for this type (reported by the caller). */
LLVMValueRef rules_emit(ct_module *m, const char *expr, LLVMTypeRef ty, LLVMValueRef const *operands,
                        unsigned noperands, LLVMValueRef result, LLVMValueRef seed);

/* Can the expression be infinite or NaN for finite operands (it divides,
 * or takes a log or a power)? Such contributions are guarded so that a zero
 * seed gives zero. */
int rules_may_be_singular(const char *expr);
/* Does the expression use the symbol `sym` (a, b, c or r)? */
int rules_uses(const char *expr, char sym);

#endif
