/* Adjoints, and the primal values the reverse part sees.
 *
 * Every active non-pointer value has an adjoint slot: a zeroed alloca in
 * the entry of the reverse function, which LLVM's SROA turns back into SSA
 * values. Contributions are added into it; the reverse of the value's
 * definition takes it (reads and clears it: a loop's next iteration starts
 * from zero). The slot of a value whose adjoint is local to its block (see
 * adjoint_local) is known to hold zero where that block's reverse begins:
 * its first addition there stores instead, so that SROA finds it dead
 * across other blocks (without, a 1,000-case switch's slots each took a
 * phi of 1,000 zeros in the reverse's join). A primal value used by the reverse part is the value popped
 * from the tape (or recomputed) for the current reverse block, else the
 * forward's own value (a stable block), an argument's copy, or the value
 * itself (constants and globals). */
#include "gen.h"

int adjoint_has(ct_gen *g, LLVMValueRef v) {
  return vmap_get(&g->active, v) && LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMPointerTypeKind;
}

LLVMValueRef rev_value(ct_gen *g, LLVMValueRef v) {
  if (!ir_is_local(v)) {
    LLVMValueRef f = vmap_get(&g->rev_args, v);
    return f ? f : v; /* arguments map; constants and globals are themselves */
  }
  LLVMValueRef p = vmap_get(&g->popped[NEED_VALUE], v);
  return p ? p : vmap_get(&g->fwd, v); /* stable blocks (combined mode) */
}

LLVMValueRef rev_shadow(ct_gen *g, LLVMValueRef v) {
  if (!ir_is_local(v)) {
    LLVMValueRef s = vmap_get(&g->rev_arg_shadows, v);
    return s ? s : gpu_shadow_of_constant(g, v, g->m->b); /* a shared array */
  }
  LLVMValueRef p = vmap_get(&g->popped[NEED_SHADOW], v);
  return p ? p : vmap_get(&g->shadow, v);
}

LLVMValueRef adjoint_slot(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef s = vmap_get(&g->slot, v);
  if (!s) {
    s = LLVMBuildAlloca(g->ab, LLVMTypeOf(v), "adj");
    LLVMBuildStore(g->ab, LLVMConstNull(LLVMTypeOf(v)), s);
    vmap_set(&g->slot, v, s);
  }
  return s;
}

/* a + b for floating-point values, vectors, and structs/arrays of them
 * (non-floating members keep a's value). */
static LLVMValueRef add_values(ct_gen *g, LLVMValueRef a, LLVMValueRef b) {
  LLVMTypeRef ty = LLVMTypeOf(a);
  LLVMTypeKind k = LLVMGetTypeKind(ty);
  if (k == LLVMStructTypeKind || k == LLVMArrayTypeKind) {
    unsigned n = k == LLVMStructTypeKind ? LLVMCountStructElementTypes(ty) : LLVMGetArrayLength(ty);
    LLVMValueRef r = a;
    for (unsigned i = 0; i < n; ++i) {
      LLVMValueRef x = LLVMBuildExtractValue(g->m->b, a, i, "");
      if (!activity_carries_derivative(LLVMTypeOf(x)) || LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMPointerTypeKind)
        continue;
      LLVMValueRef y = LLVMBuildExtractValue(g->m->b, b, i, "");
      r = LLVMBuildInsertValue(g->m->b, r, add_values(g, x, y), i, "");
    }
    return r;
  }
  /* adjoint slots start at +0.0; nsz lets LLVM fold the first 0 + x.
     reassoc: an adjoint is a sum of contributions whose order is ours to
     choose (the reverse already sums in an order the user never wrote), so
     LLVM may vectorize a loop's adjoint accumulations as reductions. */
  LLVMValueRef sum = LLVMBuildFAdd(g->m->b, a, b, "");
  LLVMSetFastMathFlags(sum, LLVMFastMathNoSignedZeros | LLVMFastMathAllowReassoc);
  return sum;
}

