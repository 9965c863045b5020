/* IR predicates shared by every stage of the pass (see ir.h): what a
 * pointer points into, which function a call calls, which memory a
 * function allocates itself, whether two accesses may overlap; and getting
 * or declaring a function. */
#include "core.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

LLVMValueRef ir_base_object(LLVMValueRef p) {
  for (int depth = 0; depth < 64; ++depth) {
    if (LLVMIsAGetElementPtrInst(p) || LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p))
      p = LLVMGetOperand(p, 0);
    else if (LLVMIsAConstantExpr(p) && (LLVMGetConstOpcode(p) == LLVMGetElementPtr ||
                                        LLVMGetConstOpcode(p) == LLVMBitCast ||
                                        LLVMGetConstOpcode(p) == LLVMAddrSpaceCast))
      p = LLVMGetOperand(p, 0);
    else
      break;
  }
  return p;
}

int ir_points_nowhere(LLVMValueRef p) {
  p = ir_base_object(p);
  if (LLVMIsAConstantPointerNull(p) || LLVMIsAUndefValue(p))
    return 1;
  return LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMIntToPtr && LLVMIsAConstantInt(LLVMGetOperand(p, 0));
}

int ir_is_local(LLVMValueRef v) { return LLVMIsAInstruction(v) != NULL; }

int ir_param_index(LLVMValueRef v) {
  if (!LLVMIsAArgument(v))
    return -1;
  LLVMValueRef fn = LLVMGetParamParent(v);
  unsigned n = LLVMCountParams(fn);
  for (unsigned i = 0; i < n; ++i)
    if (LLVMGetParam(fn, i) == v)
      return (int)i;
  return -1;
}

int ir_callee_is(LLVMValueRef call, const char *const *names) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  for (; *names; ++names)
    if (strlen(*names) == len && !memcmp(*names, name, len))
      return 1;
  return 0;
}

int ir_is_allocation(LLVMValueRef v) { return LLVMIsACallInst(v) && alloc_call_info(v, NULL); }

int ir_is_local_allocation(LLVMValueRef base) { return LLVMIsAAllocaInst(base) || ir_is_allocation(base); }

const char *ir_mem_intrinsic(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  if (!name)
    return NULL;
  static const char *const KINDS[] = {"memcpy", "memmove", "memset"};
  for (size_t i = 0; i < 3; ++i) {
    size_t k = strlen(KINDS[i]);
    if (len > k + 6 && !strncmp(name, "llvm.", 5) && !strncmp(name + 5, KINDS[i], k) && name[5 + k] == '.')
      return KINDS[i];
  }
  return NULL;
}

int ir_is_dispatch_fallback(LLVMValueRef call) {
  return LLVMIsACallInst(call) &&
         LLVMGetMetadata(call, LLVMGetMDKindIDInContext(LLVMGetTypeContext(LLVMTypeOf(call)), IR_DISPATCH_FALLBACK,
                                                       sizeof IR_DISPATCH_FALLBACK - 1)) != NULL;
}

const char *ir_masked_intrinsic(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  if (!name)
    return NULL;
  if (len > 18 && !strncmp(name, "llvm.masked.load.", 17))
    return "load";
  if (len > 19 && !strncmp(name, "llvm.masked.store.", 18))
    return "store";
  return NULL;
}

int ir_is_omp_fork(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  return name && len == 16 && !memcmp(name, "__kmpc_fork_call", 16);
}

int ir_calls_reach(LLVMValueRef from, LLVMValueRef target, LLVMValueRef (*next)(LLVMValueRef inst, void *data),
                   void *data) {
  ct_vmap seen;
  vmap_init(&seen);
  size_t cap = 16, n = 0;
  LLVMValueRef *work = malloc(cap * sizeof *work);
  work[n++] = from;
  int found = 0;
  while (n && !found) {
    LLVMValueRef f = work[--n];
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb && !found; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst && !found; inst = LLVMGetNextInstruction(inst)) {
        LLVMValueRef callee = next(inst, data);
        if (!callee || LLVMIsDeclaration(callee))
          continue;
        found = callee == target;
        if (found || vmap_get(&seen, callee))
          continue;
        vmap_set(&seen, callee, callee);
        if (n == cap)
          work = realloc(work, (cap *= 2) * sizeof *work);
        work[n++] = callee;
      }
  }
  free(work);
  vmap_free(&seen);
  return found;
}

