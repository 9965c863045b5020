/* Activity analysis over the prepared primal (SSA form).
 *
 * varied: transitively depends on an active argument (or on memory reached
 *         through a duplicated pointer);
 * useful: transitively feeds the differentiated return value (or memory
 *         reached through a duplicated pointer, which the caller reads back).
 * Only values that are both get adjoint code. Integers never carry
 * derivatives, so index math, counters and comparisons are inactive. */
#include "core.h"
#include "mpi.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

int activity_carries_derivative(LLVMTypeRef t) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMPointerTypeKind:
    return 1;
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(t);
    for (unsigned i = 0; i < n; ++i)
      if (activity_carries_derivative(LLVMStructGetTypeAtIndex(t, i)))
        return 1;
    return 0;
  }
  case LLVMArrayTypeKind:
    return activity_carries_derivative(LLVMGetElementType(t));
  default:
    return type_is_fp(t);
  }
}

/* The floating-point type of the data in the object `ptr` points into,
 * deduced from the function's float/double loads and stores of the same
 * object (vector accesses count by element). NULL when there are none, or
 * when they disagree. */
static LLVMTypeRef fp_type_of_object(LLVMValueRef fn, LLVMValueRef base, int depth) {
  LLVMTypeRef found = NULL;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef p;
      LLVMTypeRef ty;
      if (LLVMIsALoadInst(inst)) {
        p = LLVMGetOperand(inst, 0);
        ty = LLVMTypeOf(inst);
      } else if (LLVMIsAStoreInst(inst)) {
        p = LLVMGetOperand(inst, 1);
        ty = LLVMTypeOf(LLVMGetOperand(inst, 0));
      } else if (depth > 0 && ir_mem_intrinsic(inst) && strcmp(ir_mem_intrinsic(inst), "memset") &&
                 ir_base_object(LLVMGetOperand(inst, 0)) == base) {
        /* filled by a copy: the type of what was copied */
        ty = fp_type_of_object(fn, ir_base_object(LLVMGetOperand(inst, 1)), depth - 1);
        if (!ty)
          continue;
        p = LLVMGetOperand(inst, 0);
      } else if (LLVMIsACallInst(inst) && (ty = custom_element_type(LLVMGetCalledValue(inst)))) {
        /* passed to a function whose CT_ACCESS names the arrays' type */
        p = NULL;
        int n = LLVMGetNumArgOperands(inst);
        for (int k = 0; k < n && !p; ++k)
          if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, (unsigned)k))) == LLVMPointerTypeKind &&
              ir_base_object(LLVMGetOperand(inst, (unsigned)k)) == base)
            p = LLVMGetOperand(inst, (unsigned)k);
        if (!p)
          continue;
      } else
        continue;
      if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind)
        ty = LLVMGetElementType(ty);
      if (!type_is_fp_scalar(ty) || ir_base_object(p) != base)
        continue;
      if (found && found != ty)
        return NULL;
      found = ty;
    }
  if (found && LLVMGetTypeKind(found) != LLVMDoubleTypeKind && LLVMGetTypeKind(found) != LLVMFloatTypeKind)
    return NULL;
  return found;
}

/* The floating-point type of the data in the object `ptr` points into,
 * deduced from the function's float/double loads and stores of the same
 * object (vector accesses count by element), and from copies into it.
 * NULL when there are none, or when they disagree. */
LLVMTypeRef activity_fp_type_of_memory(LLVMValueRef fn, LLVMValueRef ptr) {
  return fp_type_of_object(fn, ir_base_object(ptr), 4);
}

LLVMValueRef activity_ptrtoint_source(const ct_vmap *varied, LLVMValueRef v, int depth) {
  if (depth > 8 || !LLVMIsAInstruction(v))
    return NULL;
  if (LLVMIsAPtrToIntInst(v))
    return vmap_get(varied, LLVMGetOperand(v, 0)) ? LLVMGetOperand(v, 0) : NULL;
  switch (LLVMGetInstructionOpcode(v)) {
  case LLVMAdd: case LLVMSub: case LLVMAnd: case LLVMOr: case LLVMXor:
  case LLVMZExt: case LLVMSExt: case LLVMTrunc: {
    int n = LLVMGetNumOperands(v);
    for (int i = 0; i < n; ++i) {
      LLVMValueRef src = activity_ptrtoint_source(varied, LLVMGetOperand(v, (unsigned)i), depth + 1);
      if (src)
        return src;
    }
    return NULL;
  }
  default:
    return NULL;
  }
}

