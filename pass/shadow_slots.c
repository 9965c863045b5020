/* Pointers with a shadow stored into memory without one.
 *
 * A model struct passed as constant (or a global) may get pointers to the
 * function's own differentiable memory stored into its fields: workspace
 * matrices the function mallocs, fills and reads back through the struct.
 * There is no shadow struct to store their shadows into; instead the
 * forward pass keeps them in a table by the address stored at (the runtime's
 * __ct_slots_*, one table per run of the forward pass, freed where it
 * ends), and a load of a pointer from such memory takes its shadow from
 * there. Activity analysis (activity.c) gives those pointers shadows.
 *
 * A load that no such store may have written (the caller's own workspace
 * reached through a constant argument) is a compile error; one reading, at
 * run time, a pointer other than the one stored there (not stored by the
 * function) stops the program with a message when the pointer is used where
 * a shadow is needed. Nothing is silently given a wrong shadow. */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdio.h>
#include <string.h>

/* Pointer stores and loads of memory without a shadow that may touch the
 * same address: `store` a store of a pointer with a shadow, `load` an active
 * pointer load. */
static int partners(ct_gen *g, LLVMValueRef store, LLVMValueRef load) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  LLVMValueRef val = LLVMGetOperand(store, 0), sa = LLVMGetOperand(store, 1), la = LLVMGetOperand(load, 0);
  return LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind && vmap_get(&g->active, val) &&
         !vmap_get(&g->active, sa) && activity_unshadowed(&g->active, sa) &&
         LLVMGetTypeKind(LLVMTypeOf(load)) == LLVMPointerTypeKind && vmap_get(&g->active, load) &&
         !vmap_get(&g->active, la) && activity_unshadowed(&g->active, la) &&
         ir_same_slot(td, sa, LLVMStoreSizeOfType(td, LLVMTypeOf(val)), la,
                        LLVMStoreSizeOfType(td, LLVMTypeOf(load)));
}

/* Is there a partner of inst (a store: a load; a load: a store)? */
static int has_partner(ct_gen *g, LLVMValueRef inst) {
  int store = LLVMIsAStoreInst(inst) != NULL;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef other = LLVMGetFirstInstruction(g->blocks[i].bb); other; other = LLVMGetNextInstruction(other))
      if (store ? LLVMIsALoadInst(other) && partners(g, inst, other)
                : LLVMIsAStoreInst(other) && partners(g, other, inst))
        return 1;
  return 0;
}

/* Does v (a pointer, or one derived from it) reach a use that needs its
 * shadow? Comparisons, address arithmetic into integers and free() do not. */
static int needs_shadow(ct_gen *g, LLVMValueRef v, ct_vmap *seen) {
  if (vmap_get(seen, v))
    return 0;
  vmap_set(seen, v, v);
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAGetElementPtrInst(user) || LLVMIsACastInst(user) || LLVMIsAPHINode(user) ||
        (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) {
      if (LLVMGetTypeKind(LLVMTypeOf(user)) != LLVMPointerTypeKind)
        continue; /* ptrtoint: an address as an integer */
      if (needs_shadow(g, user, seen))
        return 1;
    } else if (LLVMIsAICmpInst(user) || alloc_freed_pointer(user) == v) { /* free, a user's deallocator */
      continue;
    } else if (LLVMIsALoadInst(user)) {
      if (vmap_get(&g->active, user))
        return 1;
    } else if (LLVMIsAStoreInst(user)) {
      if (classify(g, user) != REV_NONE || LLVMGetOperand(user, 0) == v)
        return 1;
    } else {
      return 1;
    }
  }
  return 0;
}

/* The table's slot (a pointer, NULL until the first store), in the
 * forward's entry. */
static LLVMValueRef table_slot(ct_gen *g) {
  if (!g->slots) {
    g->slots = LLVMBuildAlloca(g->sb, g->ptr_ty, "ct.slots");
    LLVMBuildStore(g->sb, LLVMConstNull(g->ptr_ty), g->slots);
  }
  return g->slots;
}

