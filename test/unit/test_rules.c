/*
 * Unit tests of the derivative rule table and its evaluator (pass/rules.c):
 * the table passes the check the plugin runs when it loads; rows are found
 * by callee name (intrinsic type suffixes dropped, names matched whole) and
 * by opcode; rules_uses and rules_may_be_singular read expressions; the
 * evaluator rejects malformed expressions (an unknown word, an operator
 * short of values, more than one value left, an operand the row does not
 * have) instead of emitting something; and rows evaluated by running the
 * code rules_emit builds (JIT) match central differences of the libm
 * function, in double and in float, with integer operands where the row
 * has them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "pass_ir.h"
#include "rules.h"

#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <math.h>

/* ---- the table and the lookups ----------------------------------------- */

static void test_table_passes_load_check(void **state) {
  (void)state;
  char err[256] = "";
  assert_int_equal(ct_check_rules(err, sizeof err), 1);
  assert_string_equal(err, "");
}

static const ct_rule *callee(const char *name) { return rules_for_callee(name, strlen(name)); }

static void test_lookup_by_name(void **state) {
  (void)state;
  assert_non_null(callee("sin"));
  assert_int_equal(callee("sin")->noperands, 1);
  /* intrinsics: the type suffixes are not part of the name */
  assert_ptr_equal(callee("llvm.sin.f64"), callee("sin"));
  assert_ptr_equal(callee("llvm.sin.v4f32"), callee("sinf"));
  assert_ptr_equal(callee("llvm.powi.f64.i32"), callee("llvm.powi"));
  /* whole names only: sinh is not sin, expm1 not exp, sinx nothing */
  assert_ptr_not_equal(callee("sinh"), callee("sin"));
  assert_ptr_not_equal(callee("expm1"), callee("exp"));
  assert_null(callee("sinx"));
  assert_null(callee("si"));
  assert_null(callee("llvm.sinx.f64"));
  assert_ptr_equal(rules_for_callee("sinh", 3), callee("sin")); /* the length given counts */
  /* an integer exponent gets no adjoint; piecewise constant functions none */
  assert_int_equal(callee("llvm.powi")->noperands, 2);
  assert_non_null(callee("llvm.powi")->adjoint[0]);
  assert_null(callee("llvm.powi")->adjoint[1]);
  assert_null(callee("floor")->adjoint[0]);
  assert_ptr_equal(callee("llvm.roundeven.f32"), callee("floor"));
  /* opcodes: floating-point instructions only */
  assert_int_equal(rules_for_opcode(LLVMFMul)->noperands, 2);
  assert_null(rules_for_opcode(LLVMFMul)->names);
  assert_int_equal(rules_for_opcode(LLVMSelect)->noperands, 3);
  assert_null(rules_for_opcode(LLVMSelect)->adjoint[0]); /* the condition */
  assert_null(rules_for_opcode(LLVMAdd));
  assert_null(rules_for_opcode(LLVMFCmp));
}

static void test_expression_reading(void **state) {
  (void)state;
  const ct_rule *div = rules_for_opcode(LLVMFDiv);
  /* d(a/b)/db = -d r / b: uses r and b, not a */
  assert_true(rules_uses(div->adjoint[1], 'r'));
  assert_true(rules_uses(div->adjoint[1], 'b'));
  assert_false(rules_uses(div->adjoint[1], 'a'));
  assert_false(rules_uses(callee("sin")->adjoint[0], 'r'));
  assert_true(rules_uses(callee("exp")->adjoint[0], 'r'));
  /* a word is matched whole: "neg" does not use 'n', "sel" not 's' */
  assert_false(rules_uses("d neg", 'n'));
  assert_true(rules_may_be_singular(div->adjoint[0]));
  assert_true(rules_may_be_singular(callee("log")->adjoint[0]));
  assert_true(rules_may_be_singular(callee("pow")->adjoint[1])); /* a log */
  assert_true(rules_may_be_singular(callee("pow")->adjoint[0])); /* powm1 */
  assert_false(rules_may_be_singular(callee("sin")->adjoint[0]));
  assert_false(rules_may_be_singular(rules_for_opcode(LLVMFMul)->adjoint[0]));
  assert_false(rules_may_be_singular(NULL));
}

/* ---- the evaluator ------------------------------------------------------ */

/* A function (double a, double b, double c, double d) with the builder at
 * the end of its entry block. */
