/* Diagnostics: formatting and location helpers over ct_bridge_diagnose. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_report(LLVMValueRef user_fn, LLVMValueRef at, ct_severity sev, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ct_bridge_diagnose(user_fn, at, sev, msg);
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
