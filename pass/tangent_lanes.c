/* Vector forward mode's products with directions known to be zero.
 *
 * A tangent term of vector mode is (partial, splat over the N lanes) *
 * (the operand's N tangents). Where the tangents come from constant seeds
 * (a Jacobian's unit directions, ct_derivative_n with literal seeds) and
 * the tangent function was inlined into the caller, many lanes are
 * constant zeros: bundle adjustment's rotation depends on 3 of its 15
 * inputs. LLVM cannot drop the products of those lanes (p * 0 is not 0 when
 * p is infinite), but forward mode's convention is that a zero tangent
 * contributes zero (tangent_vector.c already selects 0 for singular
 * partials), so here, at the end of the optimization pipeline, each such
 * product (marked by tangent_vector.c) whose lanes are known zeros becomes
 * `select(<lanes that may be nonzero>, product, 0)`, and the code
 * generator drops the all-zero parts of the vector (and the additions of
 * zeros after them).
 *
 * Known-zero lanes are computed in one pass over each function's blocks in
 * layout order: constants (±0.0 and undefined lanes), additions and
 * subtractions (both zero), marked products (either zero), other products
 * (both zero), negations, selects, shuffles, insertions and phis (all
 * incoming zero); values not yet seen (a loop's back edge) count as
 * unknown. */
#include "tangent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PRODUCT_MD "ct.tangent_product"

void tangent_lanes_mark(LLVMValueRef product) {
  if (!product || !LLVMIsAInstruction(product))
    return;
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(product));
  LLVMSetMetadata(product, LLVMGetMDKindIDInContext(ctx, PRODUCT_MD, (unsigned)strlen(PRODUCT_MD)),
                  LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, NULL, 0)));
}

/* value -> known-zero lanes, open addressing, grown at half full */
typedef struct {
  LLVMValueRef *keys;
  uint64_t *masks;
  size_t cap, n;
} lane_map;

