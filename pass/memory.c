/* Memory effects: may an instruction write an object, and does a load
 * read, in the reverse pass, the value it read in the forward pass (so
 * that the reverse can recompute it instead of taking it from the tape)?
 *
 * Objects are told apart by their base (ir_base_object): the function's
 * own allocas and mallocs that stay private are written only through their
 * own address; arguments and globals through any pointer of unknown
 * origin (restrict arguments excepted); what a call may write follows
 * LLVM's memory effects of the call (ct_bridge_call_may_write). */
#include "gen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* May the call write memory the function can see? Not when LLVM's memory
 * effects of the call say that neither argument memory nor other memory is
 * modified (inaccessible memory, e.g. annotations, is not ours). */
static int call_may_write_memory(LLVMValueRef call) {
  if (!ct_bridge_call_may_write(call, CT_MEM_ARGUMENT | CT_MEM_OTHER))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  static const char *const NO_WRITES[] = {"llvm.var.annotation.", "llvm.annotation.", "llvm.lifetime.",
                                          "llvm.assume", "llvm.dbg.", NULL};
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  for (const char *const *p = NO_WRITES; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 0;
  return 1;
}

/* Does `obj` (an alloca or a malloc of this function) stay private: its
 * address only used for loads, stores into it, memory intrinsics, free and
 * annotations (never stored, passed on, merged or returned, nor given to
 * a call that returns a pointer)? */
static int local_object_escapes(LLVMValueRef v, int depth) {
  if (depth > 16)
    return 1;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAGetElementPtrInst(user) || LLVMIsABitCastInst(user)) {
      if (local_object_escapes(user, depth + 1))
        return 1;
    } else if (LLVMIsALoadInst(user)) {
      continue;
    } else if (LLVMIsAStoreInst(user)) {
      if (LLVMGetOperand(user, 0) == v)
        return 1;
    } else if (LLVMIsACallInst(user)) {
      if (!ir_mem_intrinsic(user) && alloc_freed_pointer(user) != v && call_may_write_memory(user))
        return 1;
      if (LLVMGetCalledValue(user) == v)
        return 1;
      if (LLVMGetTypeKind(LLVMTypeOf(user)) == LLVMPointerTypeKind)
        return 1; /* an accessor's result may point into it (even one that touches no memory) */
    } else {
      return 1;
    }
  }
  return 0;
}

/* A restrict (noalias) parameter: an object accessed through it and
 * modified in the call is accessed through nothing else. */
static int is_restrict_param(LLVMValueRef v) {
  int i = ir_param_index(v);
  return i >= 0 && LLVMGetEnumAttributeAtIndex(LLVMGetParamParent(v), (unsigned)i + 1,
                                               LLVMGetEnumAttributeKindForName("noalias", 7)) != NULL;
}

/* May `inst` write the memory of the object `base`? A private local object
 * is written only through its own address; anything else may be written
 * through any pointer of unknown origin. A free counts as a write of
 * memory reached through a loaded or merged pointer (a heap struct's data
 * block freed before the reverse pass reads it), unless the freed block
 * stays private; a malloc's own free is deferred to the reverse pass
 * (below), and arguments and globals are not the function's to free. */