/* Library functions that touch no floating-point data, though they may get
 * pointers into varied memory (a string key inside a struct of parameters)
 * or read values: their results (the stream, a char pointer, a comparison)
 * carry no derivative, and they write none. By mangled-name prefix:
 * C++ output streams (std::ostream's operator<< and _M_insert<T>, put,
 * flush, std::operator<<(ostream&, ...), __ostream_insert, endl, flush, and
 * what they call to widen and throw), std::string's members (char data
 * only), the hashing of std::hash<std::string>, and the unordered
 * containers' rehash policy (bucket counts from element counts and the
 * float max_load_factor, a setting: std::unordered_map's operator[]). */
static const char *const INACTIVE_LIBRARY_PREFIXES[] = {
    "_ZNSolsE", "_ZNSo9_M_insert", "_ZNSo3put", "_ZNSo5flush", "_ZStlsI", "_ZSt16__ostream_insert", "_ZSt4endl",
    "_ZSt5flush", "_ZNKSt5ctypeIcE13_M_widen_init", "_ZSt16__throw_bad_cast",
    "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE", "_ZNKSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE",
    "_ZSt11_Hash_bytes", "_ZNKSt8__detail20_Prime_rehash_policy", NULL};
/* ... and by whole name: byte and string comparisons. */
static const char *const INACTIVE_LIBRARY_NAMES[] = {"bcmp", "memcmp", "strcmp", "strncmp", "memchr", "strchr", NULL};

int activity_is_inactive_library_call(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  for (const char *const *p = INACTIVE_LIBRARY_PREFIXES; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 1;
  return ir_callee_is(inst, INACTIVE_LIBRARY_NAMES);
}

int activity_is_without_derivative(LLVMValueRef inst) {
  if (activity_is_inactive_library_call(inst))
    return 1;
  if (!LLVMIsACallInst(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  return (len == 23 && !memcmp(name, "__ct_without_derivative", 23)) ||
         (len == 24 && !memcmp(name, "__ct_without_derivativef", 24)) ||
         (len == 27 && !memcmp(name, "__ct_without_derivative_ptr", 27)) ||
         LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-no-derivative", 16) != NULL;
}

/* Walks root's operands backward, not through ct_without_derivative calls.
 * Without find_held: does root depend on an argument of fn that spec does
 * not hold constant? With find_held: does the walk reach a
 * ct_without_derivative call whose operand does? */
static int reaches(const ct_spec *spec, LLVMValueRef fn, LLVMValueRef root, int find_held) {
  ct_vmap seen;
  vmap_init(&seen);
  size_t n = 0, cap = 16;
  LLVMValueRef *work = malloc(cap * sizeof *work);
  work[n++] = root;
  int found = 0;
  while (n && !found) {
    LLVMValueRef v = work[--n];
    if (vmap_get(&seen, v))
      continue;
    vmap_set(&seen, v, v);
    if (LLVMIsAArgument(v)) {
      for (unsigned i = 0; i < spec->nparams && !find_held; ++i)
        found |= LLVMGetParam(fn, i) == v && spec->act[i] != ACT_CONST;
      continue;
    }
    if (!LLVMIsAInstruction(v))
      continue;
    if (activity_is_without_derivative(v)) {
      if (find_held) {
        int k = LLVMGetNumArgOperands(v);
        for (int i = 0; i < k && !found; ++i)
          found = reaches(spec, fn, LLVMGetOperand(v, (unsigned)i), 0);
      }
      continue;
    }
    int k = LLVMGetNumOperands(v);
    for (int i = 0; i < k; ++i) {
      LLVMValueRef op = LLVMGetOperand(v, (unsigned)i);
      if (!op || LLVMIsABasicBlock(op))
        continue;
      if (n == cap)
        work = realloc(work, (cap *= 2) * sizeof *work);
      work[n++] = op;
    }
  }
  free(work);
  vmap_free(&seen);
  return found;
}

int activity_held_constant(const ct_spec *spec, LLVMValueRef fn, LLVMValueRef v) {
  return reaches(spec, fn, v, 1);
}

static int has_varied_operand(const ct_vmap *varied, LLVMValueRef inst) {
  int n = LLVMGetNumOperands(inst);
  if (LLVMIsACallInst(inst))
    n -= 1; /* the callee */
  for (int i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
    if (op && vmap_get(varied, op))
      return 1;
    /* a constant address in a varied shared array of a kernel */
    if (op && LLVMIsAConstantExpr(op) && vmap_get(varied, ir_base_object(op)))
      return 1;
  }
  return 0;
}

static int unshadowed(const ct_vmap *varied, LLVMValueRef addr, int depth);

/* Does the function store a pointer where `load` reads one? */
static int stores_pointer_into_slot(LLVMValueRef load) {
  LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInstructionParent(load));
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(LLVMGetGlobalParent(fn));
  LLVMValueRef addr = LLVMGetOperand(load, 0);
  unsigned long long size = LLVMStoreSizeOfType(td, LLVMTypeOf(load));
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsAStoreInst(inst) && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, 0))) == LLVMPointerTypeKind &&
          ir_same_slot(td, LLVMGetOperand(inst, 1), size, addr, size))
        return 1;
  return 0;
}

