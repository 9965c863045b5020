/* Preparing the primal: differentiation works on a private copy of the
 * user's function brought into canonical SSA form by LLVM's own function
 * simplification pipeline. This makes -O0 input (allocas, optnone) look like
 * -O2 input, and leaves the user's function untouched. Calls of other
 * functions with bodies are inlined into the copy first. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREPARED_SUFFIX ".ct_prepared"
/* marks a copy whose function was rejected (constructs.c) */
static const char REJECTED[] = "ct-rejected";

/* ---- loads and stores through a select of two objects ----
 * LLVM folds `c ? x[i] : w[j]` into one load through `select c, &x[i],
 * &w[j]` (and sinks `if (c) x[i] = v; else w[j] = v;` into one store; a
 * memcpy from `c ? x : w` is written so).
 * When x is differentiable and w is not, that pointer would mix memory with
 * and without a shadow. The access is split back into a branch on c with
 * one access per arm, which is what the source did: nothing is loaded
 * speculatively (an arm may be unsafe to load when not chosen). */

/* The select of pointers `addr` is computed from through GEPs, whose arms
 * point into different objects (neither being NULL or undef), or NULL. */
static LLVMValueRef select_of_objects(LLVMValueRef addr) {
  LLVMValueRef p = addr;
  while (LLVMIsAGetElementPtrInst(p))
    p = LLVMGetOperand(p, 0);
  if (!LLVMIsASelectInst(p) || LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind)
    return NULL;
  LLVMValueRef a = LLVMGetOperand(p, 1), b = LLVMGetOperand(p, 2);
  if (LLVMIsAConstantPointerNull(a) || LLVMIsAConstantPointerNull(b) || LLVMIsAUndefValue(a) ||
      LLVMIsAUndefValue(b) || LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(p, 0))) != LLVMIntegerTypeKind)
    return NULL; /* c ? p : NULL is its own shadow; a vector condition stays */
  return ir_base_object(a) == ir_base_object(b) ? NULL : p;
}

/* `p` (the select `sel`, or a GEP chain on it) rebuilt at the builder's
 * position with `arm` in place of the select. */
static LLVMValueRef rebuild_on_arm(ct_module *m, LLVMValueRef p, LLVMValueRef sel, LLVMValueRef arm) {
  if (p == sel)
    return arm;
  LLVMValueRef base = rebuild_on_arm(m, LLVMGetOperand(p, 0), sel, arm);
  LLVMValueRef g = LLVMInstructionClone(p);
  LLVMInsertIntoBuilder(m->b, g);
  LLVMSetOperand(g, 0, base);
  return g;
}

/* Removes the GEP chain of `addr` down to (and with) the select when
 * nothing uses it any more. */
static void erase_dead_chain(LLVMValueRef addr) {
  while (addr && LLVMIsAInstruction(addr) && !LLVMGetFirstUse(addr)) {
    LLVMValueRef below = LLVMIsAGetElementPtrInst(addr) ? LLVMGetOperand(addr, 0) : NULL;
    LLVMInstructionEraseFromParent(addr);
    addr = below;
  }
}

/* The operand of `inst` (a load, a store, or a memcpy/memmove/memset) that
 * is an address through a select of two objects, or -1. */
static int selected_operand(LLVMValueRef inst) {
  if (LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst)) {
    if (LLVMGetVolatile(inst) || LLVMGetOrdering(inst) != LLVMAtomicOrderingNotAtomic)
      return -1;
    int k = LLVMIsALoadInst(inst) ? 0 : 1;
    return select_of_objects(LLVMGetOperand(inst, (unsigned)k)) ? k : -1;
  }
  if (!LLVMIsAMemIntrinsic(inst))
    return -1;
  for (int k = 0; k < 2; ++k) /* destination, source (memset: the value) */
    if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, (unsigned)k))) == LLVMPointerTypeKind &&
        select_of_objects(LLVMGetOperand(inst, (unsigned)k)))
      return k;
  return -1;
}

/* Appends v to the growable worklist *todo (*n used of *cap). */
static void push_access(LLVMValueRef **todo, size_t *n, size_t *cap, LLVMValueRef v) {
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 8;
    *todo = realloc(*todo, *cap * sizeof **todo);
    if (!*todo)
      abort();
  }
  (*todo)[(*n)++] = v;
}

