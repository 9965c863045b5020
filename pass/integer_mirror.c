/* Integer data written into memory that has a shadow, written into the
 * shadow too.
 *
 * A shadow object has the primal's structure: pointers where the primal
 * holds pointers (stored_pointers.c, shadow_slots.c), zeros or adjoints
 * where it holds floating-point values, and the primal's integers where it
 * holds integers. A function that builds structure inside shadowed memory
 * (std::unordered_map's operator[] inserting a key: a new node holding the
 * key string's length and characters and the cached hash, the map's element
 * count, a rehash's bucket count) must write those integers into the shadow
 * as well, or the shadow container is no longer a container with the same
 * keys (a node without its key: the adjoint of the new value is unreachable
 * and the shadow map's size is wrong). As Enzyme does, the forward pass
 * stores each integer stored into shadowed memory into the shadow too, and
 * copies integer bytes copied into shadowed memory (from the primal source:
 * integers are their own shadow).
 *
 * Integers that may be the bits of floating-point values are not mirrored
 * (the primal's value would land in the adjoint): a store typed float or
 * double by TBAA, and a value loaded from an object the function reads as
 * floating-point data, or bitcast from a floating-point value. */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

/* May v be (or be computed from) the bits of a floating-point value? */
static int may_carry_fp_bits(ct_gen *g, LLVMValueRef v, int depth) {
  if (!LLVMIsAInstruction(v))
    return 0;
  if (depth > 6)
    return 1;
  if (LLVMIsALoadInst(v))
    return activity_fp_type_of_memory(g->pc, LLVMGetOperand(v, 0)) != NULL;
  if (LLVMIsABitCastInst(v))
    return type_is_fp(LLVMTypeOf(LLVMGetOperand(v, 0))) ||
           may_carry_fp_bits(g, LLVMGetOperand(v, 0), depth + 1);
  if (LLVMIsACallInst(v) || LLVMIsAInvokeInst(v) || LLVMIsAICmpInst(v) || LLVMIsAPtrToIntInst(v))
    return 0; /* a hash, a comparison, an address */
  if (LLVMIsAPHINode(v) || LLVMIsASelectInst(v) || LLVMIsACastInst(v) || LLVMIsABinaryOperator(v) ||
      LLVMIsAExtractElementInst(v) || LLVMIsAInsertElementInst(v) || LLVMIsAShuffleVectorInst(v) ||
      LLVMIsAExtractValueInst(v) || LLVMIsAInsertValueInst(v)) {
    unsigned n = (unsigned)LLVMGetNumOperands(v);
    for (unsigned k = LLVMIsASelectInst(v) ? 1 : 0; k < n; ++k)
      if (may_carry_fp_bits(g, LLVMGetOperand(v, k), depth + 1))
        return 1;
    return 0;
  }
  return 1;
}

static int is_integer_data(LLVMTypeRef ty) {
  if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind)
    ty = LLVMGetElementType(ty);
  return LLVMGetTypeKind(ty) == LLVMIntegerTypeKind;
}

/* The shadow of ptr, NULL when it has none or it points nowhere (memory a
 * library function returned). */
static LLVMValueRef usable_shadow(ct_gen *g, LLVMValueRef ptr) {
  LLVMValueRef s = vmap_get(&g->shadow, ptr);
  return s && !ir_points_nowhere(s) ? s : NULL;
}

/* A builder just after the forward copy of inst. */
static LLVMBuilderRef after_copy(ct_gen *g, LLVMValueRef inst) {
  LLVMPositionBuilderBefore(g->m->b, LLVMGetNextInstruction(vmap_get(&g->fwd, inst)));
  return g->m->b;
}

/* An address of differentiable data stored as an integer into shadowed
 * memory (a lambda capturing by reference, copied into a std::function's
 * storage as an i64): the shadow memory gets the shadow's address, at the
 * same offset from it (its bits are not the primal's, or loads of the
 * captured pointer from the shadow closure would reach the primal). 0 when
 * the stored value is no such address. */
static int store_shadow_address(ct_gen *g, LLVMValueRef inst, LLVMValueRef sptr) {
  LLVMValueRef val = LLVMGetOperand(inst, 0);
  if (g->vector_shadow || LLVMGetTypeKind(LLVMTypeOf(val)) != LLVMIntegerTypeKind)
    return 0;
  LLVMValueRef src = activity_ptrtoint_source(&g->active, val, 0);
  LLVMValueRef ssrc = src ? vmap_get(&g->shadow, src) : NULL;
  if (!src)
    return 0;
  if (!ssrc || LLVMGetIntTypeWidth(LLVMTypeOf(val)) != 64) {
    gen_fail(g, inst, "stores the address of differentiable data as an integer in a way Cotangent cannot follow",
             "store it as a pointer");
    return 1;
  }
  LLVMBuilderRef b = after_copy(g, inst);
  LLVMValueRef copy = vmap_get(&g->fwd, inst), fsrc = vmap_get(&g->fwd, src) ? vmap_get(&g->fwd, src) : src;
  LLVMValueRef delta = LLVMBuildSub(b, LLVMBuildPtrToInt(b, ssrc, g->i64_ty, ""),
                                    LLVMBuildPtrToInt(b, fsrc, g->i64_ty, ""), "");
  LLVMValueRef st = LLVMBuildStore(b, LLVMBuildAdd(b, LLVMGetOperand(copy, 0), delta, "shadow.addr"), sptr);
  LLVMSetAlignment(st, LLVMGetAlignment(inst));
  return 1;
}