/* Can the pointer v get a shadow: it points into memory the function
 * allocates or reaches through its own memory or a varied argument (not
 * into a constant argument or a global, nor through a pointer loaded from
 * one, nor one ct_without_derivative holds constant)? A library function's
 * char buffer (std::string's _M_create) can: a NULL one (forward.c), so
 * that storing it into a shadowed map node stores NULL into the shadow
 * node, not the buffer as its own shadow. */
static int can_have_shadow(const ct_vmap *varied, LLVMValueRef v) {
  LLVMValueRef base = ir_base_object(v);
  if (!LLVMIsAInstruction(base))
    return vmap_get(varied, base) != NULL;
  if (activity_is_without_derivative(base) && !activity_is_inactive_library_call(base)) /* CT_NO_DERIVATIVE */
    return 0;
  if (!LLVMIsALoadInst(base) || vmap_get(varied, base)) /* loaded with a shadow (shadow_slots.c) */
    return 1;
  LLVMValueRef from = ir_base_object(LLVMGetOperand(base, 0));
  if (!LLVMIsAInstruction(from))
    return vmap_get(varied, from) != NULL;
  /* read through pointers read from memory without a shadow (an object
     of a constant argument's std::vector of pointers): only where the
     function stored a pointer with a shadow (shadow_slots.c) */
  return !unshadowed(varied, LLVMGetOperand(base, 0), 0) || stores_pointer_into_slot(base);
}

static int unshadowed(const ct_vmap *varied, LLVMValueRef addr, int depth) {
  LLVMValueRef base = ir_base_object(addr);
  if (depth > 32 || vmap_get(varied, base))
    return 0;
  if (LLVMIsAArgument(base) || LLVMIsAGlobalVariable(base))
    return !gpu_is_shared_global(base);
  if (LLVMIsALoadInst(base))
    return unshadowed(varied, LLVMGetOperand(base, 0), depth + 1);
  if (LLVMIsAPHINode(base) || LLVMIsASelectInst(base)) { /* the same field reached two ways */
    int n = LLVMGetNumOperands(base), any = 0;
    for (int i = LLVMIsASelectInst(base) ? 1 : 0; i < n; ++i) {
      LLVMValueRef op = LLVMGetOperand(base, (unsigned)i);
      if (LLVMIsAConstantPointerNull(op) || LLVMIsAUndefValue(op) || ir_base_object(op) == base)
        continue; /* (a pointer stepping through the object it starts in: an iterator) */
      if (!unshadowed(varied, op, depth + 1))
        return 0;
      any = 1;
    }
    return any;
  }
  return 0;
}

