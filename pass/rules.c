/* The derivative rule table (data) and the small evaluator that turns a
 * row's expressions into IR, over real values and, for the rows of C99
 * complex functions, complex ones; how a call's arguments make up a row's
 * operands. See rules.h for the expression language. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TWO_OVER_SQRT_PI "1.1283791670955126"
#define LN2 "0.6931471805599453"
#define LN10 "2.302585092994046"

/* Real rows leave `complex` out (0). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/* clang-format off */
static const ct_rule RULES[] = {
  /* instructions */
  {NULL, LLVMFAdd,  2, {"d", "d"}},
  {NULL, LLVMFSub,  2, {"d", "d neg"}},
  {NULL, LLVMFMul,  2, {"d b *", "d a *"}},
  {NULL, LLVMFDiv,  2, {"d b /", "d r * b / neg"}},
  {NULL, LLVMFRem,  2, {"d", "d a b / trunc * neg"}},
  {NULL, LLVMFNeg,  1, {"d neg"}},
  {NULL, LLVMFPExt, 1, {"d"}},
  {NULL, LLVMFPTrunc, 1, {"d"}},
  {NULL, LLVMSelect, 3, {NULL, "a d 0 sel", "a 0 d sel"}},
  /* libm functions (double, float and long double names) and LLVM intrinsics */
  {"sqrt sqrtf sqrtl llvm.sqrt", 0, 1, {"d 2 r * /"}},
  {"cbrt cbrtf cbrtl",           0, 1, {"d 3 r r * * /"}},
  {"sin sinf sinl llvm.sin",     0, 1, {"d a cos *"}},
  {"cos cosf cosl llvm.cos",     0, 1, {"d a sin * neg"}},
  {"tan tanf tanl llvm.tan",     0, 1, {"d 1 r r * + *"}},
  {"asin asinf asinl llvm.asin", 0, 1, {"d 1 a a * - sqrt /"}},
  {"acos acosf acosl llvm.acos", 0, 1, {"d 1 a a * - sqrt / neg"}},
  {"atan atanf atanl llvm.atan", 0, 1, {"d 1 a a * + /"}},
  {"atan2 atan2f atan2l",        0, 2, {"d b * a a * b b * + /", "d a * neg a a * b b * + /"}},
  {"sinh sinhf sinhl llvm.sinh", 0, 1, {"d a cosh *"}},
  {"cosh coshf coshl llvm.cosh", 0, 1, {"d a sinh *"}},
  {"tanh tanhf tanhl llvm.tanh", 0, 1, {"d 1 r r * - *"}},
  {"asinh asinhf asinhl",        0, 1, {"d 1 a a * + sqrt /"}},
  {"acosh acoshf acoshl",        0, 1, {"d a a * 1 - sqrt /"}},
  {"atanh atanhf atanhl",        0, 1, {"d 1 a a * - /"}},
  {"exp expf expl llvm.exp",     0, 1, {"d r *"}},
  {"exp2 exp2f exp2l llvm.exp2", 0, 1, {"d r * " LN2 " *"}},
  {"exp10 exp10f exp10l llvm.exp10", 0, 1, {"d r * " LN10 " *"}},
  {"expm1 expm1f expm1l",        0, 1, {"d r 1 + *"}},
  {"log logf logl llvm.log",     0, 1, {"d a /"}},
  {"log2 log2f log2l llvm.log2", 0, 1, {"d a " LN2 " * /"}},
  {"log10 log10f log10l llvm.log10", 0, 1, {"d a " LN10 " * /"}},
  {"log1p log1pf log1pl",        0, 1, {"d a 1 + /"}},
  /* x^0 is constant 1: its derivative is 0 even at x = 0 */
  {"pow powf powl llvm.pow",     0, 2, {"b 0 feq 0 d b * a b r powm1 * sel", "r 0 feq 0 d r * a log * sel"}},
  {"llvm.powi",                  0, 2, {"b itof 0 feq 0 d b itof * a b itof 1 - pow * sel", NULL}},
  {"ldexp ldexpf ldexpl scalbn scalbnf scalbnl scalbln scalblnf scalblnl llvm.ldexp",
                                 0, 2, {"d b ldexp", NULL}},
  /* x = m 2^e with m in [0.5, 1): dm/dx = 2^-e = m / x exactly (1 at 0,
     where e = 0); the exponent written through the pointer is an integer */
  {"frexp frexpf frexpl",        0, 2, {"a 0 feq d d r a / * sel", NULL}},
  /* the fractional part; the integral part written through the pointer is
     piecewise constant (prepare_libm_calls stores it again explicitly) */
  {"modf modff modfl",           0, 2, {"d", NULL}},
  /* at hypot(0, 0) (a kink) the zero subgradient, not 0/0 */
  {"hypot hypotf hypotl",        0, 2, {"r 0 feq 0 d a * r / sel", "r 0 feq 0 d b * r / sel"}},
  {"fabs fabsf fabsl llvm.fabs", 0, 1, {"d 1 a copysign *"}},
  /* ties: the first operand (README, "Ties of max and min"; a > b ? a : b
     stays a select, libm_calls.c) */
  {"fmin fminf fminl llvm.minnum llvm.minimum", 0, 2, {"r a feq d 0 sel", "r a feq 0 d sel"}},
  {"fmax fmaxf fmaxl llvm.maxnum llvm.maximum", 0, 2, {"r a feq d 0 sel", "r a feq 0 d sel"}},
  /* fdim(a, b) = a > b ? a - b : 0 (at a tie the result is 0: no adjoint) */
  {"fdim fdimf fdiml",           0, 2, {"r 0 feq 0 d sel", "r 0 feq 0 d neg sel"}},
  {"copysign copysignf copysignl llvm.copysign", 0, 2, {"d 1 a copysign * 1 r copysign *", NULL}},
  {"fma fmaf fmal llvm.fma llvm.fmuladd", 0, 3, {"d b *", "d a *", "d"}},
  {"erf erff erfl",              0, 1, {"d " TWO_OVER_SQRT_PI " * a a * neg exp *"}},
  {"erfc erfcf erfcl",           0, 1, {"d " TWO_OVER_SQRT_PI " * a a * neg exp * neg"}},
  /* Gamma: (ln |Gamma|)' = digamma, Gamma' = Gamma digamma; lgamma_r's sign
     is an integer written through the pointer */
  {"lgamma lgammaf lgammal",     0, 1, {"d a digamma *"}},
  {"lgamma_r lgammaf_r lgammal_r", 0, 2, {"d a digamma *", NULL}},
  {"tgamma tgammaf tgammal",     0, 1, {"d r * a digamma *"}},
  /* Bessel functions: J0' = -J1, J1' = J0 - J1/x (1/2 at 0), Jn' =
     (J(n-1) - J(n+1)) / 2, and the same for Y; the order is an integer */
  {"j0 j0f j0l",                 0, 1, {"d a j1 * neg"}},
  {"j1 j1f j1l",                 0, 1, {"a 0 feq d 0.5 * d a j0 r a / - * sel"}},
  {"y0 y0f y0l",                 0, 1, {"d a y1 * neg"}},
  {"y1 y1f y1l",                 0, 1, {"d a y0 r a / - *"}},
  {"jn jnf jnl",                 0, 2, {NULL, "d a dec b jn a inc b jn - 0.5 * *"}},
  {"yn ynf ynl",                 0, 2, {NULL, "d a dec b yn a inc b yn - 0.5 * *"}},
  /* remainders: r = a - n b with n = trunc(a / b) (fmod, frem) or the
     nearest integer, ties to even (remainder, remquo, whose quotient bits
     are an integer written through the pointer) */
  {"fmod fmodf fmodl",           0, 2, {"d", "d a b / trunc * neg"}},
  {"remainder remainderf remainderl", 0, 2, {"d", "d a b / roundeven * neg"}},
  {"remquo remquof remquol",     0, 3, {"d", "d a b / roundeven * neg", NULL}},
  /* piecewise constant: zero derivative almost everywhere */
  {"floor floorf floorl llvm.floor ceil ceilf ceill llvm.ceil trunc truncf truncl llvm.trunc "
   "round roundf roundl llvm.round rint rintf rintl llvm.rint nearbyint nearbyintf nearbyintl "
   "llvm.nearbyint roundeven roundevenf roundevenl llvm.roundeven logb logbf logbl", 0, 1, {NULL}},
  /* complex numbers (rules.h): w = f(z), the adjoint of z is conj(f'(z))
     times that of w; __muldc3: w = a b; __divdc3: w = a / b, dw/db = -w/b;
     cabs(z) = |z| (0 at 0, like hypot); carg(z) = atan2(Im z, Re z), whose
     gradient i z / |z|^2 = i / conj(z) (0 at 0, like atan2's kink) */
  {"creal crealf",               0, 1, {"d"}, 1},
  {"cimag cimagf",               0, 1, {"d muli"}, 1},
  {"conj conjf",                 0, 1, {"d conj"}, 1},
  {"cexp cexpf",                 0, 1, {"d r conj *"}, 1},
  {"clog clogf",                 0, 1, {"d a conj /"}, 1},
  {"csqrt csqrtf",               0, 1, {"d r conj 2 * /"}, 1},
  {"cabs cabsf",                 0, 1, {"r 0 feq 0 a d * r / sel"}, 1},
  {"carg cargf",                 0, 1, {"a norm 0 feq 0 d a conj / muli sel"}, 1},
  {"__muldc3 __mulsc3 __mulxc3", 0, 2, {"d b conj *", "d a conj *"}, 1},
  {"__divdc3 __divsc3 __divxc3", 0, 2, {"d b conj /", "d b conj / r conj * neg"}, 1},
};
/* clang-format on */
#pragma GCC diagnostic pop