LLVMValueRef ir_declare_function(LLVMModuleRef mod, const char *name, LLVMTypeRef fty, int *declared) {
  LLVMValueRef f = LLVMGetNamedFunction(mod, name);
  if (declared)
    *declared = !f;
  if (!f)
    f = LLVMAddFunction(mod, name, fty);
  return f;
}

LLVMValueRef ir_build_call(LLVMBuilderRef b, LLVMModuleRef mod, const char *name, LLVMTypeRef fty, LLVMValueRef *args,
                           unsigned n, const char *result) {
  return LLVMBuildCall2(b, fty, ir_declare_function(mod, name, fty, NULL), args, n, result);
}

static int is_dropped_attribute(LLVMAttributeRef a) {
  if (LLVMIsStringAttribute(a)) { /* generated code is not the user's checkpointed function */
    unsigned len = 0;
    const char *key = LLVMGetStringAttributeKind(a, &len);
    return len == 13 && !strncmp(key, "ct-checkpoint", 13);
  }
  unsigned kind = LLVMGetEnumAttributeKind(a);
  return kind == LLVMGetEnumAttributeKindForName("optnone", 7) ||
         kind == LLVMGetEnumAttributeKindForName("noinline", 8) ||
         kind == LLVMGetEnumAttributeKindForName("memory", 6);
}

void ir_copy_attributes(LLVMValueRef from, LLVMValueRef to, LLVMAttributeIndex idx) {
  unsigned n = LLVMGetAttributeCountAtIndex(from, idx);
  if (!n)
    return;
  LLVMAttributeRef *attrs = malloc(n * sizeof *attrs);
  LLVMGetAttributesAtIndex(from, idx, attrs);
  for (unsigned i = 0; i < n; ++i)
    if (idx != (LLVMAttributeIndex)LLVMAttributeFunctionIndex || !is_dropped_attribute(attrs[i]))
      LLVMAddAttributeAtIndex(to, idx, attrs[i]);
  free(attrs);
}

/* An address as base object + constant offset + multiples of `stride`
 * (the gcd of the scales of its variable indices; 0 when none). */
typedef struct {
  LLVMValueRef base;
  long long offset;
  unsigned long long stride;
} ct_addr;