static LLVMValueRef begin_function(test_module *t, const char *name, LLVMTypeRef ty) {
  LLVMTypeRef params[4] = {ty, ty, ty, ty};
  LLVMValueRef f = LLVMAddFunction(t->m.mod, name, LLVMFunctionType(ty, params, 4, 0));
  LLVMPositionBuilderAtEnd(t->m.b, LLVMAppendBasicBlockInContext(t->ctx, f, "entry"));
  return f;
}

/* rules_emit over real values (no imaginary parts): the expression's value,
 * or NULL when it cannot be built. */
static LLVMValueRef emit(ct_module *m, const char *expr, LLVMTypeRef ty, const LLVMValueRef *ops, unsigned n,
                         LLVMValueRef result, LLVMValueRef seed) {
  ct_rule_value vals[3] = {{0}};
  for (unsigned k = 0; k < n && k < 3; ++k)
    vals[k].re = ops[k];
  ct_rule_value r = {result, NULL}, d = {seed, NULL};
  return rules_emit(m, expr, ty, vals, n, r, d).re;
}

static void test_emit_rejects_malformed(void **state) {
  (void)state;
  test_module t;
  test_module_empty(&t);
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(t.ctx);
  LLVMValueRef f = begin_function(&t, "f", dbl);
  LLVMValueRef ops[3] = {LLVMGetParam(f, 0), LLVMGetParam(f, 1), LLVMGetParam(f, 2)};
  LLVMValueRef r = LLVMGetParam(f, 2), d = LLVMGetParam(f, 3);
  /* well formed: d * b */
  assert_non_null(emit(&t.m, "d b *", dbl, ops, 2, r, d));
  assert_non_null(emit(&t.m, "d -1.5 *", dbl, ops, 2, r, d));
  /* an unknown word */
  assert_null(emit(&t.m, "d b times", dbl, ops, 2, r, d));
  assert_null(emit(&t.m, "d x *", dbl, ops, 2, r, d));
  /* an operator short of values (* takes two, sel three) */
  assert_null(emit(&t.m, "d *", dbl, ops, 2, r, d));
  assert_null(emit(&t.m, "d b sel", dbl, ops, 2, r, d));
  /* more than one value left, or none */
  assert_null(emit(&t.m, "d b", dbl, ops, 2, r, d));
  assert_null(emit(&t.m, "", dbl, ops, 2, r, d));
  /* an operand the row does not have */
  assert_null(emit(&t.m, "d c *", dbl, ops, 2, r, d));
  assert_non_null(emit(&t.m, "d c *", dbl, ops, 3, r, d));
  /* a word too long for the evaluator */
  assert_null(emit(&t.m, "d 1.0000000000000000000000000000000001 *", dbl, ops, 2, r, d));
  test_module_free(&t);
}

/* ---- rows against central differences ---------------------------------- */

typedef double (*primal_fn)(const double *x);
static double p_sin(const double *x) { return sin(x[0]); }
static double p_tan(const double *x) { return tan(x[0]); }
static double p_asin(const double *x) { return asin(x[0]); }
static double p_acos(const double *x) { return acos(x[0]); }
static double p_atan2(const double *x) { return atan2(x[0], x[1]); }
static double p_tanh(const double *x) { return tanh(x[0]); }
static double p_exp10(const double *x) { return exp10(x[0]); }
static double p_expm1(const double *x) { return expm1(x[0]); }
static double p_log2(const double *x) { return log2(x[0]); }
static double p_log1p(const double *x) { return log1p(x[0]); }
static double p_cbrt(const double *x) { return cbrt(x[0]); }
static double p_pow(const double *x) { return pow(x[0], x[1]); }
static double p_powi(const double *x) { return pow(x[0], (double)(int)x[1]); }
static double p_ldexp(const double *x) { return ldexp(x[0], (int)x[1]); }
static double p_hypot(const double *x) { return hypot(x[0], x[1]); }
static double p_fabs(const double *x) { return fabs(x[0]); }
static double p_fmin(const double *x) { return fmin(x[0], x[1]); }
static double p_copysign(const double *x) { return copysign(x[0], x[1]); }
static double p_fma(const double *x) { return fma(x[0], x[1], x[2]); }
static double p_erfc(const double *x) { return erfc(x[0]); }
static double p_fmod(const double *x) { return fmod(x[0], x[1]); }
static double p_fdiv(const double *x) { return x[0] / x[1]; }
static double p_fsub(const double *x) { return x[0] - x[1]; }
static double p_frem(const double *x) { return fmod(x[0], x[1]); }
static double p_fneg(const double *x) { return -x[0]; }

