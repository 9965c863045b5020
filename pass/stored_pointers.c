/* Pointers without a shadow stored into memory that has one.
 *
 * The forward pass stores, next to each pointer stored into shadowed memory
 * (a heap struct's field), that pointer's shadow into the shadow memory, so
 * that a load of the field finds the shadow there. A pointer that has no
 * shadow (into an argument held constant, into a global, or read from such
 * memory) is stored as its own shadow, as Enzyme does. A pointer loaded back
 * from such a field may then have the primal pointer as its shadow, and the
 * reverse pass must not add derivatives there: that is the constant data
 * itself. This file finds those loads (a load of a pointer whose address
 * may overlap a location where such a pointer was stored, by base object
 * and constant offsets modulo the strides of variable indices), and the
 * pointers derived from them; the reverse of a float load or store through
 * one checks at run time whether the shadow is the primal pointer, and then
 * drops the derivative. Any other use that would need a real shadow (a
 * call, memcpy, a pointer stored through it) is reported.
 *
 * A memcpy of memory holding pointers (a struct assignment a[k] = a[j])
 * copies their shadows too, in the forward pass, when both sides are the
 * function's own allocations (whose shadows hold zeros where they hold
 * floats, during the forward pass); elsewhere it is reported.
 *
 * An allocation stored into the caller's memory (a struct argument's
 * field, directly or inside the function's own memory stored there) is the
 * caller's, and so is its shadow, stored into the caller's shadow struct:
 * the reverse pass keeps that shadow (as Enzyme does). */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdlib.h>

static int is_gep(LLVMValueRef p) {
  return LLVMIsAGetElementPtrInst(p) || (LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMGetElementPtr);
}

static int is_pointer_cast(LLVMValueRef p) {
  return LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p) ||
         (LLVMIsAConstantExpr(p) &&
          (LLVMGetConstOpcode(p) == LLVMBitCast || LLVMGetConstOpcode(p) == LLVMAddrSpaceCast));
}

/* A store of a pointer without a shadow into shadowed memory (a pointer
 * into no object, NULL + n, is its own shadow: nothing is there). */
static int stores_own_shadow(ct_gen *g, LLVMValueRef inst) {
  if (!LLVMIsAStoreInst(inst))
    return 0;
  LLVMValueRef val = LLVMGetOperand(inst, 0);
  return LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind && vmap_get(&g->active, LLVMGetOperand(inst, 1)) &&
         !vmap_get(&g->active, val) && !ir_points_nowhere(val) && !LLVMIsAFunction(ir_base_object(val));
}

static void mark(ct_gen *g, LLVMValueRef v, LLVMValueRef **work, unsigned *n, unsigned *cap) {
  if (vmap_get(&g->self_shadowed, v))
    return;
  vmap_set(&g->self_shadowed, v, v);
  if (*n == *cap)
    *work = realloc(*work, (*cap = *cap ? 2 * *cap : 16) * sizeof **work);
  (*work)[(*n)++] = v;
}

static const char *const HINT =
    "a pointer without a shadow (into an argument held constant, or a global) was stored where this pointer is "
    "loaded from; pass that argument with a shadow (enzyme_dup), or keep it out of the differentiated struct";

/* Follows the uses of v (its shadow may be itself): derived pointers are
 * marked, float loads and stores are checked at run time, pointer loads
 * through it are marked (their shadows are read from primal memory), a
 * store of v into shadowed memory is a new such store (returns 1); other
 * uses that need a real shadow are reported. */
static int follow_uses(ct_gen *g, LLVMValueRef v, LLVMValueRef **work, unsigned *n, unsigned *cap) {
  int new_store = 0;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u && !g->failed; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      continue;
    if (is_gep(user) || is_pointer_cast(user) || LLVMIsAPHINode(user) ||
        (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) {
      if (vmap_get(&g->active, user))
        mark(g, user, work, n, cap);
    } else if (LLVMIsAICmpInst(user) || LLVMIsAPtrToIntInst(user)) {
      /* compares the primal pointer only */
    } else if (LLVMIsALoadInst(user)) {
      /* float loads: checked at run time (others are reported by the
         planner) */
      if (LLVMGetTypeKind(LLVMTypeOf(user)) == LLVMPointerTypeKind && vmap_get(&g->active, user))
        mark(g, user, work, n, cap);
    } else if (LLVMIsAStoreInst(user)) {
      LLVMValueRef val = LLVMGetOperand(user, 0);
      if (val == v && vmap_get(&g->active, LLVMGetOperand(user, 1))) {
        new_store = 1; /* its shadow (maybe the primal) goes into shadow memory */
      } else if (LLVMGetOperand(user, 1) == v &&
                 (LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind ||
                  (classify(g, user) != REV_STORE && classify(g, user) != REV_NONE))) {
        gen_fail(g, user, "stores through a pointer whose shadow may be the primal pointer", HINT);
      }
    } else if (LLVMIsACallInst(user)) {
      if (LLVMGetCalledValue(user) != v && classify(g, user) != REV_NONE)
        gen_fail(g, user, "passes on a pointer whose shadow may be the primal pointer", HINT);
    } else {
      gen_fail(g, user, "uses a pointer whose shadow may be the primal pointer", HINT);
    }
  }
  return new_store;
}