static size_t slot_of(const lane_map *m, LLVMValueRef v) {
  size_t h = ((uintptr_t)v >> 4) * 0x9E3779B97F4A7C15ull;
  size_t i = h & (m->cap - 1);
  while (m->keys[i] && m->keys[i] != v)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static void map_put(lane_map *m, LLVMValueRef v, uint64_t mask) {
  if (2 * (m->n + 1) > m->cap) {
    lane_map big = {calloc(m->cap * 2, sizeof *big.keys), calloc(m->cap * 2, sizeof *big.masks), m->cap * 2, 0};
    for (size_t i = 0; i < m->cap; ++i)
      if (m->keys[i])
        map_put(&big, m->keys[i], m->masks[i]);
    free(m->keys);
    free(m->masks);
    *m = big;
  }
  size_t i = slot_of(m, v);
  if (!m->keys[i])
    ++m->n;
  m->keys[i] = v;
  m->masks[i] = mask;
}

/* the lanes of an N-lane floating-point vector type (0: not one, or N > 64) */
static unsigned lanes_of(LLVMTypeRef ty) {
  if (LLVMGetTypeKind(ty) != LLVMVectorTypeKind)
    return 0;
  LLVMTypeKind k = LLVMGetTypeKind(LLVMGetElementType(ty));
  unsigned n = LLVMGetVectorSize(ty);
  return (k == LLVMDoubleTypeKind || k == LLVMFloatTypeKind) && n <= 64 ? n : 0;
}

static uint64_t all_of(unsigned n) { return n == 64 ? ~0ull : (1ull << n) - 1; }

static uint64_t zeros(lane_map *m, LLVMValueRef v) {
  unsigned n = lanes_of(LLVMTypeOf(v));
  if (!n)
    return 0;
  if (LLVMIsAConstantAggregateZero(v) || LLVMIsAUndefValue(v) || LLVMIsAPoisonValue(v))
    return all_of(n);
  if (LLVMIsAConstantDataVector(v) || LLVMIsAConstantVector(v)) {
    uint64_t z = 0;
    for (unsigned i = 0; i < n; ++i) {
      LLVMValueRef e = LLVMGetAggregateElement(v, i);
      LLVMBool lossy = 0;
      if (!e || LLVMIsAUndefValue(e) || (LLVMIsAConstantFP(e) && LLVMConstRealGetDouble(e, &lossy) == 0.0))
        z |= 1ull << i;
    }
    return z;
  }
  if (!LLVMIsAInstruction(v) || !m->cap)
    return 0;
  size_t i = slot_of(m, v);
  return m->keys[i] ? m->masks[i] : 0;
}

/* The known-zero lanes of inst from its operands'. */
static uint64_t compute(lane_map *m, LLVMValueRef inst, unsigned kind) {
  unsigned n = lanes_of(LLVMTypeOf(inst));
  switch (LLVMGetInstructionOpcode(inst)) {
  case LLVMFAdd:
  case LLVMFSub: return zeros(m, LLVMGetOperand(inst, 0)) & zeros(m, LLVMGetOperand(inst, 1));
  case LLVMFNeg: return zeros(m, LLVMGetOperand(inst, 0));
  case LLVMFMul: {
    uint64_t a = zeros(m, LLVMGetOperand(inst, 0)), b = zeros(m, LLVMGetOperand(inst, 1));
    return LLVMGetMetadata(inst, kind) ? a | b : a & b;
  }
  case LLVMSelect: {
    LLVMValueRef c = LLVMGetOperand(inst, 0);
    uint64_t a = zeros(m, LLVMGetOperand(inst, 1)), b = zeros(m, LLVMGetOperand(inst, 2));
    if (!LLVMIsAConstantDataVector(c) && !LLVMIsAConstantVector(c))
      return a & b;
    uint64_t z = 0;
    for (unsigned i = 0; i < n; ++i) {
      LLVMValueRef e = LLVMGetAggregateElement(c, i);
      int t = e && LLVMIsAConstantInt(e) && LLVMConstIntGetZExtValue(e);
      z |= (t ? a : b) & (1ull << i);
    }
    return z;
  }
  case LLVMShuffleVector: {
    LLVMValueRef a = LLVMGetOperand(inst, 0), b = LLVMGetOperand(inst, 1);
    unsigned na = lanes_of(LLVMTypeOf(a));
    if (!na)
      return 0;
    uint64_t za = zeros(m, a), zb = zeros(m, b), z = 0;
    for (unsigned i = 0; i < n; ++i) {
      int k = LLVMGetMaskValue(inst, i);
      if (k == LLVMGetUndefMaskElem() || (k < (int)na ? (za >> k) & 1 : (zb >> (k - (int)na)) & 1))
        z |= 1ull << i;
    }
    return z;
  }
  case LLVMInsertElement: {
    LLVMValueRef s = LLVMGetOperand(inst, 1), idx = LLVMGetOperand(inst, 2);
    uint64_t z = zeros(m, LLVMGetOperand(inst, 0));
    LLVMBool lossy = 0;
    int zero = LLVMIsAConstantFP(s) && LLVMConstRealGetDouble(s, &lossy) == 0.0;
    if (!LLVMIsAConstantInt(idx))
      return zero ? z : 0;
    unsigned long long k = LLVMConstIntGetZExtValue(idx);
    if (k < n)
      z = zero ? z | (1ull << k) : z & ~(1ull << k);
    return z;
  }
  case LLVMPHI: { /* an incoming value not seen yet (a loop's back edge) counts as unknown */
    uint64_t z = all_of(n);
    for (unsigned k = 0, nin = LLVMCountIncoming(inst); k < nin && z; ++k)
      z &= zeros(m, LLVMGetIncomingValue(inst, k));
    return z;
  }
  default: return 0;
  }
}

/* Marked products with known-zero lanes, then the selects. */
static int rewrite_function(LLVMValueRef fn, unsigned kind, LLVMBuilderRef b) {
  lane_map m = {calloc(64, sizeof *m.keys), calloc(64, sizeof *m.masks), 64, 0};
  LLVMValueRef *todo = NULL;
  size_t ntodo = 0, cap = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      if (!lanes_of(LLVMTypeOf(i)))
        continue;
      uint64_t z = compute(&m, i, kind);
      if (z)
        map_put(&m, i, z);
      if (z && LLVMGetInstructionOpcode(i) == LLVMFMul && LLVMGetMetadata(i, kind)) {
        if (ntodo == cap) {
          cap = cap ? 2 * cap : 16;
          todo = realloc(todo, cap * sizeof *todo);
        }
        todo[ntodo++] = i;
      }
    }
  for (size_t t = 0; t < ntodo; ++t) {
    LLVMValueRef p = todo[t];
    LLVMTypeRef ty = LLVMTypeOf(p);
    unsigned n = lanes_of(ty);
    uint64_t z = zeros(&m, p);
    LLVMValueRef zero = LLVMConstNull(ty);
    LLVMSetMetadata(p, kind, NULL); /* done: a second run finds nothing */
    if (z == all_of(n)) {
      LLVMReplaceAllUsesWith(p, zero);
      continue;
    }
    LLVMContextRef ctx = LLVMGetTypeContext(ty);
    LLVMValueRef *bits = malloc(n * sizeof *bits);
    for (unsigned i = 0; i < n; ++i)
      bits[i] = LLVMConstInt(LLVMInt1TypeInContext(ctx), !((z >> i) & 1), 0);
    LLVMValueRef keep = LLVMConstVector(bits, n);
    free(bits);
    LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(p));
    LLVMValueRef sel = LLVMBuildSelect(b, keep, p, zero, "");
    LLVMReplaceAllUsesWith(p, sel);
    LLVMSetOperand(sel, 1, p); /* the select itself keeps the product */
  }
  free(todo);
  free(m.keys);
  free(m.masks);
  return ntodo > 0;
}

int ct_zero_lanes_module(LLVMModuleRef mod) {
  LLVMContextRef ctx = LLVMGetModuleContext(mod);
  unsigned kind = LLVMGetMDKindIDInContext(ctx, PRODUCT_MD, (unsigned)strlen(PRODUCT_MD));
  LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f))
      changed |= rewrite_function(f, kind, b);
  LLVMDisposeBuilder(b);
  return changed;
}
