/* Small shared utilities: the value map, type helpers, the module's
 * list globals, and names built without a length limit. */
#include "core.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static size_t vmap_hash(LLVMValueRef key, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)key;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t)h & (cap - 1);
}

void vmap_init(ct_vmap *m) {
  m->cap = 64;
  m->len = 0;
  m->keys = calloc(m->cap, sizeof *m->keys);
  m->vals = calloc(m->cap, sizeof *m->vals);
}

void vmap_free(ct_vmap *m) {
  free(m->keys);
  free(m->vals);
  m->keys = m->vals = NULL;
  m->cap = m->len = 0;
}

LLVMValueRef vmap_get(const ct_vmap *m, LLVMValueRef key) {
  for (size_t i = vmap_hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == key)
      return m->vals[i];
    if (!m->keys[i])
      return NULL;
  }
}

static void vmap_grow(ct_vmap *m) {
  ct_vmap bigger = {calloc(m->cap * 2, sizeof *m->keys), calloc(m->cap * 2, sizeof *m->vals),
                    m->cap * 2, 0};
  for (size_t i = 0; i < m->cap; ++i)
    if (m->keys[i])
      vmap_set(&bigger, m->keys[i], m->vals[i]);
  vmap_free(m);
  *m = bigger;
}

void vmap_set(ct_vmap *m, LLVMValueRef key, LLVMValueRef val) {
  if (2 * (m->len + 1) > m->cap)
    vmap_grow(m);
  size_t i = vmap_hash(key, m->cap);
  while (m->keys[i] && m->keys[i] != key)
    i = (i + 1) & (m->cap - 1);
  if (!m->keys[i]) {
    m->keys[i] = key;
    m->len++;
  }
  m->vals[i] = val;
}

int type_is_fp_scalar(LLVMTypeRef t) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMHalfTypeKind:
  case LLVMBFloatTypeKind:
  case LLVMFloatTypeKind:
  case LLVMDoubleTypeKind:
  case LLVMX86_FP80TypeKind:
  case LLVMFP128TypeKind:
    return 1;
  default:
    return 0;
  }
}

int type_is_fp(LLVMTypeRef t) {
  LLVMTypeKind k = LLVMGetTypeKind(t);
  if (k == LLVMVectorTypeKind || k == LLVMScalableVectorTypeKind)
    return type_is_fp_scalar(LLVMGetElementType(t));
  return type_is_fp_scalar(t);
}

LLVMValueRef type_const_real(LLVMTypeRef t, double v) {
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e = LLVMConstReal(LLVMGetElementType(t), v);
    LLVMValueRef *elems = malloc(n * sizeof *elems);
    for (unsigned i = 0; i < n; ++i)
      elems[i] = e;
    LLVMValueRef r = LLVMConstVector(elems, n);
    free(elems);
    return r;
  }
  return LLVMConstReal(t, v);
}

LLVMValueRef type_zero(LLVMTypeRef t) { return LLVMConstNull(t); }

const char *util_callee_name(LLVMValueRef inst, size_t *len) {
  *len = 0;
  if (!LLVMIsACallInst(inst))
    return NULL;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee))
    return NULL;
  return LLVMGetValueName2(callee, len);
}

void util_list_edit(ct_module *m, const char *list, LLVMValueRef v, int add) {
  LLVMValueRef old = LLVMGetNamedGlobal(m->mod, list);
  LLVMValueRef init = old ? LLVMGetInitializer(old) : NULL;
  unsigned n = init ? (unsigned)LLVMGetNumOperands(init) : 0, k = 0;
  LLVMTypeRef elem = init ? LLVMGetElementType(LLVMTypeOf(init)) : LLVMPointerTypeInContext(m->ctx, 0);
  LLVMValueRef *elems = malloc((n + 1) * sizeof *elems);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef e = LLVMGetOperand(init, i);
    int is_v = e == v || (LLVMIsAConstantStruct(e) && LLVMGetNumOperands(e) > 0 && LLVMGetOperand(e, 0) == v);
    if (add || !is_v)
      elems[k++] = e;
  }
  if (add)
    elems[k++] = v;
  if (k != n) {
    if (old)
      LLVMDeleteGlobal(old);
    if (k) {
      LLVMValueRef arr = LLVMConstArray2(elem, elems, k);
      LLVMValueRef g = LLVMAddGlobal(m->mod, LLVMTypeOf(arr), list);
      LLVMSetInitializer(g, arr);
      LLVMSetLinkage(g, LLVMAppendingLinkage);
      LLVMSetSection(g, "llvm.metadata");
    }
  }
  free(elems);
}

char *util_format(const char *fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = malloc(n > 0 ? (size_t)n + 1 : 1);
  if (!s) {
    fprintf(stderr, "cotangent: out of memory\n");
    abort();
  }
  if (n > 0)
    vsnprintf(s, (size_t)n + 1, fmt, again);
  else
    s[0] = 0;
  va_end(again);
  return s;
}