void adjoint_add(ct_gen *g, LLVMValueRef primal, LLVMValueRef c) {
  if (!adjoint_has(g, primal))
    return;
  LLVMTypeRef ty = LLVMTypeOf(primal);
  if (LLVMTypeOf(c) != ty)
    c = LLVMBuildFPCast(g->m->b, c, ty, "");
  LLVMValueRef s = adjoint_slot(g, primal);
  if (vmap_get(&g->zeroed, primal)) { /* 0 + c */
    vmap_set(&g->zeroed, primal, NULL);
    LLVMBuildStore(g->m->b, c, s);
    return;
  }
  LLVMValueRef old = LLVMBuildLoad2(g->m->b, ty, s, "");
  LLVMBuildStore(g->m->b, add_values(g, old, c), s);
}

LLVMValueRef adjoint_take(ct_gen *g, LLVMValueRef v) {
  if (vmap_get(&g->zeroed, v)) /* nothing added: zero, and the slot stays so */
    return LLVMConstNull(LLVMTypeOf(v));
  LLVMValueRef s = adjoint_slot(g, v);
  LLVMValueRef d = LLVMBuildLoad2(g->m->b, LLVMTypeOf(v), s, "");
  LLVMBuildStore(g->m->b, LLVMConstNull(LLVMTypeOf(v)), s);
  return d;
}

static int floating(LLVMTypeRef t) {
  LLVMTypeKind k = LLVMGetTypeKind(t);
  if (k == LLVMVectorTypeKind || k == LLVMScalableVectorTypeKind)
    k = LLVMGetTypeKind(LLVMGetElementType(t));
  return k == LLVMHalfTypeKind || k == LLVMBFloatTypeKind || k == LLVMFloatTypeKind || k == LLVMDoubleTypeKind ||
         k == LLVMX86_FP80TypeKind || k == LLVMFP128TypeKind || k == LLVMPPC_FP128TypeKind;
}

/* Additions into a slot come from the reverse of the value's users (in the
 * reverse sweep of their block), of phis using it (on the edges into the
 * reverse of the incoming block) and of returns (the seed, before any
 * reverse block); its take is in the reverse of its definition, which
 * comes after the block's own additions and the edge's. */
int adjoint_local(ct_gen *g, LLVMValueRef v) {
  if (!LLVMIsAInstruction(v) || LLVMIsAPHINode(v) || !adjoint_has(g, v) || !floating(LLVMTypeOf(v)))
    return 0;
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(v);
  int kind = 1;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      return 0;
    if (LLVMIsAPHINode(user)) {
      for (unsigned k = 0, n = LLVMCountIncoming(user); k < n; ++k)
        if (LLVMGetIncomingValue(user, k) == v && LLVMGetIncomingBlock(user, k) != bb)
          return 0;
      kind = 2;
    } else if (LLVMGetInstructionParent(user) != bb || LLVMGetInstructionOpcode(user) == LLVMRet) {
      return 0;
    }
  }
  return kind;
}

void adjoint_mark_zeroed(ct_gen *g, LLVMBasicBlockRef bb, int kind) {
  vmap_free(&g->zeroed);
  vmap_init(&g->zeroed);
  for (LLVMValueRef inst = bb && kind ? LLVMGetFirstInstruction(bb) : NULL; inst; inst = LLVMGetNextInstruction(inst))
    if (adjoint_local(g, inst) == kind)
      vmap_set(&g->zeroed, inst, inst);
}

void adjoint_store_zeroed(ct_gen *g, LLVMBasicBlockRef bb) {
  for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
    if (vmap_get(&g->zeroed, inst))
      LLVMBuildStore(g->m->b, LLVMConstNull(LLVMTypeOf(inst)), adjoint_slot(g, inst));
  adjoint_mark_zeroed(g, NULL, 0);
}