static int may_write_object(LLVMValueRef inst, LLVMValueRef base, int private_object) {
  LLVMValueRef dst = NULL;
  static const char *const LIFETIME[] = {"llvm.lifetime.start.p0", "llvm.lifetime.end.p0", NULL};
  if (alloc_freed_pointer(inst)) {
    LLVMValueRef freed = ir_base_object(alloc_freed_pointer(inst));
    if (private_object || LLVMIsAArgument(base) || LLVMIsAGlobalVariable(base))
      return 0;
    if (freed == base) /* deferred when the load reads unchanged memory */
      return !alloc_can_free(base);
    /* a private block is not what a loaded pointer points into */
    return !ir_is_local_allocation(freed) || local_object_escapes(freed, 0);
  }
  if (LLVMIsAStoreInst(inst))
    dst = LLVMGetOperand(inst, 1);
  else if (LLVMIsACallInst(inst) && ir_callee_is(inst, LIFETIME))
    dst = LLVMGetOperand(inst, 1); /* the object dies (or is reborn): as good as written */
  else if (ir_mem_intrinsic(inst) ||
           (ir_masked_intrinsic(inst) && !strcmp(ir_masked_intrinsic(inst), "store")))
    dst = LLVMGetOperand(inst, ir_mem_intrinsic(inst) ? 0 : 1);
  else if (LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst))
    dst = LLVMGetOperand(inst, 0);
  else if (LLVMIsACallInst(inst) && (!classify_rule(inst) || rules_call_writes_memory(inst)) &&
           !classify_is_inactive_call(inst) && call_may_write_memory(inst)) {
    int n = LLVMGetNumArgOperands(inst);
    for (int k = 0; k < n; ++k) {
      LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
      if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && !LLVMIsAConstant(op) &&
          (!private_object || ir_base_object(op) == base))
        return 1; /* a callee may write anything it is given */
    }
    return 0;
  }
  if (!dst)
    return 0;
  LLVMValueRef db = ir_base_object(dst);
  if (private_object)
    return db == base;
  /* a pointer merged from several objects (phi, select, a loaded pointer)
     may point into a local too: every write counts */
  int identified = LLVMIsAArgument(base) || LLVMIsAGlobalVariable(base);
  int db_identified = LLVMIsAArgument(db) || LLVMIsAGlobalVariable(db);
  if (identified && db_identified && db != base && (is_restrict_param(base) || is_restrict_param(db)))
    return 0; /* restrict: another object */
  return !identified || db == base || !ir_is_local_allocation(db);
}

/* The one value stored into `slot`, an alloca of the entry block that is
 * stored once there and otherwise only loaded and annotated (a
 * CT_NO_DERIVATIVE parameter's annotated copy), or NULL. */
static LLVMValueRef single_stored_value(LLVMValueRef slot) {
  static const char *const MARKERS[] = {"llvm.var.annotation.p0.p0", "llvm.lifetime.start.p0",
                                        "llvm.lifetime.end.p0", NULL};
  LLVMValueRef v = NULL;
  if (!LLVMIsAAllocaInst(slot))
    return NULL;
  LLVMBasicBlockRef entry = LLVMGetInstructionParent(slot);
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsALoadInst(user) || (LLVMIsACallInst(user) && ir_callee_is(user, MARKERS)))
      continue;
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 1) != slot || v || LLVMGetInstructionParent(user) != entry)
      return NULL;
    v = LLVMGetOperand(user, 0);
  }
  return v;
}

/* The object a load reads: its base, seen through a pointer reloaded from
 * its annotated copy and through ct_without_derivative's pointer marker
 * when that leads to an argument or global (writes through the marker or
 * the reloaded pointer are writes through a pointer of unknown origin:
 * may_write_object counts them). */
static LLVMValueRef read_object(LLVMValueRef ptr) {
  LLVMValueRef base = ir_base_object(ptr);
  if (LLVMIsALoadInst(base) && single_stored_value(LLVMGetOperand(base, 0))) {
    LLVMValueRef inner = ir_base_object(single_stored_value(LLVMGetOperand(base, 0)));
    if (LLVMIsACallInst(inner) && activity_is_without_derivative(inner) && LLVMGetNumArgOperands(inner) == 1)
      inner = ir_base_object(LLVMGetOperand(inner, 0));
    if (LLVMIsAArgument(inner) || LLVMIsAGlobalVariable(inner))
      return inner;
  }
  if (LLVMIsACallInst(base) && activity_is_without_derivative(base) && LLVMGetNumArgOperands(base) == 1) {
    LLVMValueRef inner = ir_base_object(LLVMGetOperand(base, 0));
    if (LLVMIsAArgument(inner) || LLVMIsAGlobalVariable(inner))
      return inner;
  }
  return base;
}

/* The blocks reachable from bb's end (bb itself only through a cycle;
 * every block when `all`): calloc'd flags by block index. */
static unsigned char *reachable_after(ct_gen *g, LLVMBasicBlockRef bb, int all) {
  unsigned n = g->nblocks;
  unsigned char *reach = calloc(n ? n : 1, 1);
  if (all)
    memset(reach, 1, n);
  unsigned *work = malloc((n ? n : 1) * sizeof *work), nw = 0;
  LLVMBasicBlockRef from = bb;
  for (int first = 1; first || nw; first = 0) {
    if (!first)
      from = g->blocks[work[--nw]].bb;
    LLVMValueRef t = LLVMGetBasicBlockTerminator(from);
    for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s) {
      unsigned k = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, s)) - g->blocks);
      if (!reach[k]) {
        reach[k] = 1;
        work[nw++] = k;
      }
    }
  }
  free(work);
  return reach;
}

