/* Allocation functions (see alloc.h): the C library's table, a user's
 * allocators (CT_ALLOCATOR, Enzyme's __enzyme_allocation_like, recorded on
 * the function as "ct-allocator" / "ct-deallocator" attributes at pipeline
 * start), declarations marked __attribute__((malloc, alloc_size(...))),
 * and the rewrite of posix_memalign (its block comes back through an
 * out-parameter) into an allocation that returns the block. */
#include "core.h"

#include <llvm-c/DebugInfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The C (and C++) library's allocation functions: size parameters (their
 * product is the byte size), alignment parameter, the block realloc moves,
 * the out-parameter of posix_memalign (rewritten, see alloc_prepare), and
 * the deallocator. */
typedef struct {
  const char *name;
  signed char size0, size1, align, old, out;
  const char *dealloc;
} libc_alloc;

static const libc_alloc LIBC_ALLOCS[] = {
    {"malloc", 0, -1, -1, -1, -1, "free"},
    {"calloc", 0, 1, -1, -1, -1, "free"},
    {"realloc", 1, -1, -1, 0, -1, "free"},
    {"reallocarray", 1, 2, -1, 0, -1, "free"},
    {"aligned_alloc", 1, -1, 0, -1, -1, "free"},
    {"memalign", 1, -1, 0, -1, -1, "free"},
    {"posix_memalign", 2, -1, 1, -1, 0, "free"},
    {"__ct_posix_memalign", 1, -1, 0, -1, -1, "free"},
    /* the runtime's zeroed shadow blocks, met again when a derivative's
       code is differentiated (second derivatives) */
    {"__ct_shadow_calloc", 0, 1, -1, -1, -1, "free"},
    /* operator new / new[] (plain, nothrow, aligned) */
    {"_Znwm", 0, -1, -1, -1, -1, "_ZdlPv"},
    {"_Znam", 0, -1, -1, -1, -1, "_ZdaPv"},
    {"_ZnwmRKSt9nothrow_t", 0, -1, -1, -1, -1, "_ZdlPv"},
    {"_ZnamRKSt9nothrow_t", 0, -1, -1, -1, -1, "_ZdaPv"},
    {"_ZnwmSt11align_val_t", 0, -1, 1, -1, -1, NULL}, /* its delete takes the alignment too */
    {"_ZnamSt11align_val_t", 0, -1, 1, -1, -1, NULL},
};

/* Functions that free the block their first argument points to. */
static const char *const LIBC_FREES[] = {"free",
                                         "_ZdlPv",
                                         "_ZdaPv",
                                         "_ZdlPvm",
                                         "_ZdaPvm",
                                         "_ZdlPvSt11align_val_t",
                                         "_ZdaPvSt11align_val_t",
                                         "_ZdlPvmSt11align_val_t",
                                         "_ZdaPvmSt11align_val_t",
                                         NULL};

#define ALLOC_ATTR "ct-allocator"
#define DEALLOC_ATTR "ct-deallocator"
#define POSIX_MEMALIGN_BLOCK "__ct_posix_memalign"

/* The function `call` calls directly, or NULL. */
static LLVMValueRef direct_callee(LLVMValueRef call) {
  if (!call || !LLVMIsACallInst(call))
    return NULL;
  LLVMValueRef f = LLVMGetCalledValue(call);
  return f && LLVMIsAFunction(f) ? f : NULL;
}

static const libc_alloc *libc_entry(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  for (size_t i = 0; i < sizeof LIBC_ALLOCS / sizeof *LIBC_ALLOCS; ++i)
    if (strlen(LIBC_ALLOCS[i].name) == len && !memcmp(LIBC_ALLOCS[i].name, name, len))
      return &LIBC_ALLOCS[i];
  return NULL;
}

/* Is fn one of the C library's (and C++'s) deallocation functions? */
static int is_libc_free(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  for (const char *const *f = LIBC_FREES; *f; ++f)
    if (strlen(*f) == len && !memcmp(*f, name, len))
      return 1;
  return 0;
}

/* The function `name` of mod, declared with type fty when mod has none
 * (*declared says which). This file sits below ir.c, so it has its own. */
static LLVMValueRef declared_function(LLVMModuleRef mod, const char *name, LLVMTypeRef fty, int *declared) {
  LLVMValueRef f = LLVMGetNamedFunction(mod, name);
  *declared = !f;
  return f ? f : LLVMAddFunction(mod, name, fty);
}