int activity_unshadowed(const ct_vmap *varied, LLVMValueRef addr) { return unshadowed(varied, addr, 0); }

static int mark_base_varied(ct_vmap *varied, LLVMValueRef p, int depth);

/* A pointer `load` (varied) reads memory without a shadow: the pointers the
 * function stores where it may read (a workspace malloc'd into a constant
 * model struct's field) keep their shadows in a table for the call
 * (shadow_slots.c), so they need shadows, and so do the other loads that
 * may read them. */
static int mark_slot_partners(ct_vmap *varied, LLVMValueRef load, int depth, int only_find) {
  LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInstructionParent(load));
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(LLVMGetGlobalParent(fn));
  LLVMValueRef addr = LLVMGetOperand(load, 0);
  unsigned long long size = LLVMStoreSizeOfType(td, LLVMTypeOf(load));
  int changed = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      int store = LLVMIsAStoreInst(inst) != NULL;
      if (!store && (only_find || !LLVMIsALoadInst(inst) || inst == load))
        continue;
      LLVMValueRef v = store ? LLVMGetOperand(inst, 0) : inst, a = LLVMGetOperand(inst, store ? 1 : 0);
      if (LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMPointerTypeKind || (store && !can_have_shadow(varied, v)) ||
          vmap_get(varied, a) || !activity_unshadowed(varied, a) ||
          !ir_same_slot(td, a, LLVMStoreSizeOfType(td, LLVMTypeOf(v)), addr, size))
        continue;
      if (only_find)
        return 1;
      if (!vmap_get(varied, v))
        changed |= mark_base_varied(varied, v, depth + 1);
    }
  return changed;
}

/* The load branch of mark_base_varied: a pointer p read from memory at
 * `addr` needs a shadow. */
static int mark_loaded_varied(ct_vmap *varied, LLVMValueRef p, LLVMValueRef addr, int depth) {
  LLVMValueRef base = ir_base_object(addr);
  int pointer = LLVMGetTypeKind(LLVMTypeOf(p)) == LLVMPointerTypeKind;
  if (pointer && LLVMIsALoadInst(base) && !vmap_get(varied, base) &&
      activity_unshadowed(varied, LLVMGetOperand(base, 0)))
    /* read through a pointer read from memory without a shadow: that
       pointer gets its shadow from the table when the function stored it
       there (then p is read from shadowed memory); else p's memory has no
       shadow either */
    return mark_slot_partners(varied, base, depth, 1) ? mark_base_varied(varied, base, depth + 1)
                                                      : mark_slot_partners(varied, p, depth, 0);
  if (pointer && activity_unshadowed(varied, addr))
    /* memory without a shadow: the shadow of what the function stored
       there (none: reported later) */
    return mark_slot_partners(varied, p, depth, 0);
  if (LLVMIsAInstruction(base))
    /* a pointer loaded from memory gets its shadow from that memory's
       shadow: the function's own memory (a heap struct's pointer field)
       needs one too */
    return mark_base_varied(varied, addr, depth + 1);
  return 0;
}

/* A call of a function with a body (or declared differentiable) that returns
 * a pointer, not a heap allocation: a differentiated call whose result may
 * point into the memory of its pointer arguments. */
static int returns_pointer_into_arguments(LLVMValueRef p) {
  if (!LLVMIsACallInst(p) || ir_is_allocation(p) || LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind)
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(p);
  return callee && LLVMIsAFunction(callee) && (!LLVMIsDeclaration(callee) || contract_is_differentiable(callee));
}

/* Marks the object a pointer points into as varied, through GEPs, casts,
 * phis and selects. Returns non-zero when something changed. */
