/* IR predicates shared by every stage of the pass (see ir.h): what a
 * pointer points into, which function a call calls, which memory a
 * function allocates itself; and getting or declaring a function. */
#include "core.h"

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

int ir_is_allocation(LLVMValueRef v) {
  static const char *const ALLOC_FUNCTIONS[] = {"malloc", "calloc", NULL};
  return LLVMIsACallInst(v) && ir_callee_is(v, ALLOC_FUNCTIONS);
}

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
  if (LLVMIsStringAttribute(a))
    return 0;
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