static int on_nvptx(ct_gen *g) { return !strncmp(LLVMGetTarget(g->m->mod), "nvptx", 5); }

int shadow_slots_lookup(ct_gen *g, LLVMValueRef load, LLVMValueRef *s) {
  ct_vmap seen;
  vmap_init(&seen);
  int strict = needs_shadow(g, load, &seen);
  vmap_free(&seen);
  int stored = has_partner(g, load);
  if (!stored && !strict) { /* never used where a shadow is needed */
    *s = LLVMConstNull(g->ptr_ty);
    return 1;
  }
  if (!stored) {
    gen_fail(g, load,
             "loads a pointer to differentiable data from memory without a shadow (a constant argument's or a "
             "global's), where the function does not store it",
             "pass the outer pointer with a shadow too (enzyme_dup), or let the function allocate the memory it "
             "writes and store it there");
    return 0;
  }
  if (on_nvptx(g)) {
    gen_fail(g, load, "loads a pointer it stored into memory without a shadow, which GPU code does not support",
             "pass the outer pointer with a shadow");
    return 0;
  }
  ct_module *m = g->m;
  char loc[256], where[512];
  diag_location(load, loc, sizeof loc);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->user_fn, &len);
  snprintf(where, sizeof where, "gradient of '%.*s'%s%s", (int)len, fname, loc[0] ? " at " : "", loc);
  LLVMValueRef addr = LLVMGetOperand(load, 0);
  LLVMTypeRef params[5] = {g->ptr_ty, g->ptr_ty, g->ptr_ty, g->i32_ty, g->ptr_ty};
  LLVMValueRef args[5] = {LLVMBuildLoad2(m->b, g->ptr_ty, table_slot(g), ""),
                          vmap_get(&g->fwd, addr) ? vmap_get(&g->fwd, addr) : addr, vmap_get(&g->fwd, load),
                          LLVMConstInt(g->i32_ty, (unsigned long long)strict, 0),
                          LLVMBuildGlobalStringPtr(m->b, where, "ct.where")};
  *s = ir_build_call(m->b, m->mod, "__ct_slots_get", LLVMFunctionType(g->ptr_ty, params, 5, 0), args, 5, "shadow");
  return 1;
}

void shadow_slots_store(ct_gen *g, LLVMValueRef store) {
  LLVMValueRef val = LLVMGetOperand(store, 0), addr = LLVMGetOperand(store, 1);
  LLVMValueRef sval = vmap_get(&g->shadow, val);
  if (!sval || !has_partner(g, store))
    return; /* nothing reads it back: the caller gets the pointer only */
  ct_module *m = g->m;
  LLVMPositionBuilderBefore(m->b, LLVMGetNextInstruction(vmap_get(&g->fwd, store)));
  LLVMTypeRef params[4] = {g->ptr_ty, g->ptr_ty, g->ptr_ty, g->ptr_ty};
  LLVMValueRef args[4] = {table_slot(g), vmap_get(&g->fwd, addr) ? vmap_get(&g->fwd, addr) : addr,
                          vmap_get(&g->fwd, val) ? vmap_get(&g->fwd, val) : val, sval};
  ir_build_call(m->b, m->mod, "__ct_slots_set", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 4, 0), args,
                4, "");
}

void shadow_slots_finish(ct_gen *g, LLVMBasicBlockRef turn) {
  if (!g->slots)
    return;
  ct_module *m = g->m;
  LLVMValueRef first = LLVMGetFirstInstruction(turn);
  while (first && LLVMIsAPHINode(first))
    first = LLVMGetNextInstruction(first);
  if (first)
    LLVMPositionBuilderBefore(m->b, first);
  else
    LLVMPositionBuilderAtEnd(m->b, turn);
  LLVMValueRef table = LLVMBuildLoad2(m->b, g->ptr_ty, g->slots, "");
  LLVMTypeRef pty = g->ptr_ty;
  ir_build_call(m->b, m->mod, "__ct_slots_free", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &pty, 1, 0), &table,
                1, "");
}
