/* The derivative rule table (data) and the small evaluator that turns a
 * row's expressions into IR. See rules.h for the expression language. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TWO_OVER_SQRT_PI "1.1283791670955126"
#define LN2 "0.6931471805599453"
#define LN10 "2.302585092994046"

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
  /* libm functions and LLVM intrinsics */
  {"sqrt sqrtf llvm.sqrt",       0, 1, {"d 2 r * /"}},
  {"cbrt cbrtf",                 0, 1, {"d 3 r r * * /"}},
  {"sin sinf llvm.sin",          0, 1, {"d a cos *"}},
  {"cos cosf llvm.cos",          0, 1, {"d a sin * neg"}},
  {"tan tanf llvm.tan",          0, 1, {"d 1 r r * + *"}},
  {"asin asinf llvm.asin",       0, 1, {"d 1 a a * - sqrt /"}},
  {"acos acosf llvm.acos",       0, 1, {"d 1 a a * - sqrt / neg"}},
  {"atan atanf llvm.atan",       0, 1, {"d 1 a a * + /"}},
  {"atan2 atan2f",               0, 2, {"d b * a a * b b * + /", "d a * neg a a * b b * + /"}},
  {"sinh sinhf llvm.sinh",       0, 1, {"d a cosh *"}},
  {"cosh coshf llvm.cosh",       0, 1, {"d a sinh *"}},
  {"tanh tanhf llvm.tanh",       0, 1, {"d 1 r r * - *"}},
  {"exp expf llvm.exp",          0, 1, {"d r *"}},
  {"exp2 exp2f llvm.exp2",       0, 1, {"d r * " LN2 " *"}},
  {"exp10 exp10f llvm.exp10",    0, 1, {"d r * " LN10 " *"}},
  {"expm1 expm1f",               0, 1, {"d r 1 + *"}},
  {"log logf llvm.log",          0, 1, {"d a /"}},
  {"log2 log2f llvm.log2",       0, 1, {"d a " LN2 " * /"}},
  {"log10 log10f llvm.log10",    0, 1, {"d a " LN10 " * /"}},
  {"log1p log1pf",               0, 1, {"d a 1 + /"}},
  /* x^0 is constant 1: its derivative is 0 even at x = 0 */
  {"pow powf llvm.pow",          0, 2, {"b 0 feq 0 d b * a b r powm1 * sel", "r 0 feq 0 d r * a log * sel"}},
  {"llvm.powi",                  0, 2, {"b itof 0 feq 0 d b itof * a b itof 1 - pow * sel", NULL}},
  {"ldexp ldexpf llvm.ldexp",    0, 2, {"d b ldexp", NULL}},
  /* at hypot(0, 0) (a kink) the zero subgradient, not 0/0 */
  {"hypot hypotf",               0, 2, {"r 0 feq 0 d a * r / sel", "r 0 feq 0 d b * r / sel"}},
  {"fabs fabsf llvm.fabs",       0, 1, {"d 1 a copysign *"}},
  {"fmin fminf llvm.minnum llvm.minimum", 0, 2, {"r a feq d 0 sel", "r a feq 0 d sel"}},
  {"fmax fmaxf llvm.maxnum llvm.maximum", 0, 2, {"r a feq d 0 sel", "r a feq 0 d sel"}},
  {"copysign copysignf llvm.copysign", 0, 2, {"d 1 a copysign * 1 r copysign *", NULL}},
  {"fma fmaf llvm.fma llvm.fmuladd", 0, 3, {"d b *", "d a *", "d"}},
  {"erf erff",                   0, 1, {"d " TWO_OVER_SQRT_PI " * a a * neg exp *"}},
  {"erfc erfcf",                 0, 1, {"d " TWO_OVER_SQRT_PI " * a a * neg exp * neg"}},
  {"fmod fmodf",                 0, 2, {"d", "d a b / trunc * neg"}},
  /* piecewise constant: zero derivative almost everywhere */
  {"floor floorf llvm.floor ceil ceilf llvm.ceil trunc truncf llvm.trunc "
   "round roundf llvm.round rint rintf llvm.rint nearbyint nearbyintf llvm.nearbyint "
   "roundeven roundevenf llvm.roundeven", 0, 1, {NULL}},
};
/* clang-format on */

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
typedef enum { OP_ARITH, OP_NEG, OP_INTRINSIC, OP_POWM1, OP_LDEXP, OP_ITOF, OP_FEQ, OP_SEL } ct_op_kind;
static const struct {
  const char *name;
  unsigned pops;
  ct_op_kind kind;
  const char *intrinsic; /* OP_INTRINSIC: over the expression's type */
} OPERATORS[] = {
    {"+", 2, OP_ARITH, NULL},
    {"-", 2, OP_ARITH, NULL},
    {"*", 2, OP_ARITH, NULL},
    {"/", 2, OP_ARITH, NULL},
    {"neg", 1, OP_NEG, NULL},
    {"sqrt", 1, OP_INTRINSIC, "llvm.sqrt"},
    {"sin", 1, OP_INTRINSIC, "llvm.sin"},
    {"cos", 1, OP_INTRINSIC, "llvm.cos"},
    {"exp", 1, OP_INTRINSIC, "llvm.exp"},
    {"log", 1, OP_INTRINSIC, "llvm.log"},
    {"sinh", 1, OP_INTRINSIC, "llvm.sinh"},
    {"cosh", 1, OP_INTRINSIC, "llvm.cosh"},
    {"abs", 1, OP_INTRINSIC, "llvm.fabs"},
    {"trunc", 1, OP_INTRINSIC, "llvm.trunc"},
    {"pow", 2, OP_INTRINSIC, "llvm.pow"},
    {"copysign", 2, OP_INTRINSIC, "llvm.copysign"},
    {"powm1", 3, OP_POWM1, NULL},
    {"ldexp", 2, OP_LDEXP, NULL},
    {"itof", 1, OP_ITOF, NULL},
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

/* Emits operator `op` over x, y, z (its operands, in order) at m->b. */
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
  case OP_INTRINSIC: {
    if (OPERATORS[op].pops == 1)
      return unary_intrinsic(m, OPERATORS[op].intrinsic, ty, x);
    LLVMValueRef args[2] = {x, y};
    return call_intrinsic(m, OPERATORS[op].intrinsic, &ty, 1, args, 2);
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
  case OP_FEQ:
    return LLVMBuildFCmp(b, LLVMRealOEQ, x, y, "");
  case OP_SEL:
    return LLVMBuildSelect(b, x, y, z, "");
  }
  return NULL;
}

