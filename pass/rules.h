/* The derivative rule table: one row per differentiable operation.
 *
 * Each row gives, for each operand, the adjoint contribution as a small
 * expression in reverse Polish notation over these symbols:
 *   d        the adjoint (seed) of the result
 *   r        the primal result
 *   a b c    the primal operands 0, 1, 2
 *   numbers  floating-point constants of the operand's type
 *   + - * /  neg sqrt sin cos exp log sinh cosh abs trunc roundeven pow
 *            copysign ldexp
 *   itof     converts an integer operand to the floating-point type
 *   inc dec  an integer operand plus or minus 1 (a Bessel function's order)
 *   feq      ordered equality (gives a condition)
 *   sel      cond t f -> cond ? t : f
 *   powm1    x y p -> x^(y-1) given p = x^y: p / x where p is finite and
 *            nonzero (no second pow call), else by pow (x = 0, and where
 *            p overflowed or underflowed)
 *   j0 j1 y0 y1   libm's Bessel functions of the operand's type (j0, j0f,
 *            j0l); jn yn: n x -> jn(n, x)
 *   digamma  the digamma function (the runtime's __ct_digamma)
 *   conj     the complex conjugate; muli: times i; norm: |x|^2, a real
 *            value (complex rows)
 * A NULL expression means the operand receives no adjoint (zero derivative
 * or not differentiable, e.g. an integer exponent, or a pointer the call
 * writes an integer or a piecewise-constant value through: frexp's
 * exponent, remquo's quotient, modf's integral part, whose shadow
 * prepare_libm_calls zeroes by an explicit store). The operators, with the
 * number of values each takes, are a table in rules.c; when the plugin
 * loads, ct_check_rules (bridge.h) checks every row against it (every word
 * known, the operands among the row's, one value left), so a malformed row
 * stops every compilation at once.
 *
 * Complex rows (C99 _Complex helpers and libm functions: cexp, __muldc3,
 * ...) compute on complex numbers: the operands a b are complex (each
 * passed as its real and imaginary parts, or as one {T, T} or <2 x T>
 * value, as clang passes them on x86-64), and so are d and r when the
 * function returns a complex number; + - * / neg conj sel then work on
 * complex values and real constants. For a holomorphic f, w = f(z), the
 * adjoint of z is conj(f'(z)) times the adjoint of w (as complex numbers:
 * the gradient of a real loss with respect to the real and imaginary
 * parts). */
#ifndef COTANGENT_PASS_RULES_H
#define COTANGENT_PASS_RULES_H

#include "core.h"

enum { RULE_MAX_OPERANDS = 3 };

typedef struct {
  const char *names;  /* space-separated callee names, or NULL for an opcode row */
  LLVMOpcode opcode;  /* for instruction rows */
  unsigned noperands;
  const char *adjoint[RULE_MAX_OPERANDS];
  int complex; /* operands, seed and result are complex numbers (above) */
} ct_rule;

/* A value of an expression: real (im NULL) or complex. */
typedef struct {
  LLVMValueRef re, im;
} ct_rule_value;

/* The row for a call to `callee` (libm name or llvm intrinsic), or NULL. */
const ct_rule *rules_for_callee(const char *callee, size_t len);
/* The row for an instruction opcode, or NULL. */
const ct_rule *rules_for_opcode(LLVMOpcode op);

/* The call arguments that make up operand k of the row: sets *first to
 * the index of the first and returns how many (1, or 2 for a complex
 * number passed as two parts); 0 when the call has no such operand. */
unsigned rules_operand_args(const ct_rule *rule, LLVMValueRef inst, unsigned k, unsigned *first);
/* Is `t` the type of a complex number passed whole ({T, T}, [2 x T] or
 * <2 x T> of a floating-point T)? */
int rules_is_complex_type(LLVMTypeRef t);
/* The value of `n` call arguments (or of a result or seed, n = 1) as an
 * expression value of the row: a complex number passed whole or as two
 * parts (complex rows), or a real (a vector of a real row stays whole). */
ct_rule_value rules_value(const ct_rule *rule, LLVMBuilderRef b, LLVMValueRef const *v, unsigned n);
/* Emits the expression at the builder's position; `ty` is the type of the
 * constants and of floating-point intermediates (complex rows: the type of
 * the parts). Returns re NULL when the expression cannot be built for this
 * type (reported by the caller). */
ct_rule_value rules_emit(ct_module *m, const char *expr, LLVMTypeRef ty, const ct_rule_value *operands,
                         unsigned noperands, ct_rule_value result, ct_rule_value seed);
/* Does a call of the row write memory through a pointer argument (frexp's
 * exponent, modf's integral part)? */
int rules_call_writes_memory(LLVMValueRef call);

/* Can the expression be infinite or NaN for finite operands (it divides,
 * or takes a log or a power)? Such contributions are guarded so that a zero
 * seed gives zero. */
int rules_may_be_singular(const char *expr);
/* Does the expression use the symbol `sym` (a, b, c or r)? */
int rules_uses(const char *expr, char sym);

#endif