/* Stores whose old value the reverse pass puts back (undo): a store into an
 * argument or global near the end of a block that returns and runs once
 * before every return (an output written last: `*err = f`), no later
 * write of its block reaching its object, in a gradient whose reverse runs
 * in the same call, alone. Its forward loads the old value first; the
 * reverse starts by storing the old values back and ends by storing the
 * new ones again (forward.c, gradient.c), so that loads before it, when
 * the reverse recomputes them, read what they read in the forward pass.
 * Only the last few stores of each return block are candidates (the work
 * stays linear). Decided for every store at once, on the first question. */
enum { UNDO_MAX_STORES = 8, UNDO_MAX_SPAN = 256 };

/* Does a load of a block that may run several times (its value recomputed
 * by the reverse, not taken directly) read memory store s may write? */
static int undo_helps(ct_gen *g, LLVMValueRef s) {
  for (unsigned i = 0; i < g->nblocks; ++i) {
    if (g->blocks[i].stable)
      continue;
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (!LLVMIsALoadInst(inst))
        continue;
      LLVMValueRef base = read_object(LLVMGetOperand(inst, 0));
      if (may_write_object(s, base, LLVMIsAAllocaInst(base) || ir_is_local_allocation(base)))
        return 1;
    }
  }
  return 0;
}

static void find_undone_stores(ct_gen *g) {
  int possible = !g->spec->split && !g->spec->concurrent && !g->atomic_shadow_adds;
  for (unsigned i = 0; i < g->nblocks && possible; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsACallInst(inst) && ir_is_omp_fork(inst))
        possible = 0;
  for (unsigned i = 0; i < g->nblocks && possible; ++i) {
    ct_block *b = &g->blocks[i];
    if (!b->stable || !cfg_is_return_block(b->bb))
      continue;
    unsigned span = 0, stores = 0;
    for (LLVMValueRef s = LLVMGetLastInstruction(b->bb); s && span < UNDO_MAX_SPAN && stores < UNDO_MAX_STORES;
         s = LLVMGetPreviousInstruction(s), ++span) {
      if (!LLVMIsAStoreInst(s))
        continue;
      ++stores;
      LLVMValueRef base = ir_base_object(LLVMGetOperand(s, 1));
      if (LLVMGetVolatile(s) || LLVMGetOrdering(s) != LLVMAtomicOrderingNotAtomic ||
          !(LLVMIsAArgument(base) || (LLVMIsAGlobalVariable(base) && !LLVMIsGlobalConstant(base))))
        continue;
      int last = 1;
      for (LLVMValueRef after = LLVMGetNextInstruction(s); after && last; after = LLVMGetNextInstruction(after))
        last = !may_write_object(after, base, 0);
      if (last && undo_helps(g, s))
        vmap_set(&g->undone_stores, s, s);
    }
  }
  g->undone_found = 1;
}

int memory_store_undone(ct_gen *g, LLVMValueRef inst) {
  if (!g->undone_found)
    find_undone_stores(g);
  return inst && vmap_get(&g->undone_stores, inst) != NULL;
}

/* ---- the writes of each object, found once per gradient ----
 * A load's question (may a write to its object run after it?) is answered
 * from its object's writes: the last one in each block, and the blocks from
 * which one is reachable. Each object's writes are found by one pass over
 * the function, and each instruction's place in its block by another, so
 * that asking for every load costs the function's size per object, not
 * per load. */

typedef struct {
  int *last_write;         /* per block: place of its last write of the object (1, 2, ...), 0: none */
  unsigned char *reaching; /* per block: a write is reachable from its start */
  int any;                 /* some instruction may write it */
} ct_writes;

struct ct_memory_facts {
  ct_vmap writes; /* object -> its ct_writes */
  ct_vmap place;  /* instruction -> its place in its block (1, 2, ...) */
  ct_vmap after;  /* undone store -> the blocks reachable after its block (reachable_after) */
  int forks;      /* 0: not looked yet, 1: no OpenMP fork, 2: some */
};

