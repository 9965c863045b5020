/* Retyping integer moves of floating-point data.
 *
 * LLVM copies small structs and unions ({double}, {float, float}, ...) and
 * byte buffers with integer loads and stores (i64, i32, <2 x i64>...).
 * Integers carry no derivative, so before differentiation such a load or
 * store is rewritten to move the floating-point type the memory holds
 * (deduced from the function's other accesses of the same object): a
 * load i64 of double data becomes a load double plus a bitcast, and a
 * store of a bitcast double goes back to storing the double. Moves that
 * cannot be retyped (bytes of a double) are left for classify.c to reject.
 *
 * Retyping shows bit operations on floating-point values that LLVM folded
 * nowhere (it folds them where it sees the bits in registers): flipping,
 * clearing or setting the sign bit of a value read back as floating point
 * is a negation, fabs or -fabs, and combining the magnitude of one value
 * with the sign of another is copysign: each becomes that operation, so
 * that its derivative is the operation's, whether LLVM folded the bits or
 * they went through memory. Other integer
 * arithmetic on the bits (a fast inverse square root's magic constant)
 * carries no derivative. */
#include "core.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <string.h>

/* double, float, or <k x T>, of exactly `bits` bits; NULL if impossible */
static LLVMTypeRef fp_type_of_width(LLVMTypeRef elem, unsigned bits) {
  unsigned eb = LLVMGetTypeKind(elem) == LLVMDoubleTypeKind ? 64 : 32;
  if (!bits || bits % eb)
    return NULL;
  return bits == eb ? elem : LLVMVectorType(elem, bits / eb);
}

/* May floating-point data lie in the `bytes` bytes at ptr: does a float or
 * double access of the function, or a copy from memory holding such data,
 * overlap them? An object holding a double beside integers (a map node: its
 * key string's length and capacity, the value, the cached hash) has its
 * integer fields moved as integers. */
static int may_hold_fp(LLVMValueRef fn, LLVMValueRef ptr, unsigned long long bytes) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(LLVMGetGlobalParent(fn));
  LLVMValueRef base = ir_base_object(ptr);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      const char *mem = ir_mem_intrinsic(inst);
      if (mem && strcmp(mem, "memset")) {
        LLVMValueRef len = LLVMGetOperand(inst, 2);
        unsigned long long n = LLVMIsAConstantInt(len) ? LLVMConstIntGetZExtValue(len) : ~0ull >> 2;
        if (ir_base_object(LLVMGetOperand(inst, 0)) == base &&
            ir_may_overlap(td, LLVMGetOperand(inst, 0), n, ptr, bytes) &&
            activity_fp_type_of_memory(fn, LLVMGetOperand(inst, 1)))
          return 1;
        continue;
      }
      int store = LLVMIsAStoreInst(inst) != NULL;
      if (!store && !LLVMIsALoadInst(inst))
        continue;
      LLVMTypeRef ty = store ? LLVMTypeOf(LLVMGetOperand(inst, 0)) : LLVMTypeOf(inst);
      LLVMValueRef p = LLVMGetOperand(inst, store);
      if (type_is_fp(ty) && ir_base_object(p) == base && ir_may_overlap(td, p, LLVMStoreSizeOfType(td, ty), ptr, bytes))
        return 1;
    }
  return 0;
}

static LLVMTypeRef moved_fp_type(ct_module *m, LLVMValueRef fn, LLVMValueRef ptr, LLVMValueRef partner_ptr,
                                 LLVMTypeRef int_ty) {
  (void)m;
  unsigned long long bytes = LLVMGetTypeKind(int_ty) == LLVMIntegerTypeKind ? LLVMGetIntTypeWidth(int_ty) / 8 : 0;
  LLVMTypeRef elem = activity_fp_type_of_memory(fn, ptr);
  if (elem && bytes && !may_hold_fp(fn, ptr, bytes))
    elem = NULL;
  if (!elem && partner_ptr) {
    elem = activity_fp_type_of_memory(fn, partner_ptr);
    if (elem && bytes && !may_hold_fp(fn, partner_ptr, bytes))
      elem = NULL;
  }
  if (!elem || LLVMGetTypeKind(int_ty) != LLVMIntegerTypeKind)
    return NULL;
  return fp_type_of_width(elem, LLVMGetIntTypeWidth(int_ty));
}