static int mark_base_varied(ct_vmap *varied, LLVMValueRef p, int depth) {
  if (LLVMIsAConstantExpr(p) && gpu_is_shared_global(ir_base_object(p)))
    p = ir_base_object(p);
  if (depth > 32 || !(LLVMIsAInstruction(p) || LLVMIsAArgument(p) || gpu_is_shared_global(p)))
    return 0;
  int changed = 0;
  if (!vmap_get(varied, p)) {
    vmap_set(varied, p, p);
    changed = 1;
  }
  if (LLVMIsAGetElementPtrInst(p) || LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p))
    changed |= mark_base_varied(varied, LLVMGetOperand(p, 0), depth + 1);
  else if (LLVMIsALoadInst(p) && !vmap_get(varied, LLVMGetOperand(p, 0)))
    changed |= mark_loaded_varied(varied, p, LLVMGetOperand(p, 0), depth);
  else if (LLVMIsAPHINode(p) || LLVMIsASelectInst(p)) {
    int n = LLVMGetNumOperands(p);
    for (int i = LLVMIsASelectInst(p) ? 1 : 0; i < n; ++i)
      if (!vmap_get(varied, LLVMGetOperand(p, (unsigned)i)))
        changed |= mark_base_varied(varied, LLVMGetOperand(p, (unsigned)i), depth + 1);
  } else if (returns_pointer_into_arguments(p)) {
    /* a pointer a differentiated callee returns (an accessor, an arena's
       block) may point into any memory it is given that can have a shadow
       (the callee's augmented forward returns the shadow at the offset;
       one that returns a pointer into other memory is reported there) */
    int n = LLVMGetNumArgOperands(p);
    for (int i = 0; i < n; ++i) {
      LLVMValueRef op = LLVMGetOperand(p, (unsigned)i);
      if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && !vmap_get(varied, op) &&
          can_have_shadow(varied, op))
        changed |= mark_base_varied(varied, op, depth + 1);
    }
  }
  return changed;
}

/* An atomic x += v or x -= v on floating-point memory (omp atomic). */
static int is_atomic_fp_update(LLVMValueRef inst) {
  if (!LLVMIsAAtomicRMWInst(inst))
    return 0;
  LLVMAtomicRMWBinOp op = LLVMGetAtomicRMWBinOp(inst);
  return op == LLVMAtomicRMWBinOpFAdd || op == LLVMAtomicRMWBinOpFSub;
}

/* The value an atomic store, exchange or compare-and-swap writes, when it
 * is varied or the bits of a varied value (an _Atomic double is updated by
 * a compare-and-swap loop on i64): the memory becomes varied, and the
 * operation is reported when the function is differentiated. */
static LLVMValueRef atomic_written_varied(const ct_vmap *varied, LLVMValueRef inst) {
  LLVMValueRef v = NULL;
  if (LLVMIsAStoreInst(inst) && LLVMGetOrdering(inst) != LLVMAtomicOrderingNotAtomic)
    v = LLVMGetOperand(inst, 0);
  else if (LLVMIsAAtomicRMWInst(inst))
    v = LLVMGetOperand(inst, 1);
  else if (LLVMIsAAtomicCmpXchgInst(inst))
    v = LLVMGetOperand(inst, 2);
  if (v && LLVMIsABitCastInst(v) && vmap_get(varied, LLVMGetOperand(v, 0)))
    return v;
  return v && vmap_get(varied, v) ? v : NULL;
}

static int is_masked_store(LLVMValueRef inst) {
  const char *masked = ir_masked_intrinsic(inst);
  return masked && !strcmp(masked, "store");
}

/* A fork argument carrying a varied double's bits (firstprivate). */
static int has_varied_bits(const ct_vmap *varied, LLVMValueRef fork) {
  int n = LLVMGetNumArgOperands(fork);
  for (int k = 3; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(fork, (unsigned)k);
    if (LLVMIsABitCastInst(op) && vmap_get(varied, LLVMGetOperand(op, 0)))
      return 1;
  }
  return 0;
}

/* Floating-point data (not pointers) somewhere in t. */
static int holds_fp(LLVMTypeRef t) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(t);
    for (unsigned i = 0; i < n; ++i)
      if (holds_fp(LLVMStructGetTypeAtIndex(t, i)))
        return 1;
    return 0;
  }
  case LLVMArrayTypeKind:
    return holds_fp(LLVMGetElementType(t));
  default:
    return type_is_fp(t);
  }
}