/* ---- tokens ----
 * Rows name their callees, and expressions their symbols, as words
 * separated by spaces. */

/* The next word at *p (which moves past it), with its length in *n; NULL
 * at the end. */
static const char *next_token(const char **p, size_t *n) {
  const char *s = *p;
  while (*s == ' ')
    ++s;
  *n = strcspn(s, " ");
  *p = s + *n;
  return *n ? s : NULL;
}

static int name_in_list(const char *list, const char *name, size_t len) {
  size_t n;
  for (const char *p = list, *tok; (tok = next_token(&p, &n));)
    if (n == len && memcmp(tok, name, len) == 0)
      return 1;
  return 0;
}

/* Every operator of the expressions (rules.h), how many values it pops (it
 * pushes one), and how it is emitted. */
typedef enum {
  OP_ARITH,
  OP_NEG,
  OP_CONJ,
  OP_MULI,
  OP_NORM,
  OP_INTRINSIC,
  OP_POWM1,
  OP_LDEXP,
  OP_ITOF,
  OP_INT_STEP,
  OP_LIBM,
  OP_FEQ,
  OP_SEL
} ct_op_kind;
static const struct {
  const char *name;
  unsigned pops;
  ct_op_kind kind;
  const char *callee; /* OP_INTRINSIC: over the expression's type; OP_LIBM: the
                         double function's name (float and long double ones
                         add f, l) */
} OPERATORS[] = {
    {"+", 2, OP_ARITH, NULL},
    {"-", 2, OP_ARITH, NULL},
    {"*", 2, OP_ARITH, NULL},
    {"/", 2, OP_ARITH, NULL},
    {"neg", 1, OP_NEG, NULL},
    {"conj", 1, OP_CONJ, NULL},
    {"muli", 1, OP_MULI, NULL},
    {"norm", 1, OP_NORM, NULL},
    {"sqrt", 1, OP_INTRINSIC, "llvm.sqrt"},
    {"sin", 1, OP_INTRINSIC, "llvm.sin"},
    {"cos", 1, OP_INTRINSIC, "llvm.cos"},
    {"exp", 1, OP_INTRINSIC, "llvm.exp"},
    {"log", 1, OP_INTRINSIC, "llvm.log"},
    {"sinh", 1, OP_INTRINSIC, "llvm.sinh"},
    {"cosh", 1, OP_INTRINSIC, "llvm.cosh"},
    {"abs", 1, OP_INTRINSIC, "llvm.fabs"},
    {"trunc", 1, OP_INTRINSIC, "llvm.trunc"},
    {"roundeven", 1, OP_INTRINSIC, "llvm.roundeven"},
    {"pow", 2, OP_INTRINSIC, "llvm.pow"},
    {"copysign", 2, OP_INTRINSIC, "llvm.copysign"},
    {"powm1", 3, OP_POWM1, NULL},
    {"ldexp", 2, OP_LDEXP, NULL},
    {"itof", 1, OP_ITOF, NULL},
    {"inc", 1, OP_INT_STEP, NULL},
    {"dec", 1, OP_INT_STEP, NULL},
    {"j0", 1, OP_LIBM, "j0"},
    {"j1", 1, OP_LIBM, "j1"},
    {"y0", 1, OP_LIBM, "y0"},
    {"y1", 1, OP_LIBM, "y1"},
    {"jn", 2, OP_LIBM, "jn"},
    {"yn", 2, OP_LIBM, "yn"},
    {"digamma", 1, OP_LIBM, "__ct_digamma"},
    {"feq", 2, OP_FEQ, NULL},
    {"sel", 3, OP_SEL, NULL},
};
enum { NOPERATORS = sizeof OPERATORS / sizeof OPERATORS[0] };