/* The floating-point type the bits of an integer load are used as: a
 * bitcast to float/double reached through trunc, lshr and bit masks (the
 * sign bit flipped or cleared on its way back). */
static LLVMTypeRef fp_type_from_uses(LLVMValueRef v, int depth) {
  if (depth > 4)
    return NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsABitCastInst(user) && type_is_fp_scalar(LLVMTypeOf(user)))
      return LLVMTypeOf(user);
    LLVMOpcode op = LLVMIsAInstruction(user) ? LLVMGetInstructionOpcode(user) : LLVMRet;
    if (LLVMIsATruncInst(user) || op == LLVMLShr || op == LLVMXor || op == LLVMAnd || op == LLVMOr) {
      LLVMTypeRef t = fp_type_from_uses(user, depth + 1);
      if (t)
        return t;
    }
  }
  return NULL;
}

/* bitcast(trunc(lshr(bits, k*w))) to T, for lanes of width w, becomes
 * extractelement(vec, k): the lanes keep carrying derivatives. */
static void rewrite_lane_extracts(LLVMBuilderRef b, LLVMValueRef bits, LLVMValueRef vec, unsigned w, int depth,
                                  unsigned shift, LLVMValueRef *next) {
  if (depth > 4)
    return;
  for (LLVMUseRef u = LLVMGetFirstUse(bits), un; u; u = un) {
    un = LLVMGetNextUse(u);
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsABitCastInst(user) && type_is_fp_scalar(LLVMTypeOf(user)) && shift % w == 0 &&
        LLVMGetTypeKind(LLVMTypeOf(vec)) == LLVMVectorTypeKind &&
        LLVMTypeOf(user) == LLVMGetElementType(LLVMTypeOf(vec))) {
      LLVMPositionBuilderBefore(b, user);
      LLVMValueRef lane = LLVMBuildExtractElement(
          b, vec, LLVMConstInt(LLVMInt32TypeInContext(LLVMGetTypeContext(LLVMTypeOf(vec))), shift / w, 0), "");
      if (user == *next)
        *next = LLVMGetNextInstruction(user);
      LLVMReplaceAllUsesWith(user, lane);
      LLVMInstructionEraseFromParent(user);
    } else if (LLVMIsATruncInst(user)) {
      rewrite_lane_extracts(b, user, vec, w, depth + 1, shift, next);
    } else if (LLVMIsAInstruction(user) && LLVMGetInstructionOpcode(user) == LLVMLShr &&
               LLVMIsAConstantInt(LLVMGetOperand(user, 1)) && LLVMGetOperand(user, 0) == bits) {
      rewrite_lane_extracts(b, user, vec, w, depth + 1,
                            shift + (unsigned)LLVMConstIntGetZExtValue(LLVMGetOperand(user, 1)), next);
    }
  }
}

/* The retyped access stays as atomic as the original (an _Atomic double
 * is moved as i64). */
static void copy_atomicity(LLVMValueRef from, LLVMValueRef to) {
  LLVMAtomicOrdering o = LLVMGetOrdering(from);
  if (o == LLVMAtomicOrderingNotAtomic)
    return;
  LLVMSetOrdering(to, o);
  LLVMSetAtomicSingleThread(to, LLVMIsAtomicSingleThread(from));
}

/* The pointer of the first store that stores `v`, if any. */
static LLVMValueRef stored_to(LLVMValueRef v) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 0) == v)
      return LLVMGetOperand(user, 1);
  }
  return NULL;
}

/* The fp value of type fty whose bits v are, through a bitcast, or NULL. */
static LLVMValueRef bits_of(LLVMValueRef v, LLVMTypeRef fty) {
  return LLVMIsABitCastInst(v) && LLVMTypeOf(LLVMGetOperand(v, 0)) == fty ? LLVMGetOperand(v, 0) : NULL;
}