typedef struct {
  const char *callee; /* libm name or intrinsic, or NULL for `op` */
  LLVMOpcode op;
  unsigned nops;
  int int_operand; /* the operand that is an i32, or -1 */
  primal_fn f;
  double at[3];
} row_case;

static const row_case CASES[] = {
    {"sin", 0, 1, -1, p_sin, {0.7}},
    {"llvm.sin.f64", 0, 1, -1, p_sin, {-2.1}},
    {"tan", 0, 1, -1, p_tan, {0.4}},
    {"asin", 0, 1, -1, p_asin, {0.3}},
    {"acos", 0, 1, -1, p_acos, {-0.6}},
    {"atan2", 0, 2, -1, p_atan2, {0.8, -1.7}},
    {"tanh", 0, 1, -1, p_tanh, {0.9}},
    {"exp10", 0, 1, -1, p_exp10, {0.35}},
    {"expm1", 0, 1, -1, p_expm1, {-0.2}},
    {"log2", 0, 1, -1, p_log2, {3.3}},
    {"log1p", 0, 1, -1, p_log1p, {0.45}},
    {"cbrt", 0, 1, -1, p_cbrt, {2.5}},
    {"pow", 0, 2, -1, p_pow, {1.7, 2.3}},
    {"llvm.pow.f64", 0, 2, -1, p_pow, {0.6, -1.4}},
    {"llvm.powi.f64.i32", 0, 2, 1, p_powi, {1.3, 3}},
    {"ldexp", 0, 2, 1, p_ldexp, {0.8, 3}},
    {"hypot", 0, 2, -1, p_hypot, {-1.2, 0.5}},
    {"fabs", 0, 1, -1, p_fabs, {-0.75}},
    {"fmin", 0, 2, -1, p_fmin, {0.2, 0.9}},
    {"fmin", 0, 2, -1, p_fmin, {1.9, 0.9}},
    {"copysign", 0, 2, -1, p_copysign, {1.5, -2.0}},
    {"fma", 0, 3, -1, p_fma, {1.1, -0.7, 0.3}},
    {"erfc", 0, 1, -1, p_erfc, {0.6}},
    {"fmod", 0, 2, -1, p_fmod, {5.3, 1.2}},
    {NULL, LLVMFDiv, 2, -1, p_fdiv, {1.3, -0.4}},
    {NULL, LLVMFSub, 2, -1, p_fsub, {1.3, -0.4}},
    {NULL, LLVMFRem, 2, -1, p_frem, {-5.3, 1.2}},
    {NULL, LLVMFNeg, 1, -1, p_fneg, {0.6}},
};
enum { NCASES = sizeof CASES / sizeof CASES[0] };

static const ct_rule *row_of(const row_case *c) {
  return c->callee ? rules_for_callee(c->callee, strlen(c->callee)) : rules_for_opcode(c->op);
}

/* The primal operation of case c over ops, at the builder. */
static LLVMValueRef emit_primal(test_module *t, const row_case *c, LLVMTypeRef ty, LLVMValueRef *ops) {
  if (!c->callee)
    return c->op == LLVMFNeg ? LLVMBuildFNeg(t->m.b, ops[0], "r") : LLVMBuildBinOp(t->m.b, c->op, ops[0], ops[1], "r");
  LLVMTypeRef params[3];
  for (unsigned k = 0; k < c->nops; ++k)
    params[k] = LLVMTypeOf(ops[k]);
  LLVMTypeRef fty = LLVMFunctionType(ty, params, c->nops, 0);
  return LLVMBuildCall2(t->m.b, fty, ir_declare_function(t->m.mod, c->callee, fty, NULL), ops, c->nops, "r");
}

/* One function per (case, operand with an adjoint): (a, b, c, seed) -> the
 * operand's adjoint, as rules_emit builds it over `ty` (double or float;
 * the parameters are double, converted). */
