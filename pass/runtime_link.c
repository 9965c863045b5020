/* Linking the tape's fast paths into the module.
 *
 * Generated gradients call __ct_tape_push/__ct_tape_pop once per block
 * execution (and a split reverse __ct_tape_mark/__ct_tape_rewind once per
 * call). Their fast paths are a few instructions, so the pass links
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

static const char *const INLINED[] = {"__ct_tape_push", "__ct_tape_pop", "__ct_tape_mark", "__ct_tape_rewind"};

static int is_inlined(LLVMValueRef f) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(f, &len);
  for (size_t i = 0; i < sizeof INLINED / sizeof INLINED[0]; ++i)
    if (strlen(INLINED[i]) == len && !memcmp(INLINED[i], name, len))
      return 1;
  return 0;
}

static int runtime_bitcode_path(char *buf, size_t n, const char *file) {
  const char *env = ct_switch(strcmp(file, "libcotangent_rt.bc") ? CT_SWITCH_DEVICE_RUNTIME_BC : CT_SWITCH_RUNTIME_BC);
  if (env && *env) {
    snprintf(buf, n, "%s", env);
    return 1;
  }
  Dl_info info;
  if (!dladdr((void *)&runtime_bitcode_path, &info) || !info.dli_fname)
    return 0;
  const char *slash = strrchr(info.dli_fname, '/');
  int dir = slash ? (int)(slash - info.dli_fname) : 1;
  snprintf(buf, n, "%.*s/%s", dir, slash ? info.dli_fname : ".", file);
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

static LLVMModuleRef load_runtime(ct_module *m, const char *file) {
  char path[4096];
  if (!runtime_bitcode_path(path, sizeof path, file))
    return NULL;
  LLVMMemoryBufferRef buf;
  char *msg = NULL;
  if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)) {
    LLVMDisposeMessage(msg);
    return NULL;
  }
  LLVMModuleRef rt;
  int bad = LLVMParseBitcodeInContext2(m->ctx, buf, &rt);
  LLVMDisposeMemoryBuffer(buf);
  return bad ? NULL : rt;
}

static int is_nvptx(LLVMModuleRef mod) { return !strncmp(LLVMGetTarget(mod), "nvptx", 5); }

/* NVPTX: no runtime library exists on the device, so the whole device
 * runtime (lib/gpu/device_rt.c) is linked, as internal functions. `user`
 * is a function for the diagnostic if the bitcode is missing. */
static int link_device_runtime(ct_module *m, LLVMValueRef user) {
  LLVMValueRef marker = LLVMGetNamedFunction(m->mod, "__ct_gpu_zero_shared");
  if (marker && !LLVMIsDeclaration(marker))
    return 1;
  LLVMModuleRef rt = load_runtime(m, "libcotangent_rt_nvptx.bc");
  if (!rt) {
    if (user)
      diag_report(user, NULL, CT_SEV_ERROR,
                  "cannot differentiate NVPTX code: the device runtime libcotangent_rt_nvptx.bc is missing next "
                  "to the plugin (Cotangent was built without clang's NVPTX target)");
    return 0;
  }
  LLVMSetTarget(rt, LLVMGetTarget(m->mod));
  LLVMSetDataLayout(rt, LLVMGetDataLayoutStr(m->mod));
  unsigned n = 0, cap = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(rt); f; f = LLVMGetNextFunction(f))
    cap++;
  char **names = malloc((cap ? cap : 1) * sizeof *names);
  for (LLVMValueRef f = LLVMGetFirstFunction(rt); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f) && LLVMGetLinkage(f) == LLVMExternalLinkage)
      names[n++] = strdup(LLVMGetValueName(f));
  int failed = LLVMLinkModules2(m->mod, rt);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef f = LLVMGetNamedFunction(m->mod, names[i]);
    if (f && !LLVMIsDeclaration(f))
      LLVMSetLinkage(f, LLVMInternalLinkage);
    free(names[i]);
  }
  free(names);
  return !failed;
}

int runtime_link_device(ct_module *m) {
  if (!is_nvptx(m->mod))
    return 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    if (len > 5 && !strncmp(name, "__ct_", 5) && LLVMIsDeclaration(f) && LLVMGetFirstUse(f)) {
      LLVMValueRef user = LLVMGetFirstUse(f) ? LLVMGetUser(LLVMGetFirstUse(f)) : NULL;
      user = user && LLVMIsAInstruction(user) ? LLVMGetBasicBlockParent(LLVMGetInstructionParent(user)) : NULL;
      return link_device_runtime(m, user);
    }
  }
  return 0;
}

int runtime_link_tape(ct_module *m) {
  LLVMValueRef push = LLVMGetNamedFunction(m->mod, INLINED[0]);
  if (push && !LLVMIsDeclaration(push))
    return 1;
  if (is_nvptx(m->mod))
    return link_device_runtime(m, NULL); /* reported at the end (runtime_link_device) if missing */
  LLVMModuleRef rt = load_runtime(m, "libcotangent_rt.bc");
  if (!rt)
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