static const char *string_attr(LLVMValueRef fn, const char *kind, unsigned *len) {
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, kind, (unsigned)strlen(kind));
  return a ? LLVMGetStringAttributeValue(a, len) : NULL;
}

static unsigned enum_kind(const char *name) { return LLVMGetEnumAttributeKindForName(name, strlen(name)); }

/* The alignment an `align` attribute promises for the call's result. */
static unsigned long long result_align(LLVMValueRef call, LLVMValueRef fn) {
  LLVMAttributeRef a = LLVMGetCallSiteEnumAttribute(call, LLVMAttributeReturnIndex, enum_kind("align"));
  if (!a)
    a = LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeReturnIndex, enum_kind("align"));
  return a ? LLVMGetEnumAttributeValue(a) : 0;
}

/* "s0,s1,scale,dealloc" ("ct-allocator"): size parameters (-1: none),
 * constant factor, and the deallocator's name when it takes the pointer
 * alone (else empty). */
static int user_alloc(LLVMValueRef fn, ct_alloc_info *info) {
  unsigned len = 0;
  const char *text = string_attr(fn, ALLOC_ATTR, &len);
  if (!text)
    return 0;
  char buf[512];
  if (len >= sizeof buf)
    return 0;
  memcpy(buf, text, len);
  buf[len] = 0;
  int s0 = -1, s1 = -1, used = 0;
  unsigned long long scale = 1;
  if (sscanf(buf, "%d,%d,%llu,%n", &s0, &s1, &scale, &used) < 3 || !used)
    return 0;
  if (info) {
    info->size[0] = s0;
    info->size[1] = s1;
    info->scale = scale;
    info->dealloc_name = NULL;
    info->dealloc = buf[used] ? LLVMGetNamedFunction(LLVMGetGlobalParent(fn), buf + used) : NULL;
  }
  return 1;
}

/* A declaration with __attribute__((malloc)) (noalias result) and
 * alloc_size (LLVM's allocsize: element size parameter << 32 | count
 * parameter, 0xffffffff when there is none). */
static int attribute_alloc(LLVMValueRef fn, ct_alloc_info *info) {
  if (!LLVMIsDeclaration(fn) || !LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeReturnIndex, enum_kind("noalias")))
    return 0;
  LLVMAttributeRef a = LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, enum_kind("allocsize"));
  if (!a)
    return 0;
  unsigned long long v = LLVMGetEnumAttributeValue(a);
  if (info) {
    info->size[0] = (int)(v >> 32);
    info->size[1] = (v & 0xffffffffu) == 0xffffffffu ? -1 : (int)(v & 0xffffffffu);
    unsigned flen = 0;
    const char *family = string_attr(fn, "alloc-family", &flen);
    if (family && flen == 6 && !memcmp(family, "malloc", 6))
      info->dealloc_name = "free";
  }
  return 1;
}

int alloc_call_info(LLVMValueRef call, ct_alloc_info *info) {
  LLVMValueRef fn = direct_callee(call);
  if (!fn || LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMPointerTypeKind)
    return 0;
  ct_alloc_info local;
  ct_alloc_info *out = info ? info : &local;
  memset(out, 0, sizeof *out);
  out->size[0] = out->size[1] = out->align = out->old = -1;
  out->scale = 1;
  const libc_alloc *e = libc_entry(fn);
  if (e && e->out < 0) {
    out->size[0] = e->size0;
    out->size[1] = e->size1;
    out->align = e->align;
    out->old = e->old;
    out->dealloc_name = e->dealloc;
  } else if (!user_alloc(fn, out) && !attribute_alloc(fn, out)) {
    return 0;
  }
  unsigned nargs = (unsigned)LLVMGetNumArgOperands(call);
  for (int k = 0; k < 2; ++k)
    if (out->size[k] >= (int)nargs || (out->size[k] >= 0 &&
                                       LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, (unsigned)out->size[k]))) !=
                                           LLVMIntegerTypeKind))
      return 0; /* a malformed attribute: not an allocation we understand */
  if (out->old >= (int)nargs || out->align >= (int)nargs ||
      (out->old >= 0 && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, (unsigned)out->old))) != LLVMPointerTypeKind))
    return 0;
  out->align_bytes = result_align(call, fn);
  if (out->dealloc_name && !out->dealloc)
    out->dealloc = LLVMGetNamedFunction(LLVMGetGlobalParent(fn), out->dealloc_name);
  return 1;
}