/* The index of the operator `tok` (n characters) in OPERATORS, or -1. */
static int find_operator(const char *tok, size_t n) {
  for (int i = 0; i < NOPERATORS; ++i)
    if (strlen(OPERATORS[i].name) == n && !memcmp(OPERATORS[i].name, tok, n))
      return i;
  return -1;
}

static int is_number(const char *tok) {
  return (tok[0] >= '0' && tok[0] <= '9') || (tok[0] == '.' && tok[1] && tok[1] != ' ') ||
         (tok[0] == '-' && tok[1] >= '0' && tok[1] <= '9');
}

/* The operand symbol a, b or c as an index, or -1. */
static int operand_symbol(const char *tok, size_t n) { return n == 1 && tok[0] >= 'a' && tok[0] <= 'c' ? tok[0] - 'a' : -1; }

const ct_rule *rules_for_callee(const char *callee, size_t len) {
  /* Intrinsics carry type suffixes: llvm.sin.f64, llvm.powi.f64.i32. */
  if (len > 5 && memcmp(callee, "llvm.", 5) == 0) {
    const char *dot = memchr(callee + 5, '.', len - 5);
    if (dot)
      len = (size_t)(dot - callee);
  }
  for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; ++i)
    if (RULES[i].names && name_in_list(RULES[i].names, callee, len))
      return &RULES[i];
  return NULL;
}