/* `inst`, whose operand k is an address through `sel`, becomes one copy
 * per arm; a copy that still has such an operand (a memcpy between two
 * selects) is added to *todo. */
static void split_access(ct_module *m, LLVMValueRef inst, int k, LLVMValueRef **todo, size_t *n, size_t *cap) {
  LLVMValueRef addr = LLVMGetOperand(inst, (unsigned)k), term[2], arms[2];
  LLVMValueRef sel = select_of_objects(addr);
  ct_bridge_split_if_then_else(LLVMGetOperand(sel, 0), inst, &term[0], &term[1]);
  for (int a = 0; a < 2; ++a) {
    LLVMPositionBuilderBefore(m->b, term[a]);
    LLVMValueRef arm_addr = rebuild_on_arm(m, addr, sel, LLVMGetOperand(sel, (unsigned)a + 1));
    arms[a] = LLVMInstructionClone(inst);
    LLVMInsertIntoBuilder(m->b, arms[a]);
    LLVMSetOperand(arms[a], (unsigned)k, arm_addr);
    if (selected_operand(arms[a]) >= 0) {
      push_access(todo, n, cap, arms[a]);
    }
  }
  if (LLVMIsALoadInst(inst)) {
    LLVMPositionBuilderBefore(m->b, inst);
    LLVMValueRef phi = LLVMBuildPhi(m->b, LLVMTypeOf(inst), "");
    LLVMBasicBlockRef from[2] = {LLVMGetInstructionParent(term[0]), LLVMGetInstructionParent(term[1])};
    LLVMAddIncoming(phi, arms, from, 2);
    LLVMReplaceAllUsesWith(inst, phi);
  }
  LLVMInstructionEraseFromParent(inst);
  erase_dead_chain(addr);
}

/* How many of the successors of terminator `term` are `to`. */
static int edge_count(LLVMValueRef term, LLVMBasicBlockRef to) {
  int count = 0;
  for (unsigned s = 0; s < LLVMGetNumSuccessors(term); ++s)
    count += LLVMGetSuccessor(term, s) == to;
  return count;
}

/* Do the incoming values of phi point into more than one object? */
static int incoming_objects_differ(LLVMValueRef phi) {
  LLVMValueRef first = ir_base_object(LLVMGetIncomingValue(phi, 0));
  for (unsigned k = 1; k < LLVMCountIncoming(phi); ++k)
    if (ir_base_object(LLVMGetIncomingValue(phi, k)) != first)
      return 1;
  return 0;
}

/* The same fold through a phi: SimplifyCFG sinks the loads of `if (c) v =
 * x[i]; else v = w[j];` into one load of `phi [&x[i], then], [&w[j],
 * else]`. When the load is the first instruction after its block's phis
 * (nothing before it writes memory), the load moves back into the incoming
 * blocks: each loads what the source loaded on that path. An incoming block
 * with other successors too (a branch that skips the other arm: `v = c ?
 * x[0] : w[j]` as `if (!c) a = &w[j];`) gets a block of its own on that
 * edge first, for a floating-point load (pointers loaded so, from C++
 * containers, are left as they were); a block reaching the load's block by
 * several edges of a switch keeps the load as it is. */
static int phi_of_objects(LLVMValueRef load) {
  LLVMValueRef phi = LLVMGetOperand(load, 0);
  if (!LLVMIsALoadInst(load) || LLVMGetVolatile(load) || LLVMGetOrdering(load) != LLVMAtomicOrderingNotAtomic ||
      !LLVMIsAPHINode(phi) || LLVMGetInstructionParent(phi) != LLVMGetInstructionParent(load))
    return 0;
  for (LLVMValueRef i = LLVMGetPreviousInstruction(load); i; i = LLVMGetPreviousInstruction(i))
    if (!LLVMIsAPHINode(i))
      return 0;
  unsigned n = LLVMCountIncoming(phi);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef v = LLVMGetIncomingValue(phi, k);
    LLVMValueRef term = LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(phi, k));
    if (!term || LLVMIsAConstantPointerNull(v) || LLVMIsAUndefValue(v))
      return 0;
    if (LLVMGetNumSuccessors(term) != 1 && (!type_is_fp_scalar(LLVMTypeOf(load)) ||
                                            edge_count(term, LLVMGetInstructionParent(load)) != 1 ||
                                            (LLVMGetInstructionOpcode(term) != LLVMBr &&
                                             LLVMGetInstructionOpcode(term) != LLVMSwitch)))
      return 0;
  }
  return incoming_objects_differ(phi);
}