LLVMValueRef alloc_freed_pointer(LLVMValueRef call) {
  LLVMValueRef fn = direct_callee(call);
  if (!fn)
    return NULL;
  int k = -1;
  unsigned alen = 0;
  const char *pos = string_attr(fn, DEALLOC_ATTR, &alen);
  if (is_libc_free(fn))
    k = 0;
  else if (pos && alen && alen < 4)
    k = atoi(pos);
  if (k < 0 || k >= (int)LLVMGetNumArgOperands(call) ||
      LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, (unsigned)k))) != LLVMPointerTypeKind)
    return NULL;
  return LLVMGetOperand(call, (unsigned)k);
}

int alloc_is_sizeless_allocator(LLVMValueRef call) {
  LLVMValueRef fn = direct_callee(call);
  return fn && LLVMIsDeclaration(fn) && !alloc_call_info(call, NULL) &&
         LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeReturnIndex, enum_kind("noalias")) != NULL;
}

int alloc_can_free(LLVMValueRef call) {
  ct_alloc_info info;
  if (!alloc_call_info(call, &info))
    return 0;
  return info.dealloc_name != NULL || (info.dealloc && LLVMCountParams(info.dealloc) == 1);
}

void alloc_build_free(LLVMBuilderRef b, LLVMModuleRef mod, LLVMValueRef call, LLVMValueRef p) {
  ct_alloc_info info;
  alloc_call_info(call, &info);
  LLVMContextRef ctx = LLVMGetModuleContext(mod);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), &ptr, 1, 0);
  int declared = 0;
  LLVMValueRef fn =
      info.dealloc ? info.dealloc : declared_function(mod, info.dealloc_name ? info.dealloc_name : "free", fty, &declared);
  LLVMBuildCall2(b, fty, fn, &p, 1, ""); /* void(ptr), whatever its declaration says */
}

/* ---- pipeline start: a user's allocators ---- */

/* Records fn as an allocator (sizes s0 * s1 * scale, -1: no parameter) and
 * dealloc (freeing the pointer at parameter dptr; `alone`: that is its only
 * parameter the reverse pass must supply) as its deallocator. Neither is
 * inlined: the call is what Cotangent shadows. */
static void mark_allocator(ct_module *m, LLVMValueRef fn, int s0, int s1, unsigned long long scale,
                           LLVMValueRef dealloc, int dptr, int alone) {
  size_t dlen = 0;
  const char *dname = dealloc && alone ? LLVMGetValueName2(dealloc, &dlen) : "";
  char *text = util_format("%d,%d,%llu,%.*s", s0, s1, scale, (int)dlen, dname);
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, ALLOC_ATTR, sizeof ALLOC_ATTR - 1, text,
                                                    (unsigned)strlen(text)));
  free(text);
  LLVMAttributeRef noinline = LLVMCreateEnumAttribute(m->ctx, enum_kind("noinline"), 0);
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, noinline);
  if (!dealloc)
    return;
  char pos[16];
  snprintf(pos, sizeof pos, "%d", dptr);
  LLVMAddAttributeAtIndex(dealloc, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, DEALLOC_ATTR, sizeof DEALLOC_ATTR - 1, pos,
                                                    (unsigned)strlen(pos)));
  LLVMAddAttributeAtIndex(dealloc, LLVMAttributeFunctionIndex, noinline);
}

static LLVMValueRef strip_casts(LLVMValueRef v) {
  while (v && LLVMIsAConstantExpr(v) &&
         (LLVMGetConstOpcode(v) == LLVMBitCast || LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
    v = LLVMGetOperand(v, 0);
  return v;
}

/* An integer stored as a pointer constant: null, or inttoptr (i64 k). */
static int pointer_as_int(LLVMValueRef v, long long *out) {
  if (LLVMIsAConstantPointerNull(v)) {
    *out = 0;
    return 1;
  }
  if (LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMIntToPtr &&
      LLVMIsAConstantInt(LLVMGetOperand(v, 0))) {
    *out = LLVMConstIntGetSExtValue(LLVMGetOperand(v, 0));
    return 1;
  }
  return 0;
}

/* Is parameter k of fn an integer (a size)? */
static int is_int_param(LLVMValueRef fn, long long k) {
  return k >= 0 && k < LLVMCountParams(fn) &&
         LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(fn, (unsigned)k))) == LLVMIntegerTypeKind;
}