static void build_adjoint(test_module *t, const row_case *c, unsigned k, LLVMTypeRef ty, const char *name) {
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(t->ctx), i32 = LLVMInt32TypeInContext(t->ctx);
  LLVMValueRef f = begin_function(t, name, dbl);
  LLVMBuilderRef b = t->m.b;
  LLVMValueRef ops[3];
  for (unsigned j = 0; j < c->nops; ++j)
    ops[j] = (int)j == c->int_operand ? LLVMBuildFPToSI(b, LLVMGetParam(f, j), i32, "")
                                      : LLVMBuildFPCast(b, LLVMGetParam(f, j), ty, "");
  LLVMValueRef seed = LLVMBuildFPCast(b, LLVMGetParam(f, 3), ty, "");
  LLVMValueRef r = emit_primal(t, c, ty, ops);
  LLVMValueRef adj = emit(&t->m, row_of(c)->adjoint[k], ty, ops, c->nops, r, seed);
  assert_non_null(adj);
  LLVMBuildRet(b, LLVMBuildFPCast(b, adj, dbl, ""));
}

/* float variants of the libm names (sinf, powf, ...) and intrinsics */
static void float_name(const row_case *c, char *buf, size_t n) {
  const char *dot = strstr(c->callee, ".f64");
  if (dot)
    snprintf(buf, n, "%.*s.f32%s", (int)(dot - c->callee), c->callee, dot + 4);
  else
    snprintf(buf, n, "%sf", c->callee);
}

static void check_case(const row_case *c, int use_float) {
  test_module t;
  test_module_empty(&t);
  LLVMTypeRef ty = use_float ? LLVMFloatTypeInContext(t.ctx) : LLVMDoubleTypeInContext(t.ctx);
  row_case fc = *c;
  char fname[64];
  if (use_float && c->callee) {
    float_name(c, fname, sizeof fname);
    fc.callee = fname;
  }
  const ct_rule *row = row_of(&fc);
  assert_non_null(row);
  assert_int_equal(row->noperands, c->nops);
  char names[RULE_MAX_OPERANDS][16];
  for (unsigned k = 0; k < c->nops; ++k) {
    snprintf(names[k], sizeof names[k], "adj%u", k);
    if (row->adjoint[k])
      build_adjoint(&t, &fc, k, ty, names[k]);
  }
  LLVMExecutionEngineRef ee;
  char *err = NULL;
  struct LLVMMCJITCompilerOptions opts;
  LLVMInitializeMCJITCompilerOptions(&opts, sizeof opts);
  if (LLVMCreateMCJITCompilerForModule(&ee, t.m.mod, &opts, sizeof opts, &err)) {
    fprintf(stderr, "JIT: %s\n", err);
    fail();
  }
  t.m.mod = NULL; /* owned by the engine */
  for (unsigned k = 0; k < c->nops; ++k) {
    if (!row->adjoint[k] || (int)k == c->int_operand)
      continue;
    double (*adj)(double, double, double, double) =
        (double (*)(double, double, double, double))LLVMGetFunctionAddress(ee, names[k]);
    assert_non_null(adj);
    double x[3] = {c->at[0], c->at[1], c->at[2]}, h = 1e-6 * fmax(1.0, fabs(x[k]));
    x[k] = c->at[k] + h;
    double up = c->f(x);
    x[k] = c->at[k] - h;
    double down = c->f(x);
    double expect = (up - down) / (2 * h);
    double got = adj(c->at[0], c->at[1], c->at[2], 1.0);
    double tol = (use_float ? 1e-4 : 1e-6) * fmax(1.0, fabs(expect));
    if (fabs(got - expect) > tol)
      fprintf(stderr, "%s%s operand %u: adjoint %.10g, central differences %.10g\n",
              fc.callee ? fc.callee : "opcode", use_float && !c->callee ? " (float)" : "", k, got, expect);
    assert_true(fabs(got - expect) <= tol);
    /* linear in the seed */
    assert_true(fabs(adj(c->at[0], c->at[1], c->at[2], -2.5) + 2.5 * got) <= 2.5 * tol);
  }
  LLVMDisposeExecutionEngine(ee);
  test_module_free(&t);
}

static void test_rows_match_differences_double(void **state) {
  (void)state;
  for (unsigned i = 0; i < NCASES; ++i)
    check_case(&CASES[i], 0);
}

static void test_rows_match_differences_float(void **state) {
  (void)state;
  for (unsigned i = 0; i < NCASES; ++i)
    check_case(&CASES[i], 1);
}

int main(void) {
  LLVMLinkInMCJIT();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_passes_load_check),
      cmocka_unit_test(test_lookup_by_name),
      cmocka_unit_test(test_expression_reading),
      cmocka_unit_test(test_emit_rejects_malformed),
      cmocka_unit_test(test_rows_match_differences_double),
      cmocka_unit_test(test_rows_match_differences_float),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