static unsigned long long gcd_u64(unsigned long long a, unsigned long long b) {
  while (b) {
    unsigned long long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int is_gep(LLVMValueRef p) {
  return LLVMIsAGetElementPtrInst(p) || (LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMGetElementPtr);
}

static int is_pointer_cast(LLVMValueRef p) {
  return LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p) ||
         (LLVMIsAConstantExpr(p) &&
          (LLVMGetConstOpcode(p) == LLVMBitCast || LLVMGetConstOpcode(p) == LLVMAddrSpaceCast));
}

static ct_addr decompose(LLVMTargetDataRef td, LLVMValueRef p) {
  ct_addr a = {p, 0, 0};
  for (int depth = 0; depth < 64; ++depth) {
    if (is_pointer_cast(p)) {
      p = LLVMGetOperand(p, 0);
      continue;
    }
    if (!is_gep(p))
      break;
    LLVMTypeRef ty = LLVMGetGEPSourceElementType(p);
    unsigned n = (unsigned)LLVMGetNumOperands(p);
    for (unsigned i = 1; i < n; ++i) {
      LLVMValueRef idx = LLVMGetOperand(p, i);
      if (i > 1 && LLVMGetTypeKind(ty) == LLVMStructTypeKind) {
        unsigned field = (unsigned)LLVMConstIntGetZExtValue(idx);
        a.offset += (long long)LLVMOffsetOfElement(td, ty, field);
        ty = LLVMStructGetTypeAtIndex(ty, field);
        continue;
      }
      if (i > 1)
        ty = LLVMGetElementType(ty);
      unsigned long long size = LLVMABISizeOfType(td, ty);
      if (LLVMIsAConstantInt(idx))
        a.offset += LLVMConstIntGetSExtValue(idx) * (long long)size;
      else
        a.stride = gcd_u64(a.stride, size);
    }
    p = LLVMGetOperand(p, 0);
  }
  a.base = p;
  return a;
}

/* Objects that are surely different: two allocations of the function, or
 * one and an argument or global, or two globals. */
static int distinct_objects(LLVMValueRef a, LLVMValueRef b) {
  int la = ir_is_local_allocation(a), lb = ir_is_local_allocation(b);
  int ea = LLVMIsAArgument(a) || LLVMIsAGlobalValue(a), eb = LLVMIsAArgument(b) || LLVMIsAGlobalValue(b);
  return (la && (lb || eb)) || (lb && ea) || (LLVMIsAGlobalValue(a) && LLVMIsAGlobalValue(b));
}

/* May the bytes of a and b overlap, from the same base object? */
static int offsets_overlap(ct_addr a, unsigned long long size_a, ct_addr b, unsigned long long size_b) {
  long long diff = a.offset - b.offset; /* a starts diff + k * stride after b */
  unsigned long long stride = gcd_u64(a.stride, b.stride);
  if (!stride)
    return diff < (long long)size_b && -diff < (long long)size_a;
  unsigned long long d = (unsigned long long)(((diff % (long long)stride) + (long long)stride) % (long long)stride);
  return d < size_b || stride - d < size_a;
}

int ir_may_overlap(LLVMTargetDataRef td, LLVMValueRef pa, unsigned long long size_a, LLVMValueRef pb,
                   unsigned long long size_b) {
  ct_addr a = decompose(td, pa), b = decompose(td, pb);
  if (a.base != b.base)
    return !distinct_objects(a.base, b.base);
  return offsets_overlap(a, size_a, b, size_b);
}

static int same_slot(LLVMTargetDataRef td, ct_addr a, unsigned long long size_a, ct_addr b, unsigned long long size_b,
                     int depth) {
  if (depth > 16)
    return 0;
  for (int k = 0; k < 2; ++k) { /* a merge of addresses: any of them */
    ct_addr *m = k ? &b : &a;
    if (!LLVMIsAPHINode(m->base) && !LLVMIsASelectInst(m->base))
      continue;
    int n = LLVMGetNumOperands(m->base);
    for (int i = LLVMIsASelectInst(m->base) ? 1 : 0; i < n; ++i) {
      ct_addr in = decompose(td, LLVMGetOperand(m->base, (unsigned)i));
      in.offset += m->offset;
      in.stride = gcd_u64(in.stride, m->stride);
      if (k ? same_slot(td, a, size_a, in, size_b, depth + 1) : same_slot(td, in, size_a, b, size_b, depth + 1))
        return 1;
    }
    return 0;
  }
  if (!offsets_overlap(a, size_a, b, size_b))
    return 0;
  if (a.base == b.base)
    return 1;
  if (!LLVMIsALoadInst(a.base) || !LLVMIsALoadInst(b.base))
    return 0;
  /* two pointers read from memory: the same slot if read from the same
     slot */
  LLVMTypeRef ptr = LLVMPointerTypeInContext(LLVMGetTypeContext(LLVMTypeOf(a.base)), 0);
  unsigned long long psize = LLVMStoreSizeOfType(td, ptr);
  return same_slot(td, decompose(td, LLVMGetOperand(a.base, 0)), psize, decompose(td, LLVMGetOperand(b.base, 0)),
                   psize, depth + 1);
}

int ir_same_slot(LLVMTargetDataRef td, LLVMValueRef pa, unsigned long long size_a, LLVMValueRef pb,
                 unsigned long long size_b) {
  return same_slot(td, decompose(td, pa), size_a, decompose(td, pb), size_b, 0);
}

/* The name of the access type of inst's TBAA tag, or NULL. */
static const char *tbaa_access_name(LLVMValueRef inst) {
  LLVMValueRef tag = LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(LLVMGetTypeContext(LLVMTypeOf(inst)), "tbaa", 4));
  if (!tag || LLVMGetMDNodeNumOperands(tag) < 2 || LLVMGetMDNodeNumOperands(tag) > 4)
    return NULL;
  LLVMValueRef ops[4], tops[8];
  LLVMGetMDNodeOperands(tag, ops);
  if (!ops[1] || !LLVMIsAMDNode(ops[1]) || LLVMGetMDNodeNumOperands(ops[1]) < 1 ||
      LLVMGetMDNodeNumOperands(ops[1]) > 8)
    return NULL;
  LLVMGetMDNodeOperands(ops[1], tops);
  unsigned len = 0;
  return tops[0] ? LLVMGetMDString(tops[0], &len) : NULL;
}

static int is_fp_type_name(const char *name) {
  return !strcmp(name, "double") || !strcmp(name, "float") || !strcmp(name, "long double") ||
         !strcmp(name, "_Float16") || !strcmp(name, "__fp16");
}

int ir_tbaa_says_fp(LLVMValueRef inst) {
  const char *name = tbaa_access_name(inst);
  return name && is_fp_type_name(name);
}