void stored_pointers_plan(ct_gen *g) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  LLVMValueRef *stores = NULL, *loads = NULL, *copies = NULL, *work = NULL;
  unsigned nstores = 0, nloads = 0, ncopies = 0, nwork = 0, capwork = 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (ir_mem_intrinsic(inst) && classify(g, inst) == REV_MEMCPY && stored_pointers_copies_pointers(g, inst)) {
        copies = realloc(copies, (ncopies + 1) * sizeof *copies);
        copies[ncopies++] = inst; /* may copy such a pointer anywhere into its destination */
      } else if (stores_own_shadow(g, inst)) {
        stores = realloc(stores, (nstores + 1) * sizeof *stores);
        stores[nstores++] = inst;
      } else if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind &&
                 vmap_get(&g->active, inst) && vmap_get(&g->active, LLVMGetOperand(inst, 0))) {
        loads = realloc(loads, (nloads + 1) * sizeof *loads);
        loads[nloads++] = inst;
      }
    }
  /* stores of pointers whose shadow may be themselves: the loads that may
     read them (or a copy of them: anywhere a memcpy of pointers writes),
     then everything derived; a derived pointer stored into shadowed memory
     starts another round */
  unsigned done = 0;
  while (done < nstores && !g->failed) {
    for (unsigned k = 0; k < nloads; ++k) {
      LLVMValueRef l = loads[k];
      if (vmap_get(&g->self_shadowed, l))
        continue;
      unsigned long long lsize = LLVMABISizeOfType(td, LLVMTypeOf(l));
      int hit = 0;
      for (unsigned s = done; s < nstores && !hit; ++s) {
        LLVMValueRef st = stores[s], val = LLVMGetOperand(st, 0);
        hit = ir_may_overlap(td, LLVMGetOperand(st, 1), LLVMABISizeOfType(td, LLVMTypeOf(val)),
                             LLVMGetOperand(l, 0), lsize);
      }
      for (unsigned c = 0; c < ncopies && !hit; ++c) {
        LLVMValueRef len = LLVMGetOperand(copies[c], 2);
        unsigned long long bytes = LLVMIsAConstantInt(len) ? LLVMConstIntGetZExtValue(len) : 1ull << 62;
        hit = ir_may_overlap(td, LLVMGetOperand(copies[c], 0), bytes, LLVMGetOperand(l, 0), lsize);
      }
      if (hit)
        mark(g, l, &work, &nwork, &capwork);
    }
    done = nstores;
    while (nwork && !g->failed) {
      LLVMValueRef v = work[--nwork];
      if (follow_uses(g, v, &work, &nwork, &capwork))
        for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
          LLVMValueRef st = LLVMGetUser(u);
          if (LLVMIsAStoreInst(st) && LLVMGetOperand(st, 0) == v && vmap_get(&g->active, LLVMGetOperand(st, 1))) {
            stores = realloc(stores, (nstores + 1) * sizeof *stores);
            stores[nstores++] = st;
          }
        }
    }
  }
  free(stores);
  free(loads);
  free(copies);
  free(work);
}

int stored_pointers_maybe_self(ct_gen *g, LLVMValueRef ptr) { return vmap_get(&g->self_shadowed, ptr) != NULL; }

LLVMValueRef stored_pointers_guard(ct_gen *g, LLVMValueRef ptr, LLVMValueRef sp, LLVMTypeRef ty, LLVMValueRef *self) {
  *self = NULL;
  if (!stored_pointers_maybe_self(g, ptr))
    return sp;
  LLVMBuilderRef b = g->m->b;
  *self = LLVMBuildICmp(b, LLVMIntEQ, sp, rev_value(g, ptr), "ct.self_shadow");
  LLVMValueRef discard = LLVMBuildAlloca(g->ab, ty, "ct.discard");
  return LLVMBuildSelect(b, *self, discard, sp, "");
}