enum { MAX_STACK = 14 };

LLVMValueRef rules_emit(ct_module *m, const char *expr, LLVMTypeRef ty, LLVMValueRef const *operands,
                        unsigned noperands, LLVMValueRef result, LLVMValueRef seed) {
  LLVMValueRef stack[MAX_STACK + 2];
  unsigned sp = 0;
  char tok[32];
  size_t n;
  for (const char *p = expr, *word; (word = next_token(&p, &n));) {
    if (n >= sizeof tok || sp >= MAX_STACK)
      return NULL;
    memcpy(tok, word, n);
    tok[n] = 0;
    int sym = operand_symbol(tok, n), op = find_operator(tok, n);
    if (!strcmp(tok, "d"))
      stack[sp++] = seed;
    else if (!strcmp(tok, "r"))
      stack[sp++] = result;
    else if (sym >= 0) {
      if ((unsigned)sym >= noperands)
        return NULL;
      stack[sp++] = operands[sym];
    } else if (is_number(tok))
      stack[sp++] = type_const_real(ty, strtod(tok, NULL));
    else if (op >= 0) {
      unsigned pops = OPERATORS[op].pops;
      if (sp < pops)
        return NULL;
      sp -= pops;
      LLVMValueRef x = stack[sp], y = pops > 1 ? stack[sp + 1] : NULL, z = pops > 2 ? stack[sp + 2] : NULL;
      if (!(stack[sp++] = emit_operator(m, op, ty, x, y, z)))
        return NULL;
    } else
      return NULL;
  }
  return sp == 1 ? stack[0] : NULL;
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