static void report(LLVMValueRef fn, const char *what, const char *detail) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  diag_report(fn, NULL, CT_SEV_ERROR, "%s on '%.*s': %s", what, (int)len, name, detail);
}

void alloc_register_annotation(ct_module *m, LLVMValueRef fn, LLVMValueRef args) {
  static const char WHAT[] = "CT_ALLOCATOR(size_param, element_bytes, deallocator)";
  LLVMValueRef init = args && LLVMIsAGlobalVariable(strip_casts(args)) ? LLVMGetInitializer(strip_casts(args)) : NULL;
  if (!init || !LLVMIsAConstantStruct(init) || LLVMGetNumOperands(init) != 3) {
    report(fn, WHAT, "expected three arguments");
    return;
  }
  LLVMValueRef size = LLVMGetOperand(init, 0), scale = LLVMGetOperand(init, 1);
  LLVMValueRef dealloc = strip_casts(LLVMGetOperand(init, 2));
  if (LLVMGetTypeKind(LLVMGetReturnType(LLVMGlobalGetValueType(fn))) != LLVMPointerTypeKind) {
    report(fn, WHAT, "an allocator returns a pointer");
    return;
  }
  long long k = LLVMIsAConstantInt(size) ? LLVMConstIntGetSExtValue(size) : -2;
  if (k != -1 && !is_int_param(fn, k)) {
    report(fn, WHAT, "size_param must be the index (from 0) of an integer parameter, or -1 for a fixed size");
    return;
  }
  long long bytes = LLVMIsAConstantInt(scale) ? LLVMConstIntGetSExtValue(scale) : 0;
  if (bytes <= 0) {
    report(fn, WHAT, "element_bytes must be a positive constant (e.g. sizeof(double))");
    return;
  }
  if (!dealloc || !LLVMIsAFunction(dealloc) || !LLVMCountParams(dealloc) ||
      LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(dealloc, 0))) != LLVMPointerTypeKind) {
    report(fn, WHAT, "deallocator must be a function whose first parameter is the pointer it frees (e.g. free)");
    return;
  }
  mark_allocator(m, fn, (int)k, -1, (unsigned long long)bytes, dealloc, 0, LLVMCountParams(dealloc) == 1);
}

/* Enzyme's convention: a global array named __enzyme_allocation_like...
 * holding {allocator, (void *)size_param, "dealloc indices", deallocator};
 * the indices say what the deallocator is given: -1 the pointer, k >= 0
 * the allocator's argument k ("-1" or "-1,2,3"). */
static void lower_enzyme_allocation(ct_module *m, LLVMValueRef gv) {
  static const char WHAT[] = "__enzyme_allocation_like";
  LLVMValueRef init = LLVMGetInitializer(gv);
  if (!init || LLVMGetNumOperands(init) != 4)
    return;
  LLVMValueRef fn = strip_casts(LLVMGetOperand(init, 0));
  LLVMValueRef dealloc = strip_casts(LLVMGetOperand(init, 3));
  LLVMValueRef str = strip_casts(LLVMGetOperand(init, 2));
  if (!fn || !LLVMIsAFunction(fn))
    return;
  long long k;
  if (!pointer_as_int(LLVMGetOperand(init, 1), &k) || !is_int_param(fn, k)) {
    report(fn, WHAT, "the second element must be the index of the allocator's size parameter");
    return;
  }
  size_t slen = 0;
  const char *indices = str && LLVMIsAGlobalVariable(str) && LLVMGetInitializer(str) &&
                                LLVMIsConstantString(LLVMGetInitializer(str))
                            ? LLVMGetAsString(LLVMGetInitializer(str), &slen)
                            : NULL;
  if (!indices || !dealloc || !LLVMIsAFunction(dealloc)) {
    report(fn, WHAT, "the third element must be the deallocator's argument list (\"-1\") and the fourth the "
                     "deallocator");
    return;
  }
  int dptr = -1, pos = 0, count = 0;
  for (const char *p = indices; p < indices + slen && *p; ++pos, ++count) {
    if (atoi(p) == -1 && dptr < 0)
      dptr = pos;
    const char *comma = memchr(p, ',', (size_t)(indices + slen - p));
    p = comma ? comma + 1 : indices + slen;
  }
  if (dptr < 0 || dptr >= (int)LLVMCountParams(dealloc)) {
    report(fn, WHAT, "the deallocator's argument list must contain -1 (the pointer)");
    return;
  }
  mark_allocator(m, fn, (int)k, -1, 1, dealloc, dptr, count == 1);
}