/* Does the object that p points into hold pointers within the `bytes`
 * bytes at p: a pointer stored there, or a shadowed pointer loaded from
 * there? (A std::string's characters beside its data pointer in a map
 * node are not pointers.) */
/* May address a point into the object base: its base object, or one
 * merged into it by a phi or select (a bucket array, new or old)? */
static int may_point_into(LLVMValueRef a, LLVMValueRef base, int depth) {
  LLVMValueRef b = ir_base_object(a);
  if (b == base)
    return 1;
  if (depth > 4 || !(LLVMIsAPHINode(b) || LLVMIsASelectInst(b)))
    return 0;
  unsigned n = (unsigned)LLVMGetNumOperands(b);
  for (unsigned k = LLVMIsASelectInst(b) ? 1 : 0; k < n; ++k)
    if (may_point_into(LLVMGetOperand(b, k), base, depth + 1))
      return 1;
  return 0;
}

static int holds_pointers(ct_gen *g, LLVMValueRef p, unsigned long long bytes) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  LLVMValueRef base = ir_base_object(p);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef addr = LLVMIsAStoreInst(inst)  ? LLVMGetOperand(inst, 1)
                          : LLVMIsALoadInst(inst) ? LLVMGetOperand(inst, 0)
                                                  : NULL;
      LLVMTypeRef ty = LLVMIsAStoreInst(inst) ? LLVMTypeOf(LLVMGetOperand(inst, 0)) : LLVMTypeOf(inst);
      if (addr && LLVMGetTypeKind(ty) == LLVMPointerTypeKind && may_point_into(addr, base, 0) &&
          (LLVMIsAStoreInst(inst) || vmap_get(&g->active, inst)) &&
          (ir_base_object(addr) != base || ir_may_overlap(td, addr, LLVMStoreSizeOfType(td, ty), p, bytes)))
        return 1;
    }
  return 0;
}

int stored_pointers_memset_of_pointers(ct_gen *g, LLVMValueRef inst) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  LLVMValueRef dst = LLVMGetOperand(inst, 0), len = LLVMGetOperand(inst, 2);
  unsigned long long n = LLVMIsAConstantInt(len) ? LLVMConstIntGetZExtValue(len) : ~0ull >> 2;
  if (!holds_pointers(g, dst, n))
    return 0;
  LLVMValueRef base = ir_base_object(dst);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef in = LLVMGetFirstInstruction(g->blocks[i].bb); in; in = LLVMGetNextInstruction(in)) {
      int store = LLVMIsAStoreInst(in) != NULL;
      if (!store && !LLVMIsALoadInst(in))
        continue;
      LLVMTypeRef ty = store ? LLVMTypeOf(LLVMGetOperand(in, 0)) : LLVMTypeOf(in);
      LLVMValueRef p = LLVMGetOperand(in, store);
      if (type_is_fp(ty) && ir_base_object(p) == base && ir_may_overlap(td, p, LLVMStoreSizeOfType(td, ty), dst, n))
        return 0;
    }
  return 1;
}

int stored_pointers_copies_pointers(ct_gen *g, LLVMValueRef copy) {
  LLVMValueRef len = LLVMGetOperand(copy, 2);
  unsigned long long n = LLVMIsAConstantInt(len) ? LLVMConstIntGetZExtValue(len) : ~0ull >> 2;
  return holds_pointers(g, LLVMGetOperand(copy, 0), n) || holds_pointers(g, LLVMGetOperand(copy, 1), n);
}

int stored_pointers_check_copy(ct_gen *g, LLVMValueRef copy) {
  LLVMValueRef dst = LLVMGetOperand(copy, 0), src = LLVMGetOperand(copy, 1);
  if (!vmap_get(&g->active, src) || !ir_is_local_allocation(ir_base_object(dst)) ||
      !ir_is_local_allocation(ir_base_object(src))) {
    gen_fail(g, copy, "copies memory holding pointers into differentiable memory, from or into memory that is not "
             "the function's own allocation (Cotangent copies the pointers' shadows only between malloc'd or local "
             "memory of the function)", "copy the fields one by one");
    return 0;
  }
  return 1;
}

void stored_pointers_copy_shadows(ct_gen *g, LLVMValueRef copy) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef fcopy = vmap_get(&g->fwd, copy);
  LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(fcopy));
  LLVMValueRef sdst = vmap_get(&g->shadow, LLVMGetOperand(copy, 0));
  LLVMValueRef ssrc = vmap_get(&g->shadow, LLVMGetOperand(copy, 1));
  LLVMBuildMemMove(b, sdst, 1, ssrc, 1, LLVMGetOperand(fcopy, 2));
}

