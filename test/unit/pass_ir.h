/* Helpers for the unit tests of the pass's C core (test_rules.c,
 * test_activity.c, test_plan.c): a module from IR text (LLVM-C's IR
 * reader) or built with the LLVM-C builder, the pass's ct_module over it,
 * values found by name, and the diagnostics the pass reports, collected
 * instead of printed (an error does not end the test program). */
#ifndef COTANGENT_TEST_PASS_IR_H
#define COTANGENT_TEST_PASS_IR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <llvm-c/Core.h>
#include <llvm-c/IRReader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define TEST_DATALAYOUT                                                                                               \
  "target datalayout = \"e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128\"\n"       \
  "target triple = \"x86_64-pc-linux-gnu\"\n"

/* The diagnostics reported while a test ran: their texts, one a line. */
typedef struct {
  char text[4096];
  int errors, warnings;
} test_diags;

static inline void test_diag_handler(LLVMDiagnosticInfoRef di, void *data) {
  test_diags *d = data;
  char *msg = LLVMGetDiagInfoDescription(di);
  LLVMDiagnosticSeverity sev = LLVMGetDiagInfoSeverity(di);
  d->errors += sev == LLVMDSError;
  d->warnings += sev == LLVMDSWarning;
  size_t used = strlen(d->text);
  snprintf(d->text + used, sizeof d->text - used, "%s\n", msg);
  LLVMDisposeMessage(msg);
}

/* A context, its module and the pass's view of it. */
typedef struct {
  LLVMContextRef ctx;
  ct_module m;
  test_diags diags;
} test_module;

/* Parses `ir` (after the x86-64 data layout) into t; fails the test on a
 * parse error. Free with test_module_free. */
static inline void test_module_parse(test_module *t, const char *ir) {
  memset(t, 0, sizeof *t);
  t->ctx = LLVMContextCreate();
  LLVMContextSetDiagnosticHandler(t->ctx, test_diag_handler, &t->diags);
  size_t n = strlen(TEST_DATALAYOUT) + strlen(ir) + 1;
  char *text = malloc(n);
  snprintf(text, n, "%s%s", TEST_DATALAYOUT, ir);
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(text, n - 1, "test.ll");
  free(text);
  LLVMModuleRef mod = NULL;
  char *err = NULL;
  if (LLVMParseIRInContext(t->ctx, buf, &mod, &err)) {
    fprintf(stderr, "IR does not parse: %s\n", err);
    LLVMDisposeMessage(err);
    fail();
  }
  t->m.mod = mod;
  t->m.ctx = t->ctx;
  t->m.b = LLVMCreateBuilderInContext(t->ctx);
}

/* An empty module (for IR built with the builder). */
static inline void test_module_empty(test_module *t) {
  memset(t, 0, sizeof *t);
  t->ctx = LLVMContextCreate();
  LLVMContextSetDiagnosticHandler(t->ctx, test_diag_handler, &t->diags);
  t->m.mod = LLVMModuleCreateWithNameInContext("test", t->ctx);
  t->m.ctx = t->ctx;
  t->m.b = LLVMCreateBuilderInContext(t->ctx);
}

static inline void test_module_free(test_module *t) {
  LLVMDisposeBuilder(t->m.b);
  if (t->m.mod)
    LLVMDisposeModule(t->m.mod);
  LLVMContextDispose(t->ctx);
}

static inline LLVMValueRef test_function(test_module *t, const char *name) {
  LLVMValueRef f = LLVMGetNamedFunction(t->m.mod, name);
  assert_non_null(f);
  return f;
}

/* The argument, instruction or block (as a value) of fn named `name`;
 * fails the test when there is none. */
static inline LLVMValueRef test_value(LLVMValueRef fn, const char *name) {
  size_t len = strlen(name), n = 0;
  for (unsigned i = 0; i < LLVMCountParams(fn); ++i)
    if (!strcmp(LLVMGetValueName2(LLVMGetParam(fn, i), &n), name))
      return LLVMGetParam(fn, i);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
    if (!strcmp(LLVMGetBasicBlockName(bb), name))
      return LLVMBasicBlockAsValue(bb);
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      const char *s = LLVMGetValueName2(inst, &n);
      if (n == len && !memcmp(s, name, len))
        return inst;
    }
  }
  fprintf(stderr, "no value named '%s'\n", name);
  fail();
  return NULL;
}

static inline LLVMBasicBlockRef test_block(LLVMValueRef fn, const char *name) {
  return LLVMValueAsBasicBlock(test_value(fn, name));
}

/* A spec of fn: one activity letter per parameter ('a' active, 'd'
 * duplicated, 'c' constant), the result differentiated when it is not
 * void. */
static inline ct_spec test_spec(LLVMValueRef fn, const char *acts) {
  ct_spec s = {.fn = fn, .nparams = LLVMCountParams(fn)};
  assert_int_equal(strlen(acts), s.nparams);
  for (unsigned i = 0; i < s.nparams; ++i)
    s.act[i] = acts[i] == 'a' ? ACT_ACTIVE : acts[i] == 'd' ? ACT_DUP : ACT_CONST;
  s.ret_active = LLVMGetTypeKind(LLVMGetReturnType(LLVMGlobalGetValueType(fn))) != LLVMVoidTypeKind;
  return s;
}

#endif