const ct_rule *rules_for_opcode(LLVMOpcode op) {
  for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; ++i)
    if (!RULES[i].names && RULES[i].opcode == op)
      return &RULES[i];
  return NULL;
}

/* ---- the evaluator ---- */

static LLVMValueRef call_intrinsic(ct_module *m, const char *name, LLVMTypeRef *types, unsigned ntypes,
                                   LLVMValueRef *args, unsigned nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (!id)
    return NULL;
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(m->mod, id, types, ntypes);
  LLVMTypeRef fty = LLVMIntrinsicGetType(m->ctx, id, types, ntypes);
  return LLVMBuildCall2(m->b, fty, fn, args, nargs, "");
}

static LLVMValueRef unary_intrinsic(ct_module *m, const char *name, LLVMTypeRef ty, LLVMValueRef x) {
  return call_intrinsic(m, name, &ty, 1, &x, 1);
}

/* x^(y-1) given r = x^y: r / x on the common path, pow on a cold branch
 * (x = 0, r = inf, r = 0 by underflow), so a power's gradient costs one pow
 * call, not two. The branch calls libm's pow, which LLVM does not hoist
 * into a select as it would the intrinsic. Other types, vectors, and
 * builders not at the end of a block compute both and select. */
static LLVMValueRef pow_minus_one(ct_module *m, LLVMTypeRef ty, LLVMValueRef x, LLVMValueRef y, LLVMValueRef r) {
  LLVMBuilderRef b = m->b;
  LLVMValueRef inf = type_const_real(ty, __builtin_inf());
  LLVMValueRef usable = LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealONE, r, LLVMConstNull(ty), ""),
                                     LLVMBuildFCmp(b, LLVMRealONE, unary_intrinsic(m, "llvm.fabs", ty, r), inf, ""),
                                     "");
  LLVMValueRef quotient = LLVMBuildFDiv(b, r, x, "");
  LLVMValueRef pargs[2] = {x, NULL};
  LLVMBasicBlockRef here = LLVMGetInsertBlock(b);
  LLVMTypeKind k = LLVMGetTypeKind(ty);
  const char *libm = k == LLVMDoubleTypeKind ? "pow" : k == LLVMFloatTypeKind ? "powf" : NULL;
  if (!libm || LLVMGetBasicBlockTerminator(here)) {
    pargs[1] = LLVMBuildFSub(b, y, type_const_real(ty, 1.0), "");
    return LLVMBuildSelect(b, usable, quotient, call_intrinsic(m, "llvm.pow", &ty, 1, pargs, 2), "");
  }
  LLVMTypeRef params[2] = {ty, ty};
  LLVMTypeRef fty = LLVMFunctionType(ty, params, 2, 0);
  LLVMValueRef pow_fn = ir_declare_function(m->mod, libm, fty, NULL);
  LLVMValueRef fn = LLVMGetBasicBlockParent(here);
  LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(m->ctx, fn, "pow.slow");
  LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(m->ctx, fn, "pow.join");
  LLVMBuildCondBr(b, usable, join, slow);
  LLVMPositionBuilderAtEnd(b, slow);
  pargs[1] = LLVMBuildFSub(b, y, type_const_real(ty, 1.0), "");
  LLVMValueRef p = LLVMBuildCall2(b, fty, pow_fn, pargs, 2, "");
  LLVMBuildBr(b, join);
  LLVMPositionBuilderAtEnd(b, join);
  LLVMValueRef phi = LLVMBuildPhi(b, ty, "");
  LLVMValueRef vals[2] = {quotient, p};
  LLVMBasicBlockRef from[2] = {here, slow};
  LLVMAddIncoming(phi, vals, from, 2);
  return phi;
}