/* A parallel region (__kmpc_fork_call) with varied captured data may store
 * differentiable values into the captured local variables that hold
 * floating-point data (shared sums, local arrays) and the local or heap
 * memory captured pointer variables point to; other pointers stay as they
 * are (a constant array's pointer must not get a shadow), and a region
 * storing a differentiable value where there is no shadow is reported when
 * the region is differentiated. */
static int mark_fork_outputs(ct_vmap *varied, LLVMValueRef fork) {
  int changed = 0, n = LLVMGetNumArgOperands(fork);
  for (int k = 3; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(fork, (unsigned)k);
    LLVMValueRef base = ir_base_object(op);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) != LLVMPointerTypeKind || !LLVMIsAAllocaInst(base))
      continue;
    if (holds_fp(LLVMGetAllocatedType(base))) {
      changed |= mark_base_varied(varied, op, 0);
      continue;
    }
    /* a variable holding a pointer to local or heap memory of this
       function (a scratch buffer the region may fill) */
    for (LLVMUseRef u = LLVMGetFirstUse(base); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef st = LLVMGetUser(u);
      if (!LLVMIsAStoreInst(st) || LLVMGetOperand(st, 1) != base)
        continue;
      LLVMValueRef target = ir_base_object(LLVMGetOperand(st, 0));
      if (LLVMIsAAllocaInst(target) || ir_is_allocation(target)) {
        changed |= mark_base_varied(varied, LLVMGetOperand(st, 0), 0);
        changed |= mark_base_varied(varied, op, 0);
      }
    }
  }
  return changed;
}

static int calls_function_with_body(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  return callee && LLVMIsAFunction(callee) && !LLVMIsDeclaration(callee);
}

/* A call of a declaration with a gradient elsewhere (a differentiable
 * function of another file, or one with an Enzyme-registered gradient,
 * contract.c): like a body, it may write its inputs through its pointers. */
static int calls_differentiable_declaration(LLVMValueRef inst) {
  LLVMValueRef callee = LLVMIsACallInst(inst) ? LLVMGetCalledValue(inst) : NULL;
  if (!callee || !LLVMIsAFunction(callee) || !LLVMIsDeclaration(callee))
    return 0;
  unsigned kind = LLVMGetMDKindIDInContext(LLVMGetTypeContext(LLVMTypeOf(callee)), "ct.differentiable", 17);
  size_t n = 0;
  LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(callee, &n);
  int found = 0;
  for (size_t i = 0; i < n && !found; ++i)
    found = LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) == kind;
  if (entries)
    LLVMDisposeValueMetadataEntries(entries);
  return found;
}

static int calls_custom_derivative(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  return callee && LLVMIsAFunction(callee) &&
         LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-custom-derivative", 20);
}

/* A call of code Cotangent knows nothing of: through a pointer (not the
 * one kept beside a run-time dispatch, whose targets are inlined and
 * which stops the program where its derivative would matter:
 * indirect_calls.c), or of a declaration with no rule, derivative, or
 * known inactivity. It may store what it computes from a varied argument
 * into the function's own memory it gets a pointer to (a callback's
 * `out`, a local): that memory is varied, so that the call is reported
 * instead of its result being lost as a silent zero derivative. */
static int calls_unknown_code(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst) || ir_mem_intrinsic(inst) || ir_is_omp_fork(inst) || ir_is_allocation(inst) ||
      alloc_freed_pointer(inst) || activity_is_without_derivative(inst) || ir_is_dispatch_fallback(inst))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || LLVMIsAInlineAsm(callee))
    return 0;
  if (!LLVMIsAFunction(callee))
    return 1;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  static const char *const KNOWN_PREFIXES[] = {"llvm.", "__ct_", "__kmpc_", "omp_", NULL};
  for (const char *const *p = KNOWN_PREFIXES; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 0;
  return LLVMIsDeclaration(callee) && !rules_for_callee(name, len);
}

/* A call that receives a pointer to varied memory may write it: a root. */
static int has_varied_pointer_arg(const ct_vmap *varied, LLVMValueRef call) {
  int n = LLVMGetNumArgOperands(call);
  for (int k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, (unsigned)k);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(varied, op))
      return 1;
  }
  return 0;
}