static struct ct_memory_facts *facts(ct_gen *g) {
  if (!g->memory_facts) {
    g->memory_facts = calloc(1, sizeof *g->memory_facts);
    vmap_init(&g->memory_facts->writes);
    vmap_init(&g->memory_facts->place);
    vmap_init(&g->memory_facts->after);
    for (unsigned i = 0; i < g->nblocks; ++i) {
      uintptr_t k = 0;
      for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
        vmap_set(&g->memory_facts->place, inst, (LLVMValueRef)++k);
    }
  }
  return g->memory_facts;
}

void memory_free(ct_gen *g) {
  struct ct_memory_facts *f = g->memory_facts;
  if (!f)
    return;
  for (size_t i = 0; i < f->writes.cap; ++i)
    if (f->writes.keys[i]) {
      ct_writes *w = (ct_writes *)f->writes.vals[i];
      free(w->last_write);
      free(w->reaching);
      free(w);
    }
  for (size_t i = 0; i < f->after.cap; ++i)
    if (f->after.keys[i])
      free(f->after.vals[i]);
  vmap_free(&f->writes);
  vmap_free(&f->place);
  vmap_free(&f->after);
  free(f);
  g->memory_facts = NULL;
}

static int has_fork(ct_gen *g) {
  struct ct_memory_facts *f = facts(g);
  for (unsigned i = 0; i < g->nblocks && !f->forks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && !f->forks;
         inst = LLVMGetNextInstruction(inst))
      if (LLVMIsACallInst(inst) && ir_is_omp_fork(inst))
        f->forks = 2;
  if (!f->forks)
    f->forks = 1;
  return f->forks == 2;
}

/* The writes of `base` (whether it is a private object is a property of
 * the object: the same at every asking), but for undone stores (their old
 * value is back when the reverse runs). */
static const ct_writes *writes_of(ct_gen *g, LLVMValueRef base, int private_object) {
  struct ct_memory_facts *f = facts(g);
  ct_writes *w = (ct_writes *)vmap_get(&f->writes, base);
  if (w)
    return w;
  unsigned n = g->nblocks;
  w = calloc(1, sizeof *w);
  w->last_write = calloc(n ? n : 1, sizeof *w->last_write);
  w->reaching = calloc(n ? n : 1, 1);
  unsigned *work = malloc((n ? n : 1) * sizeof *work), nw = 0;
  for (unsigned i = 0; i < n; ++i) {
    int k = 0;
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      ++k;
      if (may_write_object(inst, base, private_object) && !memory_store_undone(g, inst))
        w->last_write[i] = k;
    }
    if (w->last_write[i]) {
      w->any = 1;
      w->reaching[i] = 1;
      work[nw++] = i;
    }
  }
  while (nw) { /* backwards: the blocks from which a write is reachable */
    const ct_block *b = &g->blocks[work[--nw]];
    for (unsigned k = 0; k < b->npreds; ++k) {
      unsigned p = (unsigned)(cfg_block_of(g, b->preds[k]) - g->blocks);
      if (!w->reaching[p]) {
        w->reaching[p] = 1;
        work[nw++] = p;
      }
    }
  }
  free(work);
  vmap_set(&f->writes, base, (LLVMValueRef)w);
  return w;
}

/* Is `load` after an undone store that may write its object (the reverse
 * runs with the old value back)? Undone stores are in blocks that run once
 * before every return: a load after one is in its block, or in a block
 * its block reaches. */
static int after_undone_store(ct_gen *g, LLVMValueRef load, LLVMValueRef base, int private_object) {
  for (size_t i = 0; i < g->undone_stores.cap; ++i) {
    LLVMValueRef s = g->undone_stores.keys[i];
    if (!s || !vmap_get(&g->undone_stores, s) || !may_write_object(s, base, private_object))
      continue;
    LLVMBasicBlockRef sb = LLVMGetInstructionParent(s), lb = LLVMGetInstructionParent(load);
    int after = 0;
    if (sb == lb)
      for (LLVMValueRef i2 = LLVMGetNextInstruction(s); i2 && !after; i2 = LLVMGetNextInstruction(i2))
        after = i2 == load;
    else {
      struct ct_memory_facts *f = facts(g);
      unsigned char *reach = (unsigned char *)vmap_get(&f->after, s);
      if (!reach) {
        reach = reachable_after(g, sb, 0);
        vmap_set(&f->after, s, (LLVMValueRef)reach);
      }
      after = reach[cfg_block_of(g, lb) - g->blocks];
    }
    if (after)
      return 1;
  }
  return 0;
}