/* v = bits & mask (either order); the bits' fp value, or NULL */
static LLVMValueRef masked_bits(LLVMValueRef v, unsigned long long mask, LLVMTypeRef fty) {
  if (!LLVMIsAInstruction(v) || LLVMGetInstructionOpcode(v) != LLVMAnd)
    return NULL;
  for (unsigned k = 0; k < 2; ++k) {
    LLVMValueRef c = LLVMGetOperand(v, 1 - k);
    if (LLVMIsAConstantInt(c) && LLVMConstIntGetZExtValue(c) == mask)
      return bits_of(LLVMGetOperand(v, k), fty);
  }
  return NULL;
}

/* x when v is the bits of |x|: x's bits with the sign cleared, or fabs(x)'s */
static LLVMValueRef magnitude_bits(LLVMValueRef v, unsigned long long magnitude, LLVMTypeRef fty) {
  LLVMValueRef x = masked_bits(v, magnitude, fty), a = x ? NULL : bits_of(v, fty);
  static const char *const FABS[] = {"llvm.fabs.f16", "llvm.fabs.f32", "llvm.fabs.f64", NULL};
  if (a && LLVMIsACallInst(a) && ir_callee_is(a, FABS))
    x = LLVMGetOperand(a, 0);
  return x;
}

static LLVMValueRef fp_intrinsic(ct_module *m, LLVMBuilderRef b, const char *base, LLVMTypeRef fty, LLVMValueRef *args,
                                 unsigned n) {
  char name[48];
  snprintf(name, sizeof name, "%s.f%u", base, LLVMGetTypeKind(fty) == LLVMDoubleTypeKind  ? 64
                                             : LLVMGetTypeKind(fty) == LLVMFloatTypeKind ? 32
                                                                                          : 16);
  LLVMTypeRef params[2] = {fty, fty};
  return ir_build_call(b, m->mod, name, LLVMFunctionType(fty, params, n, 0), args, n, "");
}

/* bitcast(op(...)) to a floating-point type, where op only moves sign bits
 * of values of that type: bits(x) ^ sign, bits(x) & ~sign, bits(x) | sign,
 * (bits(x) & ~sign) | (bits(y) & sign): fneg(x), fabs(x), fneg(fabs(x)),
 * copysign(x, y); else NULL. */
static LLVMValueRef sign_bit_op(ct_module *m, LLVMBuilderRef b, LLVMValueRef cast) {
  LLVMValueRef v = LLVMGetOperand(cast, 0);
  LLVMTypeRef fty = LLVMTypeOf(cast);
  if (!type_is_fp_scalar(fty) || LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMIntegerTypeKind || !LLVMIsAInstruction(v) ||
      LLVMGetNumOperands(v) != 2 || LLVMGetIntTypeWidth(LLVMTypeOf(v)) > 64)
    return NULL;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  unsigned w = LLVMGetIntTypeWidth(LLVMTypeOf(v));
  unsigned long long sign = 1ull << (w - 1), magnitude = (w == 64 ? ~0ull : (1ull << w) - 1) & ~sign;
  LLVMValueRef x = NULL, y = NULL, r = NULL;
  for (unsigned k = 0; k < 2 && !x; ++k) {
    LLVMValueRef c = LLVMGetOperand(v, 1 - k);
    if (LLVMIsAConstantInt(c)) {
      unsigned long long kc = LLVMConstIntGetZExtValue(c);
      if ((op == LLVMXor && kc == sign) || (op == LLVMAnd && kc == magnitude) || (op == LLVMOr && kc == sign))
        x = bits_of(LLVMGetOperand(v, k), fty);
    } else if (op == LLVMOr && (y = masked_bits(c, sign, fty))) {
      x = magnitude_bits(LLVMGetOperand(v, k), magnitude, fty);
      op = LLVMFAdd; /* marks copysign */
    }
  }
  if (!x)
    return NULL;
  LLVMPositionBuilderBefore(b, cast);
  if (op == LLVMXor)
    return LLVMBuildFNeg(b, x, "");
  if (op == LLVMFAdd) {
    LLVMValueRef args[2] = {x, y};
    return fp_intrinsic(m, b, "llvm.copysign", fty, args, 2);
  }
  r = fp_intrinsic(m, b, "llvm.fabs", fty, &x, 1);
  return op == LLVMOr ? LLVMBuildFNeg(b, r, "") : r;
}