/* The forward step for one instruction: marks it varied when an operand
 * is, and the memory a varied value is stored or copied into (through
 * stores, atomics, parallel regions, calls). Returns whether anything
 * changed. */
static int mark_varied(ct_vmap *varied, LLVMValueRef inst) {
  int changed = 0;
  const char *masked = ir_masked_intrinsic(inst);
  if (is_atomic_fp_update(inst) && vmap_get(varied, LLVMGetOperand(inst, 1)))
    changed |= mark_base_varied(varied, LLVMGetOperand(inst, 0), 0);
  if (atomic_written_varied(varied, inst))
    changed |= mark_base_varied(varied, LLVMGetOperand(inst, LLVMIsAStoreInst(inst) ? 1 : 0), 0);
  if (LLVMIsAStoreInst(inst) || (masked && !strcmp(masked, "store"))) {
    /* storing a varied value makes the memory (its base object) varied */
    LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
    if (vmap_get(varied, val) &&
        !(LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind && activity_unshadowed(varied, ptr)))
      /* (a pointer stored into memory without a shadow keeps its shadow in
         a table: shadow_slots.c) */
      changed |= mark_base_varied(varied, ptr, 0);
    else if (LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMIntegerTypeKind && activity_ptrtoint_source(varied, val, 0))
      /* the address of varied memory stored as an integer (a lambda
         capturing by reference, copied into a std::function): the memory
         gets a shadow holding the shadow's address (integer_mirror.c) */
      changed |= mark_base_varied(varied, ptr, 0);
    else if (LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind && vmap_get(varied, ptr) &&
             can_have_shadow(varied, val))
      /* a pointer stored into varied memory: what is loaded back
         from there is varied and finds its shadow in the shadow
         memory, so the pointer needs one (memory the function
         allocates, e.g. a heap struct's data field set in a loop;
         pointers that cannot have one: forward.c) */
      changed |= mark_base_varied(varied, val, 0);
    return changed;
  }
  if (is_atomic_fp_update(inst) && vmap_get(varied, LLVMGetOperand(inst, 1)))
    changed |= mark_base_varied(varied, LLVMGetOperand(inst, 0), 0);
  if (ir_is_omp_fork(inst) && (has_varied_operand(varied, inst) || has_varied_bits(varied, inst)))
    changed |= mark_fork_outputs(varied, inst);
  int custom = calls_custom_derivative(inst);
  if (calls_unknown_code(inst) && has_varied_operand(varied, inst))
    for (int k = 0, n = LLVMGetNumArgOperands(inst); k < n; ++k) {
      LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
      if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && ir_is_local_allocation(ir_base_object(op)))
        changed |= mark_base_varied(varied, op, 0);
    }
  /* an MPI receive of floating-point data: what arrives is differentiable
     whatever this rank's operands (mpi.c) */
  if ((custom || calls_function_with_body(inst) || calls_differentiable_declaration(inst)) &&
      (has_varied_operand(varied, inst) || (custom && mpi_moves_fp(inst)))) {
    /* the callee may store its differentiable inputs through any
       pointer it receives (a function with a custom derivative:
       those it writes, by its CT_ACCESS) that can have a shadow; it gets
       the others as constant, and reports a store of a differentiable
       value through one (a recursive evaluator's e->left, read from a
       constant tree, stays constant) */
    int n = LLVMGetNumArgOperands(inst);
    for (int k = 0; k < n; ++k) {
      LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
      char acc = custom ? custom_access(LLVMGetCalledValue(inst), (unsigned)k) : 'u';
      if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && (acc == 'w' || acc == 'u') &&
          (custom || can_have_shadow(varied, op)))
        changed |= mark_base_varied(varied, op, 0);
    }
  }
  const char *mem = ir_mem_intrinsic(inst);
  if (mem && strcmp(mem, "memset") != 0) {
    /* copying varied memory makes the destination varied */
    if (vmap_get(varied, LLVMGetOperand(inst, 1)))
      changed |= mark_base_varied(varied, LLVMGetOperand(inst, 0), 0);
    return changed;
  }
  if (vmap_get(varied, inst) || !activity_carries_derivative(LLVMTypeOf(inst)))
    return changed;
  if (LLVMIsAIntToPtrInst(inst) && activity_ptrtoint_source(varied, LLVMGetOperand(inst, 0), 0)) {
    /* integer arithmetic on the address of varied memory */
    vmap_set(varied, inst, inst);
    changed = 1;
    return changed;
  }
  if (has_varied_operand(varied, inst) && !activity_is_without_derivative(inst)) {
    vmap_set(varied, inst, inst);
    changed = 1;
    /* a pointer merge with a varied pointer: every pointer it merges
       needs a shadow (e.g. a malloc that LLVM duplicated per path) */
    if ((LLVMIsAPHINode(inst) || LLVMIsASelectInst(inst)) &&
        LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind)
      mark_base_varied(varied, inst, 0);
  }
  return changed;
}

