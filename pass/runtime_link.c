/* Linking the tape's fast paths into the module.
 *
 * Generated gradients call __ct_tape_push/__ct_tape_pop once per block
 * execution. Their fast paths are a few instructions, so the pass links
 * their bitcode (libcotangent_rt.bc, next to the plugin) into the module
 * as internal functions and inlines them; everything else in the runtime
 * stays an external call resolved by the runtime library at link time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core.h"

#include <dlfcn.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Linker.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const INLINED[] = {"__ct_tape_push", "__ct_tape_pop"};

static int is_inlined(LLVMValueRef f) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(f, &len);
  for (size_t i = 0; i < sizeof INLINED / sizeof INLINED[0]; ++i)
    if (strlen(INLINED[i]) == len && !memcmp(INLINED[i], name, len))
      return 1;
  return 0;
}

static int runtime_bitcode_path(char *buf, size_t n) {
  const char *env = getenv("COTANGENT_RUNTIME_BC");
  if (env && *env) {
    snprintf(buf, n, "%s", env);
    return 1;
  }
  Dl_info info;
  if (!dladdr((void *)&runtime_bitcode_path, &info) || !info.dli_fname)
    return 0;
  const char *slash = strrchr(info.dli_fname, '/');
  int dir = slash ? (int)(slash - info.dli_fname) : 1;
  snprintf(buf, n, "%.*s/libcotangent_rt.bc", dir, slash ? info.dli_fname : ".");
  return 1;
}

/* Turns external definitions other than the fast paths into declarations
 * and drops internal things nothing uses any more. */
static void keep_fast_paths_only(LLVMModuleRef rt) {
  for (LLVMValueRef f = LLVMGetFirstFunction(rt); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f) || LLVMGetLinkage(f) != LLVMExternalLinkage || is_inlined(f))
      continue;
    LLVMBasicBlockRef bb;
    while ((bb = LLVMGetFirstBasicBlock(f)))
      LLVMDeleteBasicBlock(bb);
  }
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(rt), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      if (LLVMGetLinkage(f) == LLVMInternalLinkage && !LLVMGetFirstUse(f)) {
        LLVMDeleteFunction(f);
        changed = 1;
      }
    }
    for (LLVMValueRef g = LLVMGetFirstGlobal(rt), next; g; g = next) {
      next = LLVMGetNextGlobal(g);
      if (LLVMGetLinkage(g) == LLVMInternalLinkage && !LLVMGetFirstUse(g)) {
        LLVMDeleteGlobal(g);
        changed = 1;
      }
    }
  }
}

int runtime_link_tape(ct_module *m) {
  LLVMValueRef push = LLVMGetNamedFunction(m->mod, INLINED[0]);
  if (push && !LLVMIsDeclaration(push))
    return 1;
  char path[4096];
  if (!runtime_bitcode_path(path, sizeof path))
    return 0;
  LLVMMemoryBufferRef buf;
  char *msg = NULL;
  if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)) {
    LLVMDisposeMessage(msg);
    return 0; /* not fatal: the calls resolve against the runtime library */
  }
  LLVMModuleRef rt;
  int bad = LLVMParseBitcodeInContext2(m->ctx, buf, &rt);
  LLVMDisposeMemoryBuffer(buf);
  if (bad)
    return 0;
  if (strcmp(LLVMGetTarget(rt), LLVMGetTarget(m->mod)) != 0) {
    LLVMDisposeModule(rt);
    return 0;
  }
  LLVMSetDataLayout(rt, LLVMGetDataLayoutStr(m->mod));
  keep_fast_paths_only(rt);
  if (LLVMLinkModules2(m->mod, rt))
    return 0;
  for (size_t i = 0; i < sizeof INLINED / sizeof INLINED[0]; ++i) {
    LLVMValueRef f = LLVMGetNamedFunction(m->mod, INLINED[i]);
    if (f && !LLVMIsDeclaration(f))
      LLVMSetLinkage(f, LLVMInternalLinkage);
  }
  return 1;
}