static void split_phi_load(ct_module *m, LLVMValueRef load) {
  LLVMValueRef phi = LLVMGetOperand(load, 0);
  unsigned n = LLVMCountIncoming(phi);
  for (unsigned k = 0; k < n; ++k) /* first, as the phis must be whole then: phi's block k becomes the new one */
    if (LLVMGetNumSuccessors(LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(phi, k))) != 1)
      ct_bridge_split_edge(LLVMGetIncomingBlock(phi, k), LLVMGetInstructionParent(load));
  LLVMPositionBuilderBefore(m->b, load);
  LLVMValueRef merged = LLVMBuildPhi(m->b, LLVMTypeOf(load), "");
  for (unsigned k = 0; k < n; ++k) {
    LLVMBasicBlockRef from = LLVMGetIncomingBlock(phi, k);
    LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(from));
    LLVMValueRef l = LLVMInstructionClone(load);
    LLVMInsertIntoBuilder(m->b, l);
    LLVMSetOperand(l, 0, LLVMGetIncomingValue(phi, k));
    LLVMAddIncoming(merged, &l, &from, 1);
  }
  LLVMReplaceAllUsesWith(load, merged);
  LLVMInstructionEraseFromParent(load);
  if (!LLVMGetFirstUse(phi))
    LLVMInstructionEraseFromParent(phi);
}

/* Can incoming value `v` of `phi` be rebuilt after phi's block's phis?
 * Arguments, globals and values that dominate the phi can; so can a select
 * of pointers in an incoming block (`if (a && b) p = w; else p = c ? x :
 * v;`) whose arms can: its condition is carried by a phi. */
static int rebuildable_after(LLVMValueRef v, LLVMValueRef phi, int depth) {
  if (LLVMIsAConstantPointerNull(v) || LLVMIsAUndefValue(v) || LLVMIsAPoisonValue(v))
    return 0;
  if (LLVMIsAArgument(v) || LLVMIsAGlobalValue(v))
    return 1;
  if (!LLVMIsAInstruction(v))
    return 0;
  if (ct_bridge_dominates(v, phi))
    return 1;
  return depth < 4 && LLVMIsASelectInst(v) &&
         LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(v, 0))) == LLVMIntegerTypeKind &&
         rebuildable_after(LLVMGetOperand(v, 1), phi, depth + 1) &&
         rebuildable_after(LLVMGetOperand(v, 2), phi, depth + 1);
}

/* The same fold with the GEP between the phi and the access:
 * SimplifyCFG sinks `c ? w[i] : x[i]` (w, x arguments) into `load (gep
 * (phi [w, then], [x, else]), i)` with i computed after the merge. A phi of
 * pointers into different objects whose incoming values are rebuildable
 * after its block, used by something other than a load phi_of_objects
 * splits. */
static int phi_of_available_objects(LLVMValueRef phi) {
  if (!LLVMIsAPHINode(phi) || LLVMGetTypeKind(LLVMTypeOf(phi)) != LLVMPointerTypeKind)
    return 0;
  for (unsigned k = 0; k < LLVMCountIncoming(phi); ++k)
    if (!rebuildable_after(LLVMGetIncomingValue(phi, k), phi, 0))
      return 0;
  if (!incoming_objects_differ(phi))
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(phi); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!(LLVMIsALoadInst(user) && phi_of_objects(user)))
      return 1;
  }
  return 0;
}

/* A phi of i1 in phi's block: on the edges whose incoming value is `root`,
 * `on_root` (a value available at the end of those edges), elsewhere
 * false. */