/* The backward pass: from the roots (the differentiated result, and stores
 * into varied memory, which the caller reads back through shadows),
 * through operands. */
static void mark_useful(const ct_spec *spec, LLVMValueRef fn, const ct_vmap *varied, ct_vmap *useful) {
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMBasicBlockRef bb = LLVMGetLastBasicBlock(fn); bb; bb = LLVMGetPreviousBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetLastInstruction(bb); inst; inst = LLVMGetPreviousInstruction(inst)) {
        int is_root = (spec->ret_active && LLVMGetInstructionOpcode(inst) == LLVMRet) ||
                      ((LLVMIsAStoreInst(inst) || is_masked_store(inst)) &&
                       vmap_get(varied, LLVMGetOperand(inst, 1))) ||
                      (ir_mem_intrinsic(inst) && vmap_get(varied, LLVMGetOperand(inst, 0))) ||
                      (is_atomic_fp_update(inst) && vmap_get(varied, LLVMGetOperand(inst, 0))) ||
                      (LLVMIsACallInst(inst) && has_varied_pointer_arg(varied, inst));
        if (!is_root && !vmap_get(useful, inst))
          continue;
        int n = LLVMGetNumOperands(inst);
        for (int i = 0; i < n; ++i) {
          LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
          if (op && (LLVMIsAInstruction(op) || LLVMIsAArgument(op)) && !vmap_get(useful, op)) {
            vmap_set(useful, op, op);
            changed = 1;
          }
        }
      }
  }
}

void activity_analyze(const ct_spec *spec, LLVMValueRef fn, ct_vmap *active) {
  ct_vmap varied, useful;
  vmap_init(&varied);
  vmap_init(&useful);
  unsigned nparams = LLVMCountParams(fn);
  for (unsigned i = 0; i < nparams && i < spec->nparams; ++i)
    if (spec->act[i] != ACT_CONST)
      vmap_set(&varied, LLVMGetParam(fn, i), LLVMGetParam(fn, i));

  /* forward: iterate to a fixed point (phis in loops see later values) */
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        changed |= mark_varied(&varied, inst);
        /* a returned pointer whose shadow the caller needs: the memory it
           points into is differentiable (the caller may write it) */
        if (spec->ret_shadow && LLVMGetInstructionOpcode(inst) == LLVMRet && LLVMGetNumOperands(inst) == 1)
          changed |= mark_base_varied(&varied, LLVMGetOperand(inst, 0), 0);
      }
  }
  mark_useful(spec, fn, &varied, &useful);

  /* pointers need shadows whenever they are varied; other values need
     adjoints when they are also useful */
  for (size_t i = 0; i < varied.cap; ++i) {
    LLVMValueRef v = varied.keys[i];
    if (v && (vmap_get(&useful, v) || LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMPointerTypeKind))
      vmap_set(active, v, v);
  }
  /* constant addresses in varied shared arrays (kernels) have shadows */
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      int n = LLVMGetNumOperands(inst);
      for (int i = 0; i < n; ++i) {
        LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
        if (op && LLVMIsAConstantExpr(op) && LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind &&
            vmap_get(&varied, ir_base_object(op)))
          vmap_set(active, op, op);
      }
    }
  vmap_free(&varied);
  vmap_free(&useful);
}
