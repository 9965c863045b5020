/* Adjoints, and the primal values the reverse part sees.
 *
 * Every active non-pointer value has an adjoint slot: a zeroed alloca in
 * the entry of the reverse function, which LLVM's SROA turns back into SSA
 * values. Contributions are added into it; the reverse of the value's
 * definition takes it (reads and clears it: a loop's next iteration starts
 * from zero). A primal value used by the reverse part is the value popped
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
  LLVMValueRef old = LLVMBuildLoad2(g->m->b, ty, s, "");
  LLVMBuildStore(g->m->b, add_values(g, old, c), s);
}

LLVMValueRef adjoint_take(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef s = adjoint_slot(g, v);
  LLVMValueRef d = LLVMBuildLoad2(g->m->b, LLVMTypeOf(v), s, "");
  LLVMBuildStore(g->m->b, LLVMConstNull(LLVMTypeOf(v)), s);
  return d;
}