/* A libm function of the type's name (double: j0, float: j0f, long
 * double: j0l) over x (and y, jn's order first); the runtime's digamma
 * has the same three. NULL for other types. */
static LLVMValueRef libm_call(ct_module *m, const char *base, LLVMTypeRef ty, LLVMValueRef x, LLVMValueRef y) {
  LLVMTypeKind k = LLVMGetTypeKind(ty);
  const char *suffix = k == LLVMDoubleTypeKind      ? ""
                       : k == LLVMFloatTypeKind     ? "f"
                       : k == LLVMX86_FP80TypeKind ? "l"
                                                    : NULL;
  if (!suffix)
    return NULL;
  char name[32];
  snprintf(name, sizeof name, "%s%s", base, suffix);
  LLVMTypeRef params[2] = {y ? LLVMTypeOf(x) : ty, ty};
  LLVMValueRef args[2] = {x, y};
  LLVMTypeRef fty = LLVMFunctionType(ty, params, y ? 2 : 1, 0);
  return LLVMBuildCall2(m->b, fty, ir_declare_function(m->mod, name, fty, NULL), args, y ? 2 : 1, "");
}

/* Emits the real operator `op` over x, y, z (its operands, in order) at
 * m->b. */
static LLVMValueRef emit_operator(ct_module *m, int op, LLVMTypeRef ty, LLVMValueRef x, LLVMValueRef y,
                                  LLVMValueRef z) {
  LLVMBuilderRef b = m->b;
  switch (OPERATORS[op].kind) {
  case OP_ARITH:
    switch (OPERATORS[op].name[0]) {
    case '+': return LLVMBuildFAdd(b, x, y, "");
    case '-': return LLVMBuildFSub(b, x, y, "");
    case '*': return LLVMBuildFMul(b, x, y, "");
    default: return LLVMBuildFDiv(b, x, y, "");
    }
  case OP_NEG:
    return LLVMBuildFNeg(b, x, "");
  case OP_CONJ:
    return x;
  case OP_MULI:
    return NULL; /* complex (emit_value) */
  case OP_NORM:
    return LLVMBuildFMul(b, x, x, "");
  case OP_INTRINSIC: {
    if (OPERATORS[op].pops == 1)
      return unary_intrinsic(m, OPERATORS[op].callee, ty, x);
    LLVMValueRef args[2] = {x, y};
    return call_intrinsic(m, OPERATORS[op].callee, &ty, 1, args, 2);
  }
  case OP_POWM1:
    return pow_minus_one(m, ty, x, y, z);
  case OP_LDEXP: {
    LLVMTypeRef types[2] = {ty, LLVMTypeOf(y)};
    LLVMValueRef args[2] = {x, y};
    return call_intrinsic(m, "llvm.ldexp", types, 2, args, 2);
  }
  case OP_ITOF:
    return LLVMBuildSIToFP(b, x, ty, "");
  case OP_INT_STEP:
    if (LLVMGetTypeKind(LLVMTypeOf(x)) != LLVMIntegerTypeKind)
      return NULL;
    return LLVMBuildAdd(b, x, LLVMConstInt(LLVMTypeOf(x), OPERATORS[op].name[0] == 'i' ? 1 : (unsigned long long)-1, 1),
                        "");
  case OP_LIBM:
    return libm_call(m, OPERATORS[op].callee, ty, x, y);
  case OP_FEQ:
    return LLVMBuildFCmp(b, LLVMRealOEQ, x, y, "");
  case OP_SEL:
    return LLVMBuildSelect(b, x, y, z, "");
  }
  return NULL;
}

