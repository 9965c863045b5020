/* The derivative rule table (data) and the small evaluator that turns a
 * row's expressions into IR. See rules.h for the expression language. */
#include "rules.h"

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

static int name_in_list(const char *list, const char *name, size_t len) {
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, " ");
    if (n == len && memcmp(p, name, len) == 0)
      return 1;
    p += n;
    while (*p == ' ')
      ++p;
  }
  return 0;
}

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

static int is_number(const char *tok) {
  return (tok[0] >= '0' && tok[0] <= '9') || (tok[0] == '.' && tok[1]) ||
         (tok[0] == '-' && tok[1] >= '0' && tok[1] <= '9');
}

LLVMValueRef rules_emit(ct_module *m, const char *expr, LLVMTypeRef ty, LLVMValueRef const *operands,
                        unsigned noperands, LLVMValueRef result, LLVMValueRef seed) {
  LLVMValueRef stack[16];
  int sp = 0;
  LLVMBuilderRef b = m->b;
  char tok[32];
  for (const char *p = expr; *p;) {
    while (*p == ' ')
      ++p;
    size_t n = strcspn(p, " ");
    if (!n)
      break;
    if (n >= sizeof tok || sp >= 14)
      return NULL;
    memcpy(tok, p, n);
    tok[n] = 0;
    p += n;
    LLVMValueRef x, y, z;
#define POP(v)                                                                                          \
  do {                                                                                                  \
    if (sp == 0)                                                                                        \
      return NULL;                                                                                      \
    v = stack[--sp];                                                                                    \
  } while (0)
    if (!strcmp(tok, "d"))
      stack[sp++] = seed;
    else if (!strcmp(tok, "r"))
      stack[sp++] = result;
    else if (tok[1] == 0 && tok[0] >= 'a' && tok[0] <= 'c') {
      unsigned i = (unsigned)(tok[0] - 'a');
      if (i >= noperands)
        return NULL;
      stack[sp++] = operands[i];
    } else if (is_number(tok))
      stack[sp++] = type_const_real(ty, strtod(tok, NULL));
    else if (!strcmp(tok, "+") || !strcmp(tok, "-") || !strcmp(tok, "*") || !strcmp(tok, "/")) {
      POP(y);
      POP(x);
      switch (tok[0]) {
      case '+': stack[sp++] = LLVMBuildFAdd(b, x, y, ""); break;
      case '-': stack[sp++] = LLVMBuildFSub(b, x, y, ""); break;
      case '*': stack[sp++] = LLVMBuildFMul(b, x, y, ""); break;
      default: stack[sp++] = LLVMBuildFDiv(b, x, y, ""); break;
      }
    } else if (!strcmp(tok, "neg")) {
      POP(x);
      stack[sp++] = LLVMBuildFNeg(b, x, "");
    } else if (!strcmp(tok, "sqrt") || !strcmp(tok, "sin") || !strcmp(tok, "cos") ||
               !strcmp(tok, "exp") || !strcmp(tok, "log") || !strcmp(tok, "sinh") ||
               !strcmp(tok, "cosh") || !strcmp(tok, "abs") || !strcmp(tok, "trunc")) {
      char name[32] = "llvm.";
      strcat(name, !strcmp(tok, "abs") ? "fabs" : tok);
      POP(x);
      if (!(stack[sp++] = unary_intrinsic(m, name, ty, x)))
        return NULL;
    } else if (!strcmp(tok, "pow") || !strcmp(tok, "copysign")) {
      char name[32] = "llvm.";
      strcat(name, tok);
      POP(y);
      POP(x);
      LLVMValueRef args[2] = {x, y};
      if (!(stack[sp++] = call_intrinsic(m, name, &ty, 1, args, 2)))
        return NULL;
    } else if (!strcmp(tok, "powm1")) {
      POP(z);
      POP(y);
      POP(x);
      stack[sp++] = pow_minus_one(m, ty, x, y, z);
    } else if (!strcmp(tok, "ldexp")) {
      POP(y);
      POP(x);
      LLVMTypeRef types[2] = {ty, LLVMTypeOf(y)};
      LLVMValueRef args[2] = {x, y};
      if (!(stack[sp++] = call_intrinsic(m, "llvm.ldexp", types, 2, args, 2)))
        return NULL;
    } else if (!strcmp(tok, "itof")) {
      POP(x);
      stack[sp++] = LLVMBuildSIToFP(b, x, ty, "");
    } else if (!strcmp(tok, "feq")) {
      POP(y);
      POP(x);
      stack[sp++] = LLVMBuildFCmp(b, LLVMRealOEQ, x, y, "");
    } else if (!strcmp(tok, "sel")) {
      POP(z);
      POP(y);
      POP(x);
      stack[sp++] = LLVMBuildSelect(b, x, y, z, "");
    } else
      return NULL;
#undef POP
  }
  return sp == 1 ? stack[0] : NULL;
}

int rules_may_be_singular(const char *expr) {
  for (const char *p = expr; p && *p;) {
    while (*p == ' ')
      ++p;
    size_t n = strcspn(p, " ");
    if ((n == 1 && *p == '/') || (n == 3 && (!strncmp(p, "log", 3) || !strncmp(p, "pow", 3))) ||
        (n == 5 && !strncmp(p, "powm1", 5)))
      return 1;
    p += n;
  }
  return 0;
}