static LLVMValueRef edge_flag(ct_module *m, LLVMValueRef phi, LLVMValueRef root, LLVMValueRef on_root) {
  LLVMTypeRef i1 = LLVMInt1TypeInContext(m->ctx);
  LLVMPositionBuilderBefore(m->b, LLVMGetFirstInstruction(LLVMGetInstructionParent(phi)));
  LLVMValueRef flag = LLVMBuildPhi(m->b, i1, "");
  for (unsigned k = 0; k < LLVMCountIncoming(phi); ++k) {
    LLVMValueRef c = LLVMGetIncomingValue(phi, k) == root ? on_root : LLVMConstInt(i1, 0, 0);
    LLVMBasicBlockRef from = LLVMGetIncomingBlock(phi, k);
    LLVMAddIncoming(flag, &c, &from, 1);
  }
  return flag;
}

/* `v` (within incoming value `root` of phi, rebuildable_after) rebuilt
 * before `at`, the first instruction after the phis. */
static LLVMValueRef rebuild_after(ct_module *m, LLVMValueRef phi, LLVMValueRef root, LLVMValueRef v,
                                  LLVMValueRef at) {
  if (!LLVMIsAInstruction(v) || ct_bridge_dominates(v, phi))
    return v;
  LLVMValueRef c = edge_flag(m, phi, root, LLVMGetOperand(v, 0));
  LLVMValueRef a = rebuild_after(m, phi, root, LLVMGetOperand(v, 1), at);
  LLVMValueRef b = rebuild_after(m, phi, root, LLVMGetOperand(v, 2), at);
  LLVMPositionBuilderBefore(m->b, at);
  return LLVMBuildSelect(m->b, c, a, b, "");
}

/* Removes select `v` and the selects among its arms when nothing uses
 * them any more (the rebuilt ones replace them). */
static void erase_dead_selects(LLVMValueRef v) {
  if (!LLVMIsASelectInst(v) || LLVMGetFirstUse(v))
    return;
  LLVMValueRef a = LLVMGetOperand(v, 1), b = LLVMGetOperand(v, 2);
  LLVMInstructionEraseFromParent(v);
  erase_dead_selects(a);
  if (b != a)
    erase_dead_selects(b);
}

/* `phi` (phi_of_available_objects) becomes a chain of selects on phis of
 * i1 that say which incoming value was taken, placed after its block's
 * phis: `select (phi i1 [true, then], [false, else]), w, x`. The accesses
 * through it are then split as those through any select of objects. */
static void phi_to_select(ct_module *m, LLVMValueRef phi) {
  unsigned n = LLVMCountIncoming(phi);
  LLVMValueRef *vals = malloc(n * sizeof *vals);
  if (!vals)
    abort();
  unsigned nv = 0;
  for (unsigned k = 0; k < n; ++k) { /* the distinct incoming values */
    LLVMValueRef v = LLVMGetIncomingValue(phi, k);
    unsigned j = 0;
    while (j < nv && vals[j] != v)
      ++j;
    if (j == nv)
      vals[nv++] = v;
  }
  LLVMValueRef at = LLVMGetFirstInstruction(LLVMGetInstructionParent(phi));
  while (LLVMIsAPHINode(at))
    at = LLVMGetNextInstruction(at);
  LLVMValueRef chosen = rebuild_after(m, phi, vals[nv - 1], vals[nv - 1], at);
  for (unsigned j = nv - 1; j-- > 0;) { /* inside out: vals[0] outermost */
    LLVMValueRef taken = edge_flag(m, phi, vals[j], LLVMConstInt(LLVMInt1TypeInContext(m->ctx), 1, 0));
    LLVMValueRef arm = rebuild_after(m, phi, vals[j], vals[j], at);
    LLVMPositionBuilderBefore(m->b, at);
    chosen = LLVMBuildSelect(m->b, taken, arm, chosen, "");
  }
  LLVMReplaceAllUsesWith(phi, chosen);
  LLVMInstructionEraseFromParent(phi);
  for (unsigned j = 0; j < nv; ++j)
    erase_dead_selects(vals[j]);
  free(vals);
}

