/* Alias scopes of a gradient. Kinds of memory that never overlap inside one
 * gradient call: the function's own memory (primal), the tape, and shadow
 * memory (the user's shadow arrays are distinct from the arrays they
 * shadow; every other shadow is an allocation of the gradient's own).
 * Shadows split further: the shadow of an alloca or malloc of the function
 * is a fresh allocation of this call, never the shadow of an argument. The
 * loads and stores of each kind are tagged with its scope and !noalias for
 * the kinds it cannot overlap (LLVM's scoped-noalias metadata), so LLVM can
 * tell a shadow array from the primal arrays and tape records the reverse
 * pass reads. Without it LLVM guards vectorized reverse loops with run-time
 * overlap checks, and for a loop nested in a loop that runs downwards (as
 * reverse loops do) LLVM 19 hoists those checks in a form that always
 * fails: the reverse stays scalar.
 *
 * Scopes are distinct self-referential nodes, as LLVM's own: inlining a
 * gradient clones them, so two inlined copies never share a scope (the
 * shadow of one may be the primal of the other). Only accesses known to be
 * of a kind are tagged; an untagged access keeps LLVM's own answers. */
#include "gen.h"

#include <llvm-c/DebugInfo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SCOPE_PRIMAL, SCOPE_TAPE, SCOPE_SHADOW, SCOPE_SHADOW_OWN, SCOPE_SHADOW_ARG, NSCOPES };
_Static_assert(NSCOPES == sizeof ((ct_gen *)0)->scope_lists / sizeof ((ct_gen *)0)->scope_lists[0],
               "ct_gen.scope_lists holds one entry per kind");

/* which kinds each kind cannot overlap: a shadow of unknown origin may be
 * an own or an argument's shadow */
static const unsigned char DISJOINT[NSCOPES][NSCOPES] = {
    [SCOPE_PRIMAL] = {0, 1, 1, 1, 1},
    [SCOPE_TAPE] = {1, 0, 1, 1, 1},
    [SCOPE_SHADOW] = {1, 1, 0, 0, 0},
    [SCOPE_SHADOW_OWN] = {1, 1, 0, 0, 1},
    [SCOPE_SHADOW_ARG] = {1, 1, 0, 1, 0},
};

static LLVMMetadataRef md_string(LLVMContextRef ctx, const char *s) {
  return LLVMMDStringInContext2(ctx, s, strlen(s));
}

/* distinct !{self, ops...} */
static LLVMMetadataRef self_referential(LLVMContextRef ctx, LLVMMetadataRef *ops, unsigned n) {
  LLVMMetadataRef all[3];
  LLVMMetadataRef tmp = LLVMTemporaryMDNode(ctx, NULL, 0);
  all[0] = tmp;
  for (unsigned i = 0; i < n && i < 2; ++i)
    all[i + 1] = ops[i];
  LLVMMetadataRef node = LLVMMDNodeInContext2(ctx, all, n + 1);
  LLVMMetadataReplaceAllUsesWith(tmp, node); /* now distinct and its own first operand */
  return node;
}

static void make_lists(ct_gen *g) {
  LLVMContextRef ctx = g->m->ctx;
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->g, &len);
  char name[512];
  snprintf(name, sizeof name, "cotangent %.*s", (int)(len < 400 ? len : 400), fname);
  LLVMMetadataRef dname = md_string(ctx, name);
  LLVMMetadataRef domain = self_referential(ctx, &dname, 1);
  static const char *const kinds[NSCOPES] = {"primal", "tape", "shadow", "own shadow", "argument shadow"};
  LLVMMetadataRef scopes[NSCOPES];
  for (int k = 0; k < NSCOPES; ++k) {
    char sname[600];
    snprintf(sname, sizeof sname, "%s: %s", name, kinds[k]);
    LLVMMetadataRef ops[2] = {domain, md_string(ctx, sname)};
    scopes[k] = self_referential(ctx, ops, 2);
  }
  for (int k = 0; k < NSCOPES; ++k) {
    LLVMMetadataRef others[NSCOPES];
    unsigned n = 0;
    for (int j = 0; j < NSCOPES; ++j)
      if (DISJOINT[k][j])
        others[n++] = scopes[j];
    g->scope_lists[k][0] = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, &scopes[k], 1));
    g->scope_lists[k][1] = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, others, n));
  }
}

/* inst's list `kind_name` with the operands of `more` added (the scopes an
 * access had, from inlined restrict pointers say, stay true) */
static void add_to_list(ct_gen *g, LLVMValueRef inst, const char *kind_name, LLVMValueRef more) {
  LLVMContextRef ctx = g->m->ctx;
  unsigned kind = LLVMGetMDKindIDInContext(ctx, kind_name, (unsigned)strlen(kind_name));
  LLVMValueRef old = LLVMGetMetadata(inst, kind);
  unsigned nold = old ? LLVMGetMDNodeNumOperands(old) : 0, nmore = LLVMGetMDNodeNumOperands(more);
  LLVMValueRef *vals = malloc((nold + nmore) * sizeof *vals);
  LLVMMetadataRef *ops = malloc((nold + nmore) * sizeof *ops);
  if (old)
    LLVMGetMDNodeOperands(old, vals);
  LLVMGetMDNodeOperands(more, vals + nold);
  for (unsigned i = 0; i < nold + nmore; ++i)
    ops[i] = LLVMValueAsMetadata(vals[i]);
  LLVMSetMetadata(inst, kind, LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, ops, nold + nmore)));
  free(vals);
  free(ops);
}

static void tag(ct_gen *g, LLVMValueRef inst, int kind) {
  if (!inst || !(LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst)))
    return;
  if (!g->scope_lists[0][0])
    make_lists(g);
  add_to_list(g, inst, "alias.scope", g->scope_lists[kind][0]);
  add_to_list(g, inst, "noalias", g->scope_lists[kind][1]);
}

void scopes_tag_primal(ct_gen *g, LLVMValueRef inst) { tag(g, inst, SCOPE_PRIMAL); }
void scopes_tag_tape(ct_gen *g, LLVMValueRef inst) { tag(g, inst, SCOPE_TAPE); }

void scopes_tag_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef primal_ptr) {
  LLVMValueRef base = ir_base_object(primal_ptr);
  int kind = SCOPE_SHADOW;
  if (ir_is_local_allocation(base))
    kind = SCOPE_SHADOW_OWN;
  else if (LLVMIsAArgument(base) && LLVMGetParamParent(base) == g->pc)
    kind = SCOPE_SHADOW_ARG;
  tag(g, inst, kind);
}

void scopes_tag_forward(ct_gen *g) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst))
        scopes_tag_primal(g, vmap_get(&g->fwd, inst));
}