static void fold_sign_bit_ops(ct_module *m, LLVMValueRef fn, LLVMBuilderRef b) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      LLVMValueRef r = LLVMIsABitCastInst(inst) ? sign_bit_op(m, b, inst) : NULL;
      if (r) {
        LLVMInstructionSetDebugLoc(r, LLVMInstructionGetDebugLoc(inst));
        LLVMReplaceAllUsesWith(inst, r);
        LLVMInstructionEraseFromParent(inst);
      }
    }
}

void retype_fp_memory(ct_module *m, LLVMValueRef fn) {
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMIntegerTypeKind &&
          !LLVMGetVolatile(inst)) {
        LLVMValueRef ptr = LLVMGetOperand(inst, 0);
        LLVMTypeRef fty = moved_fp_type(m, fn, ptr, stored_to(inst), LLVMTypeOf(inst));
        if (!fty) {
          LLVMTypeRef elem = fp_type_from_uses(inst, 0);
          fty = elem ? fp_type_of_width(elem, LLVMGetIntTypeWidth(LLVMTypeOf(inst))) : NULL;
        }
        if (!fty)
          continue;
        LLVMPositionBuilderBefore(b, inst);
        LLVMValueRef load = LLVMBuildLoad2(b, fty, ptr, "");
        LLVMSetAlignment(load, LLVMGetAlignment(inst));
        copy_atomicity(inst, load);
        LLVMValueRef bits = LLVMBuildBitCast(b, load, LLVMTypeOf(inst), "");
        LLVMReplaceAllUsesWith(inst, bits);
        LLVMInstructionEraseFromParent(inst);
        /* bitcasts back to the floating-point type use the load itself */
        for (LLVMUseRef u = LLVMGetFirstUse(bits), un; u; u = un) {
          un = LLVMGetNextUse(u);
          LLVMValueRef user = LLVMGetUser(u);
          if (LLVMIsABitCastInst(user) && LLVMTypeOf(user) == fty) {
            if (user == next)
              next = LLVMGetNextInstruction(user);
            LLVMReplaceAllUsesWith(user, load);
            LLVMInstructionEraseFromParent(user);
          }
        }
        if (LLVMGetTypeKind(fty) == LLVMVectorTypeKind)
          rewrite_lane_extracts(b, bits, load, LLVMGetTypeKind(LLVMGetElementType(fty)) == LLVMDoubleTypeKind ? 64 : 32,
                                0, 0, &next);
      } else if (LLVMIsAStoreInst(inst) && !LLVMGetVolatile(inst)) {
        LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
        if (LLVMGetTypeKind(LLVMTypeOf(val)) != LLVMIntegerTypeKind)
          continue;
        LLVMValueRef src = LLVMIsABitCastInst(val) ? LLVMGetOperand(val, 0) : NULL;
        LLVMValueRef src_ptr = src && LLVMIsALoadInst(src) ? LLVMGetOperand(src, 0) : NULL;
        /* storing the bits of floating-point data: store the data */
        LLVMTypeRef fty = src && type_is_fp(LLVMTypeOf(src)) ? LLVMTypeOf(src)
                                                             : moved_fp_type(m, fn, ptr, src_ptr, LLVMTypeOf(val));
        if (!fty)
          continue;
        LLVMPositionBuilderBefore(b, inst);
        LLVMValueRef fval = src && LLVMTypeOf(src) == fty ? src : LLVMBuildBitCast(b, val, fty, "");
        LLVMValueRef store = LLVMBuildStore(b, fval, ptr);
        LLVMSetAlignment(store, LLVMGetAlignment(inst));
        copy_atomicity(inst, store);
        LLVMInstructionEraseFromParent(inst);
        if (LLVMIsABitCastInst(val) && !LLVMGetFirstUse(val))
          LLVMInstructionEraseFromParent(val);
      }
    }
  }
  fold_sign_bit_ops(m, fn, b);
  LLVMDisposeBuilder(b);
}