/* ---- complex values ----
 * The arithmetic of complex rows: a value's im is NULL when it is real
 * (constants, cabs's result and seed). */

static LLVMValueRef part_or_zero(LLVMValueRef v, LLVMTypeRef ty) { return v ? v : LLVMConstNull(ty); }

static ct_rule_value complex_mul(LLVMBuilderRef b, ct_rule_value x, ct_rule_value y) {
  if (!x.im && !y.im)
    return (ct_rule_value){LLVMBuildFMul(b, x.re, y.re, ""), NULL};
  if (!x.im || !y.im) { /* a real times a complex number */
    ct_rule_value s = x.im ? y : x, z = x.im ? x : y;
    return (ct_rule_value){LLVMBuildFMul(b, s.re, z.re, ""), LLVMBuildFMul(b, s.re, z.im, "")};
  }
  LLVMValueRef re = LLVMBuildFSub(b, LLVMBuildFMul(b, x.re, y.re, ""), LLVMBuildFMul(b, x.im, y.im, ""), "");
  LLVMValueRef im = LLVMBuildFAdd(b, LLVMBuildFMul(b, x.re, y.im, ""), LLVMBuildFMul(b, x.im, y.re, ""), "");
  return (ct_rule_value){re, im};
}

/* x / y = x conj(y) / |y|^2 */
static ct_rule_value complex_div(LLVMBuilderRef b, ct_rule_value x, ct_rule_value y) {
  if (!y.im)
    return (ct_rule_value){LLVMBuildFDiv(b, x.re, y.re, ""), x.im ? LLVMBuildFDiv(b, x.im, y.re, "") : NULL};
  LLVMValueRef n2 = LLVMBuildFAdd(b, LLVMBuildFMul(b, y.re, y.re, ""), LLVMBuildFMul(b, y.im, y.im, ""), "");
  ct_rule_value p = complex_mul(b, x, (ct_rule_value){y.re, LLVMBuildFNeg(b, y.im, "")});
  return (ct_rule_value){LLVMBuildFDiv(b, p.re, n2, ""), LLVMBuildFDiv(b, p.im, n2, "")};
}

/* Operator `op` over x, y, z, complex or real. Operators other than the
 * arithmetic, neg, conj, muli, norm and sel take real values only (re NULL
 * when not). */
static ct_rule_value emit_value(ct_module *m, int op, LLVMTypeRef ty, ct_rule_value x, ct_rule_value y,
                                ct_rule_value z) {
  LLVMBuilderRef b = m->b;
  ct_rule_value none = {NULL, NULL};
  int complex = x.im || y.im || z.im;
  if (OPERATORS[op].kind == OP_MULI) /* i x */
    return (ct_rule_value){x.im ? LLVMBuildFNeg(b, x.im, "") : LLVMConstNull(ty), x.re};
  if (!complex)
    return (ct_rule_value){emit_operator(m, op, ty, x.re, y.re, z.re), NULL};
  switch (OPERATORS[op].kind) {
  case OP_ARITH:
    switch (OPERATORS[op].name[0]) {
    case '+':
    case '-': {
      LLVMValueRef (*f)(LLVMBuilderRef, LLVMValueRef, LLVMValueRef, const char *) =
          OPERATORS[op].name[0] == '+' ? LLVMBuildFAdd : LLVMBuildFSub;
      return (ct_rule_value){f(b, x.re, y.re, ""), f(b, part_or_zero(x.im, ty), part_or_zero(y.im, ty), "")};
    }
    case '*': return complex_mul(b, x, y);
    default: return complex_div(b, x, y);
    }
  case OP_NEG:
    return (ct_rule_value){LLVMBuildFNeg(b, x.re, ""), LLVMBuildFNeg(b, x.im, "")};
  case OP_CONJ:
    return (ct_rule_value){x.re, LLVMBuildFNeg(b, x.im, "")};
  case OP_NORM: /* |x|^2, a real value */
    return (ct_rule_value){LLVMBuildFAdd(b, LLVMBuildFMul(b, x.re, x.re, ""), LLVMBuildFMul(b, x.im, x.im, ""), ""),
                           NULL};
  case OP_SEL:
    if (x.im)
      return none;
    return (ct_rule_value){LLVMBuildSelect(b, x.re, y.re, z.re, ""),
                           LLVMBuildSelect(b, x.re, part_or_zero(y.im, ty), part_or_zero(z.im, ty), "")};
  default:
    return none; /* not defined on complex values */
  }
}