/* The rule for functions with parallel regions: loads of an argument or
 * global the function never writes (other than its own locals). */
static int reads_unchanged_memory_anywhere(ct_gen *g, LLVMValueRef load) {
  LLVMValueRef base = read_object(LLVMGetOperand(load, 0));
  if (LLVMIsAAllocaInst(base) || LLVMIsACallInst(base))
    return 0;
  return !writes_of(g, base, 0)->any;
}

/* Does the load read, in the reverse pass, the value it read in the
 * forward pass: can no write to its object run after it? (The reverse
 * pass never writes primal memory.) Objects are arguments and globals,
 * and, when the reverse runs in the same call (not split), the function's
 * own allocas and mallocs if they stay private; a malloc outside loops
 * whose memory is read this way is freed by the reverse pass instead of
 * by the function's free(). */
static int reads_unchanged_memory_uncached(ct_gen *g, LLVMValueRef load) {
  if (has_fork(g)) /* parallel regions: the old rule, no reachability */
    return reads_unchanged_memory_anywhere(g, load);
  LLVMValueRef base = read_object(LLVMGetOperand(load, 0));
  /* split (an augmented forward returns, and its caller runs on, and may
     overwrite what it read, before this reverse: a pullback applied later,
     a differentiated callee): only constants stay unchanged */
  if (g->spec->split)
    return LLVMIsAGlobalVariable(base) && LLVMIsGlobalConstant(base);
  int is_malloc = ir_is_allocation(base) && alloc_can_free(base); /* its free can be deferred */
  int private_object = LLVMIsAAllocaInst(base) || is_malloc;
  /* concurrent code (OpenMP regions, GPU kernels): other threads run the
     same writes in any order, so any write anywhere counts, and locals are
     left alone */
  int concurrent = g->atomic_shadow_adds || g->spec->concurrent;
  if (private_object) {
    if (concurrent || local_object_escapes(base, 0))
      return 0;
    if (is_malloc && (batch_innermost_loop(g, LLVMGetInstructionParent(base)) >= 0 ||
                      classify(g, base) != REV_ALLOC))
      return 0; /* deferring frees in loops would keep every allocation */
  }
  /* no write in a block reachable from the load's block (its own only
     through a cycle), nor after the load in its own block */
  const ct_writes *w = writes_of(g, base, private_object);
  ct_block *lb = cfg_block_of(g, LLVMGetInstructionParent(load));
  int unchanged = !(concurrent && w->any);
  LLVMValueRef t = LLVMGetBasicBlockTerminator(lb->bb);
  for (unsigned s = 0; unchanged && t && s < LLVMGetNumSuccessors(t); ++s)
    unchanged = !w->reaching[cfg_block_of(g, LLVMGetSuccessor(t, s)) - g->blocks];
  if (unchanged && w->last_write[lb - g->blocks] > (int)(uintptr_t)vmap_get(&facts(g)->place, load))
    unchanged = 0;
  /* after a store whose old value the reverse puts back: not what it read */
  memory_store_undone(g, NULL);
  if (unchanged && after_undone_store(g, load, base, private_object))
    unchanged = 0;
  if (unchanged && is_malloc)
    vmap_set(&g->deferred_free, base, base);
  return unchanged;
}

int memory_private_scratch(ct_gen *g, LLVMValueRef base) {
  if (g->spec->split || g->atomic_shadow_adds || g->spec->concurrent)
    return 0;
  if (LLVMIsAAllocaInst(base)) {
    if (LLVMGetInstructionParent(base) != LLVMGetEntryBasicBlock(g->pc))
      return 0;
  } else if (!ir_is_allocation(base) || !alloc_can_free(base) ||
             batch_innermost_loop(g, LLVMGetInstructionParent(base)) >= 0 || classify(g, base) != REV_ALLOC) {
    return 0; /* deferring frees in loops would keep every allocation */
  }
  return !local_object_escapes(base, 0);
}

/* The same, remembered per load: the planner asks about a load many times. */
int memory_reads_unchanged(ct_gen *g, LLVMValueRef load) {
  uintptr_t known = (uintptr_t)vmap_get(&g->unchanged_loads, load);
  if (!known) {
    known = reads_unchanged_memory_uncached(g, load) ? 2 : 1;
    vmap_set(&g->unchanged_loads, load, (LLVMValueRef)known);
  }
  return known == 2;
}