static void split_selected_accesses(ct_module *m, LLVMValueRef fn) {
  LLVMValueRef *todo = NULL;
  size_t n = 0, cap = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst && LLVMIsAPHINode(inst);
         inst = LLVMGetNextInstruction(inst))
      if (phi_of_available_objects(inst))
        push_access(&todo, &n, &cap, inst);
  for (size_t i = 0; i < n; ++i)
    phi_to_select(m, todo[i]);
  n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (selected_operand(inst) < 0)
        continue;
      push_access(&todo, &n, &cap, inst);
    }
  while (n) {
    LLVMValueRef inst = todo[--n];
    split_access(m, inst, selected_operand(inst), &todo, &n, &cap);
  }
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsALoadInst(inst) && phi_of_objects(inst)) {
        push_access(&todo, &n, &cap, inst);
      }
  for (size_t i = 0; i < n; ++i)
    split_phi_load(m, todo[i]);
  free(todo);
}

LLVMValueRef prepare_primal(ct_module *m, LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *pname = util_format("%.*s" PREPARED_SUFFIX, (int)len, name);
  LLVMValueRef copy = LLVMGetNamedFunction(m->mod, pname);
  if (copy) { /* NULL when it was rejected (and reported) before */
    free(pname);
    return LLVMGetStringAttributeAtIndex(copy, LLVMAttributeFunctionIndex, REJECTED, sizeof REJECTED - 1) ? NULL
                                                                                                          : copy;
  }
  copy = LLVMAddFunction(m->mod, pname, LLVMGlobalGetValueType(fn));
  free(pname);
  LLVMSetLinkage(copy, LLVMInternalLinkage);
  ir_copy_attributes(fn, copy, LLVMAttributeFunctionIndex);
  if (LLVMHasPersonalityFn(fn)) /* its landing pads need it */
    LLVMSetPersonalityFn(copy, LLVMGetPersonalityFn(fn));
  /* parameter attributes (noalias, nocapture, ...) help simplification */
  unsigned nparams = LLVMCountParams(fn);
  for (unsigned p = 1; p <= nparams; ++p)
    ir_copy_attributes(fn, copy, p);
  LLVMSetCurrentDebugLocation2(m->b, NULL);
  if (custom_derivative_of(m, fn)) {
    /* the gradient of a function with a custom derivative is its pullback
       (also when exported or reached through a pointer): the copy just
       calls it */
    custom_build_call_body(m, fn, copy);
  } else {
    ct_vmap map;
    vmap_init(&map);
    clone_body(m, fn, copy, &map);
    constructs_lower_indirect_branches(m, fn, &map);
    vmap_free(&map);
  }
  /* Calls of functions with bodies are differentiated by inlining them
     into the copy; recursive ones stay calls (and are reported). */
  ct_bridge_inline_calls(copy, fn, NULL);
  /* calls through pointers that simplification leaves (constant pointers
     become direct calls) dispatch among their targets, inlined in turn
     (a callback calling another through a pointer: a few levels) */
  for (int depth = 0; depth < 8 && indirect_dispatch_calls(m, fn, copy); ++depth)
    ct_bridge_inline_calls(copy, fn, NULL);
  prepare_libm_calls(m, copy);
  alloc_prepare(m, copy);
  omp_prepare(m, fn, copy);
  ct_bridge_simplify_function(copy);
  if (constructs_drop_cleanups(copy))
    ct_bridge_simplify_function(copy); /* the landing pads are unreachable now */
  if (!constructs_check(m, fn, copy)) {
    LLVMAddAttributeAtIndex(copy, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, REJECTED, sizeof REJECTED - 1, "", 0));
    return NULL;
  }
  retype_fp_memory(m, copy);
  interchange_dot_products(m, fn, copy);
  fused_prepare_loads(m, copy);
  split_selected_accesses(m, copy); /* after: it adds branches to loops */
  return copy;
}

void prepare_finish(ct_module *m) {
  size_t slen = strlen(PREPARED_SUFFIX);
  LLVMValueRef f = LLVMGetFirstFunction(m->mod);
  while (f) {
    LLVMValueRef next = LLVMGetNextFunction(f);
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    if (len > slen && memcmp(name + len - slen, PREPARED_SUFFIX, slen) == 0 && !LLVMGetFirstUse(f))
      LLVMDeleteFunction(f);
    f = next;
  }
}