enum { MAX_STACK = 14 };

ct_rule_value rules_emit(ct_module *m, const char *expr, LLVMTypeRef ty, const ct_rule_value *operands,
                         unsigned noperands, ct_rule_value result, ct_rule_value seed) {
  ct_rule_value stack[MAX_STACK + 2], none = {NULL, NULL};
  unsigned sp = 0;
  char tok[32];
  size_t n;
  for (const char *p = expr, *word; (word = next_token(&p, &n));) {
    if (n >= sizeof tok || sp >= MAX_STACK)
      return none;
    memcpy(tok, word, n);
    tok[n] = 0;
    int sym = operand_symbol(tok, n), op = find_operator(tok, n);
    if (!strcmp(tok, "d"))
      stack[sp++] = seed;
    else if (!strcmp(tok, "r"))
      stack[sp++] = result;
    else if (sym >= 0) {
      if ((unsigned)sym >= noperands)
        return none;
      stack[sp++] = operands[sym];
    } else if (is_number(tok))
      stack[sp++] = (ct_rule_value){type_const_real(ty, strtod(tok, NULL)), NULL};
    else if (op >= 0) {
      unsigned pops = OPERATORS[op].pops;
      if (sp < pops)
        return none;
      sp -= pops;
      ct_rule_value x = stack[sp], y = pops > 1 ? stack[sp + 1] : none, z = pops > 2 ? stack[sp + 2] : none;
      if (!(stack[sp++] = emit_value(m, op, ty, x, y, z)).re)
        return none;
    } else
      return none;
  }
  return sp == 1 ? stack[0] : none;
}

/* ---- operands of calls ---- */

int rules_is_complex_type(LLVMTypeRef t) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMStructTypeKind:
    return LLVMCountStructElementTypes(t) == 2 && type_is_fp_scalar(LLVMStructGetTypeAtIndex(t, 0)) &&
           LLVMStructGetTypeAtIndex(t, 1) == LLVMStructGetTypeAtIndex(t, 0);
  case LLVMArrayTypeKind:
    return LLVMGetArrayLength(t) == 2 && type_is_fp_scalar(LLVMGetElementType(t));
  case LLVMVectorTypeKind:
    return LLVMGetVectorSize(t) == 2 && type_is_fp_scalar(LLVMGetElementType(t));
  default:
    return 0;
  }
}

unsigned rules_operand_args(const ct_rule *rule, LLVMValueRef inst, unsigned k, unsigned *first) {
  unsigned nargs = LLVMIsACallInst(inst) ? (unsigned)LLVMGetNumArgOperands(inst) : (unsigned)LLVMGetNumOperands(inst);
  if (!rule->complex) {
    *first = k;
    return k < nargs ? 1 : 0;
  }
  unsigned i = 0;
  for (unsigned j = 0; j < k && i < nargs; ++j)
    i += rules_is_complex_type(LLVMTypeOf(LLVMGetOperand(inst, i))) ? 1 : 2;
  *first = i;
  if (i >= nargs)
    return 0;
  if (rules_is_complex_type(LLVMTypeOf(LLVMGetOperand(inst, i))))
    return 1;
  return i + 1 < nargs && type_is_fp_scalar(LLVMTypeOf(LLVMGetOperand(inst, i))) ? 2 : 0;
}