void integer_mirror_stores(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef replay;
  if (integer_mirror_replay(g, inst, &replay) == SHADOW_PENDING)
    gen_fail(g, inst, "calls a std::string member on a string whose shadow Cotangent cannot follow", NULL);
  if (LLVMIsAStoreInst(inst)) {
    LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
    LLVMValueRef sptr = usable_shadow(g, ptr);
    if (sptr && store_shadow_address(g, inst, sptr))
      return;
    if (!sptr || !is_integer_data(LLVMTypeOf(val)) || vmap_get(&g->active, val) || ir_tbaa_says_fp(inst) ||
        LLVMGetOrdering(inst) != LLVMAtomicOrderingNotAtomic || may_carry_fp_bits(g, val, 0))
      return;
    LLVMBuilderRef b = after_copy(g, inst);
    LLVMValueRef copy = vmap_get(&g->fwd, inst);
    LLVMValueRef st = LLVMBuildStore(b, LLVMGetOperand(copy, 0), sptr);
    LLVMSetAlignment(st, LLVMGetAlignment(inst));
    return;
  }
  const char *mem = ir_mem_intrinsic(inst);
  if (mem && !strcmp(mem, "memset")) { /* pointer memory cleared: its shadow too */
    LLVMValueRef sdst = usable_shadow(g, LLVMGetOperand(inst, 0));
    if (sdst && stored_pointers_memset_of_pointers(g, inst)) {
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      LLVMBuildMemSet(after_copy(g, inst), sdst, LLVMGetOperand(copy, 1), LLVMGetOperand(copy, 2), 1);
    }
    return;
  }
  if (!mem || !strcmp(mem, "memset") || classify(g, inst) != REV_MEMCPY || stored_pointers_copies_pointers(g, inst))
    return;
  LLVMValueRef sdst = usable_shadow(g, LLVMGetOperand(inst, 0));
  if (!sdst)
    return;
  ct_layout layout;
  layout_of_copy(inst, &layout);
  int integers = layout.kind == CT_LAYOUT_NO_FP && !layout.fp_seen;
  layout_free(&layout);
  if (!integers)
    return;
  LLVMBuilderRef b = after_copy(g, inst);
  LLVMValueRef copy = vmap_get(&g->fwd, inst);
  LLVMBuildMemMove(b, sdst, 1, LLVMGetOperand(copy, 1), 1, LLVMGetOperand(copy, 2));
}

/* A std::string member that may write the string (not a const member),
 * called on a string that has a shadow: a std::string inside shadowed
 * memory (a map node's key) is built by library code the gradient does not
 * differentiate, so the same call is made on the shadow string. */
static int is_string_mutator(ct_gen *g, LLVMValueRef inst) {
  static const char prefix[] = "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE";
  if (!LLVMIsACallInst(inst) || LLVMGetNumArgOperands(inst) < 1)
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : NULL;
  LLVMValueRef self = LLVMGetOperand(inst, 0);
  return name && len > sizeof prefix - 1 && !strncmp(name, prefix, sizeof prefix - 1) &&
         LLVMGetTypeKind(LLVMTypeOf(self)) == LLVMPointerTypeKind && vmap_get(&g->active, self);
}

/* The copying member in place of a moving one (move constructor, move
 * assignment), NULL for others. */
static const char *moving_member(LLVMValueRef callee) {
  static const char *const pairs[][2] = {
      {"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC1EOS4_",
       "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC1ERKS4_"},
      {"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC2EOS4_",
       "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC2ERKS4_"},
      {"_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEaSEOS4_",
       "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEaSERKS4_"},
  };
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; ++k)
    if (!strcmp(name, pairs[k][0]))
      return pairs[k][1];
  return NULL;
}

ct_shadow_step integer_mirror_replay(ct_gen *g, LLVMValueRef inst, LLVMValueRef *replay) {
  *replay = NULL;
  if (!is_string_mutator(g, inst) || vmap_get(&g->string_replays, inst))
    return SHADOW_MADE;
  unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
  LLVMValueRef copy = vmap_get(&g->fwd, inst);
  LLVMValueRef *args = malloc(n * sizeof *args);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, k), s = NULL;
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(&g->active, op)) {
      s = vmap_get(&g->shadow, op);
      if (!s) {
        free(args);
        return SHADOW_PENDING;
      }
    }
    args[k] = s && !ir_points_nowhere(s) ? s : LLVMGetOperand(copy, k);
  }
  if (args[0] == LLVMGetOperand(copy, 0)) {
    free(args);
    return SHADOW_MADE; /* the string has no shadow memory */
  }
  /* before the primal call, which may move from a primal argument: the
     shadow string copies it instead */
  LLVMValueRef callee = LLVMGetCalledValue(copy);
  LLVMTypeRef fty = LLVMGetCalledFunctionType(copy);
  if (n == 2 && args[1] == LLVMGetOperand(copy, 1)) {
    const char *moved = moving_member(callee);
    if (moved) {
      int declared = 0;
      callee = ir_declare_function(g->m->mod, moved, fty, &declared);
    }
  }
  LLVMPositionBuilderBefore(g->m->b, copy);
  *replay = LLVMBuildCall2(g->m->b, fty, callee, args, n, "");
  free(args);
  vmap_set(&g->string_replays, inst, *replay);
  return SHADOW_MADE;
}