int alloc_lower_module(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef gv = LLVMGetFirstGlobal(m->mod); gv; gv = LLVMGetNextGlobal(gv)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(gv, &len);
    if (len >= 24 && !memcmp(name, "__enzyme_allocation_like", 24)) {
      lower_enzyme_allocation(m, gv);
      changed = 1;
    }
  }
  return changed;
}

/* ---- preparing a primal: posix_memalign ---- */

/* The runtime's posix_memalign that returns the block (NULL on failure)
 * and keeps the status for __ct_posix_memalign_status; both touch only
 * memory the program cannot see. */
static LLVMValueRef runtime_function(ct_module *m, const char *name, LLVMTypeRef fty, const char *memory, int noalias) {
  int declared = 0;
  LLVMValueRef f = declared_function(m->mod, name, fty, &declared);
  if (declared) {
    /* memory(inaccessiblemem: readwrite) = 0xc, read = 0x4 */
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(m->ctx, enum_kind("memory"), !strcmp(memory, "rw") ? 12 : 4));
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(m->ctx, enum_kind("nounwind"), 0));
    if (noalias)
      LLVMAddAttributeAtIndex(f, LLVMAttributeReturnIndex, LLVMCreateEnumAttribute(m->ctx, enum_kind("noalias"), 0));
  }
  return f;
}

/* posix_memalign(pp, align, size) becomes
 *   p = __ct_posix_memalign(align, size); st = __ct_posix_memalign_status();
 *   *pp = st == 0 ? p : *pp;   (the status replaces the call's result)
 * so the block is a call result like malloc's (and the variable behind pp
 * can become SSA). */
static void rewrite_posix_memalign(ct_module *m, LLVMValueRef call) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx), ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef i32 = LLVMTypeOf(call);
  LLVMTypeRef params[2] = {i64, i64};
  LLVMTypeRef block_ty = LLVMFunctionType(ptr, params, 2, 0), status_ty = LLVMFunctionType(i32, NULL, 0, 0);
  LLVMValueRef block_fn = runtime_function(m, POSIX_MEMALIGN_BLOCK, block_ty, "rw", 1);
  LLVMValueRef status_fn = runtime_function(m, "__ct_posix_memalign_status", status_ty, "r", 0);
  LLVMBuilderRef b = m->b;
  LLVMPositionBuilderBefore(b, call);
  LLVMSetCurrentDebugLocation2(b, LLVMInstructionGetDebugLoc(call));
  LLVMValueRef pp = LLVMGetOperand(call, 0);
  LLVMValueRef args[2] = {LLVMBuildZExtOrBitCast(b, LLVMGetOperand(call, 1), i64, ""),
                          LLVMBuildZExtOrBitCast(b, LLVMGetOperand(call, 2), i64, "")};
  LLVMValueRef p = LLVMBuildCall2(b, block_ty, block_fn, args, 2, "memalign");
  LLVMValueRef st = LLVMBuildCall2(b, status_ty, status_fn, NULL, 0, "memalign.status");
  LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntEQ, st, LLVMConstInt(i32, 0, 0), "");
  LLVMValueRef old = LLVMBuildLoad2(b, ptr, pp, "");
  LLVMBuildStore(b, LLVMBuildSelect(b, ok, p, old, ""), pp);
  LLVMReplaceAllUsesWith(call, st);
  LLVMInstructionEraseFromParent(call);
  LLVMSetCurrentDebugLocation2(b, NULL);
}

void alloc_prepare(ct_module *m, LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      LLVMValueRef callee = direct_callee(inst);
      const libc_alloc *e = callee ? libc_entry(callee) : NULL;
      if (e && e->out >= 0 && LLVMGetNumArgOperands(inst) == 3 &&
          LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMIntegerTypeKind)
        rewrite_posix_memalign(m, inst);
    }
}
