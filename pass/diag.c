/* Diagnostics: formatting and location helpers over ct_bridge_diagnose,
 * and the generator's "cannot differentiate" errors (gen_fail*), which
 * every stage of generating a gradient reports through. */
#include "gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* diag_mute: errors held back (the first kept, with its location) */
static int muted;
static char *first_muted;

void diag_mute(int on) {
  muted = on;
  if (on) {
    free(first_muted);
    first_muted = NULL;
  }
}

const char *diag_muted_first(void) { return first_muted; }

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
  if (muted > 1 && sev != CT_SEV_ERROR) { /* diag_mute(2): warnings and remarks dropped */
    free(msg);
    return;
  }
  if (muted && sev == CT_SEV_ERROR) {
    if (!first_muted && msg) {
      char where[160];
      diag_location(at, where, sizeof where);
      first_muted = util_format("%s%s%s", where, *where ? ": " : "", msg);
    }
    free(msg);
    return;
  }
  ct_bridge_diagnose(user_fn, at, sev, msg ? msg : "(out of memory formatting a diagnostic)");
  free(msg);
}

void diag_describe(LLVMValueRef inst, char *buf, size_t n) {
  if (LLVMIsACallInst(inst)) {
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : NULL;
    if (name && len) {
      char readable[512];
      diag_function_name(callee, readable, sizeof readable);
      snprintf(buf, n, "call to '%s'", readable);
    } else if (callee && LLVMIsAInlineAsm(callee))
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

void diag_function_name(LLVMValueRef fn, char *buf, size_t n) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  const char *omp = strstr(name, ".omp_outlined"); /* a parallel region's body is f's */
  if (omp && (size_t)(omp - name) < len)
    len = (size_t)(omp - name);
  if (len > 9 && !memcmp(name + len - 9, ".ct_byval", 9)) /* f's twin taking structs by pointer (struct_args.c) */
    len -= 9;
  ct_bridge_demangle(name, len, buf, n);
}

void gen_fail_plain(ct_gen *g, LLVMValueRef at, const char *what, const char *hint) {
  char fname[512];
  diag_function_name(g->user_fn, fname, sizeof fname);
  diag_report(g->user_fn, at, CT_SEV_ERROR, "cannot differentiate '%s': it %s%s%s", fname, what,
              hint ? "; " : "", hint ? hint : "");
  g->failed = 1;
}

void gen_fail(ct_gen *g, LLVMValueRef inst, const char *what, const char *hint) {
  char desc[256];
  diag_describe(inst, desc, sizeof desc);
  char fname[512];
  diag_function_name(g->user_fn, fname, sizeof fname);
  diag_report(g->user_fn, inst, CT_SEV_ERROR, "cannot differentiate '%s': %s %s%s%s", fname, desc, what, hint ? "; " : "", hint ? hint : "");
  g->failed = 1;
}