static int escapes(ct_gen *g, LLVMValueRef v, ct_vmap *seen);

/* A direct call of a function with a body, or declared differentiable (a
 * differentiated callee). */
static int returns_into_arguments(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  return callee && LLVMIsAFunction(callee) && (!LLVMIsDeclaration(callee) || contract_is_differentiable(callee));
}

/* Does memory at address p belong to the caller, with a shadow there (an
 * argument's with a shadow, directly, through pointers loaded from it, or
 * inside an own allocation that escapes)? Unknown origins count as the
 * caller's; a constant argument's memory and a global's are not (nobody
 * sees the shadows of what is stored there: shadow_slots.c). */
static int callers_memory(ct_gen *g, LLVMValueRef p, ct_vmap *seen) {
  LLVMValueRef base = ir_base_object(p);
  if (LLVMIsAArgument(base)) {
    int i = ir_param_index(base);
    return LLVMGetParamParent(base) != g->pc || i < 0 || (unsigned)i >= g->spec->nparams ||
           g->spec->act[i] == ACT_DUP || g->spec->act[i] == ACT_DUPNONEED;
  }
  if (LLVMIsAGlobalValue(base))
    return !LLVMIsAGlobalVariable(base);
  if (vmap_get(seen, base)) /* a cycle (a linked list): decided elsewhere */
    return 0;
  vmap_set(seen, base, base);
  if (ir_is_local_allocation(base))
    return escapes(g, base, seen);
  if (LLVMIsALoadInst(base))
    return callers_memory(g, LLVMGetOperand(base, 0), seen);
  if (LLVMIsACallInst(base) && !ir_is_allocation(base) && returns_into_arguments(base)) {
    /* a differentiated callee's result: into its pointer arguments' memory,
       or memory it allocates, which reaches our caller only as they do */
    int n = LLVMGetNumArgOperands(base);
    for (int i = 0; i < n; ++i) {
      LLVMValueRef op = LLVMGetOperand(base, (unsigned)i);
      if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && !LLVMIsAConstantPointerNull(op) &&
          callers_memory(g, op, seen))
        return 1;
    }
    return 0;
  }
  if (LLVMIsAPHINode(base) || LLVMIsASelectInst(base)) {
    int n = LLVMGetNumOperands(base);
    for (int i = LLVMIsASelectInst(base) ? 1 : 0; i < n; ++i) {
      LLVMValueRef op = LLVMGetOperand(base, (unsigned)i);
      if (!LLVMIsAConstantPointerNull(op) && !LLVMIsAUndefValue(op) && callers_memory(g, op, seen))
        return 1;
    }
    return 0;
  }
  return 1;
}

/* Is the pointer v (into an own allocation) stored into the caller's
 * memory, or returned? */
static int escapes(ct_gen *g, LLVMValueRef v, ct_vmap *seen) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (is_gep(user) || is_pointer_cast(user) || LLVMIsAPHINode(user) ||
        (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) {
      if (!vmap_get(seen, user)) {
        vmap_set(seen, user, user);
        if (escapes(g, user, seen))
          return 1;
      }
    } else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 0) == v) {
      if (callers_memory(g, LLVMGetOperand(user, 1), seen))
        return 1;
    } else if (LLVMIsAReturnInst(user)) {
      return 1;
    }
  }
  return 0;
}

int stored_pointers_call_reaches_caller(ct_gen *g, LLVMValueRef call) {
  int n = LLVMGetNumArgOperands(call), r = 0;
  for (int i = -1; i < n && !r; ++i) {
    LLVMValueRef op = i < 0 ? call : LLVMGetOperand(call, (unsigned)i);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) != LLVMPointerTypeKind || LLVMIsAConstantPointerNull(op) ||
        LLVMIsAFunction(op))
      continue;
    ct_vmap seen; /* one walk per question: a cycle answers "no" only within its walk */
    vmap_init(&seen);
    if (i < 0)
      vmap_set(&seen, call, call);
    r = i < 0 ? escapes(g, call, &seen) : callers_memory(g, op, &seen);
    vmap_free(&seen);
  }
  return r;
}

int stored_pointers_escapes(ct_gen *g, LLVMValueRef alloc) {
  ct_vmap seen;
  vmap_init(&seen);
  vmap_set(&seen, alloc, alloc);
  int r = escapes(g, alloc, &seen);
  vmap_free(&seen);
  return r;
}
