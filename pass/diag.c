/* Diagnostics: formatting and location helpers over ct_bridge_diagnose,
 * and the generator's "cannot differentiate" errors (gen_fail*), which
 * every stage of generating a gradient reports through. */
#include "gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_report(LLVMValueRef user_fn, LLVMValueRef at, ct_severity sev, const char *fmt, ...) {
  /* whole, however long the names in it */
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
  if (msg)
    vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, again);
  va_end(again);
  ct_bridge_diagnose(user_fn, at, sev, msg ? msg : "(out of memory formatting a diagnostic)");
  free(msg);
}

void diag_describe(LLVMValueRef inst, char *buf, size_t n) {
  if (LLVMIsACallInst(inst)) {
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : NULL;
    if (name && len)
      snprintf(buf, n, "call to '%.*s'", (int)len, name);
    else if (callee && LLVMIsAInlineAsm(callee))
      snprintf(buf, n, "inline assembly ('asm' statement)");
    else
      snprintf(buf, n, "indirect call through a function pointer");
    return;
  }
  /* LLVM prints the opcode name first in the instruction text. */
  char *text = LLVMPrintValueToString(inst);
  const char *p = text;
  const char *eq = strstr(text, " = ");
  if (eq)
    p = eq + 3;
  while (*p == ' ')
    ++p;
  size_t len = strcspn(p, " ,"); /* "unreachable, !dbg !7" */
  snprintf(buf, n, "'%.*s' instruction", (int)len, p);
  LLVMDisposeMessage(text);
}

void diag_location(LLVMValueRef inst, char *buf, size_t n) {
  buf[0] = 0;
  if (!inst || !LLVMIsAInstruction(inst))
    return;
  unsigned flen = 0;
  const char *file = LLVMGetDebugLocFilename(inst, &flen);
  unsigned line = LLVMGetDebugLocLine(inst);
  if (file && flen && line)
    snprintf(buf, n, "%.*s:%u:%u", (int)flen, file, line, LLVMGetDebugLocColumn(inst));
}

/* The name users know: a parallel region's body (f.omp_outlined) is f's. */
static const char *user_name(ct_gen *g, size_t *len) {
  const char *fname = LLVMGetValueName2(g->user_fn, len);
  const char *omp = strstr(fname, ".omp_outlined");
  if (omp)
    *len = (size_t)(omp - fname);
  return fname;
}

void gen_fail_plain(ct_gen *g, LLVMValueRef at, const char *what, const char *hint) {
  size_t len = 0;
  const char *fname = user_name(g, &len);
  diag_report(g->user_fn, at, CT_SEV_ERROR, "cannot differentiate '%.*s': it %s%s%s", (int)len, fname, what,
              hint ? "; " : "", hint ? hint : "");
  g->failed = 1;
}

void gen_fail(ct_gen *g, LLVMValueRef inst, const char *what, const char *hint) {
  char desc[256];
  diag_describe(inst, desc, sizeof desc);
  size_t len = 0;
  const char *fname = user_name(g, &len);
  diag_report(g->user_fn, inst, CT_SEV_ERROR, "cannot differentiate '%.*s': %s %s%s%s", (int)len, fname,
              desc, what, hint ? "; " : "", hint ? hint : "");
  g->failed = 1;
}