/* Part i (0 real, 1 imaginary) of a complex number passed whole. */
static LLVMValueRef part(LLVMBuilderRef b, LLVMValueRef v, unsigned i) {
  if (LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetTypeContext(LLVMTypeOf(v)));
    return LLVMBuildExtractElement(b, v, LLVMConstInt(i32, i, 0), "");
  }
  return LLVMBuildExtractValue(b, v, i, "");
}

ct_rule_value rules_value(const ct_rule *rule, LLVMBuilderRef b, LLVMValueRef const *v, unsigned n) {
  if (n == 2)
    return (ct_rule_value){v[0], v[1]};
  if (rule->complex && rules_is_complex_type(LLVMTypeOf(v[0])))
    return (ct_rule_value){part(b, v[0], 0), part(b, v[0], 1)};
  return (ct_rule_value){v[0], NULL};
}

int rules_call_writes_memory(LLVMValueRef call) {
  if (!LLVMIsACallInst(call))
    return 0;
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  for (unsigned i = 0; i < n; ++i)
    if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, i))) == LLVMPointerTypeKind)
      return 1;
  return 0;
}

int rules_may_be_singular(const char *expr) {
  size_t n;
  for (const char *p = expr, *tok; p && (tok = next_token(&p, &n));)
    if ((n == 1 && *tok == '/') || (n == 3 && (!strncmp(tok, "log", 3) || !strncmp(tok, "pow", 3))) ||
        (n == 5 && !strncmp(tok, "powm1", 5)))
      return 1;
  return 0;
}

int rules_uses(const char *expr, char sym) {
  size_t n;
  for (const char *p = expr, *tok; p && (tok = next_token(&p, &n));)
    if (n == 1 && *tok == sym)
      return 1;
  return 0;
}

/* ---- the table's check ---- */

/* What is wrong with one expression of a row of `noperands` operands (a
 * static text), or NULL: every word a symbol, a number or an operator, the
 * operands among the row's, no operator short of values, one value left. */
static const char *expression_error(const char *expr, unsigned noperands) {
  unsigned sp = 0;
  size_t n;
  for (const char *p = expr, *tok; (tok = next_token(&p, &n));) {
    int sym = operand_symbol(tok, n), op = find_operator(tok, n);
    if (n >= 32)
      return "a word longer than 31 characters";
    if (sp >= MAX_STACK)
      return "more than 14 values on the stack";
    if ((n == 1 && (*tok == 'd' || *tok == 'r')) || is_number(tok)) {
      ++sp;
    } else if (sym >= 0) {
      if ((unsigned)sym >= noperands)
        return "an operand the row does not have";
      ++sp;
    } else if (op >= 0) {
      if (sp < OPERATORS[op].pops)
        return "an operator short of values";
      sp -= OPERATORS[op].pops - 1;
    } else {
      return "an unknown word";
    }
  }
  return sp == 1 ? NULL : "not exactly one value left";
}

int ct_check_rules(char *err, size_t n) {
  for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; ++i) {
    const ct_rule *r = &RULES[i];
    char row[64];
    size_t len = 0;
    const char *first = r->names ? next_token(&(const char *){r->names}, &len) : NULL;
    if (first)
      snprintf(row, sizeof row, "'%.*s'", (int)len, first);
    else
      snprintf(row, sizeof row, "of opcode %d", (int)r->opcode);
    if (r->names && !first) {
      snprintf(err, n, "rule table row %zu: no callee names", i);
      return 0;
    }
    if (r->noperands < 1 || r->noperands > RULE_MAX_OPERANDS) {
      snprintf(err, n, "rule table row %s: %u operands (1 to %d)", row, r->noperands, RULE_MAX_OPERANDS);
      return 0;
    }
    for (unsigned k = 0; k < RULE_MAX_OPERANDS; ++k) {
      const char *what = k >= r->noperands && r->adjoint[k] ? "an expression for an operand the row does not have"
                         : r->adjoint[k]                   ? expression_error(r->adjoint[k], r->noperands)
                                                           : NULL;
      if (what) {
        snprintf(err, n, "rule table row %s, operand %u, \"%s\": %s", row, k, r->adjoint[k], what);
        return 0;
      }
    }
  }
  return 1;
}
