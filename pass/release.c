/* Releasing a pullback without running its adjoint code again.
 *
 * A pullback (ct_pullback) keeps its tape so that it can be applied any
 * number of times; freeing it must release that tape, the shadow blocks of
 * the function's allocations and the tapes of its callees, and only the
 * reverse pass knows how to walk them. Running the reverse once more with a
 * zero seed is not neutral: it moves the adjoints already in the shadows of
 * the arguments again (an element the function overwrote has its adjoint
 * scaled a second time). So each reverse function R gets a twin,
 * "R.release": a copy of R with keep = false in which every write to memory
 * that R does not own is gone (stores, atomics and memset/memcpy into
 * shadows, the runtime's adjoint copies, custom derivatives' pullbacks) and
 * every call of a reverse function calls that function's twin. What stays is
 * the walk over the tape (control flow, pops), the frees of shadow blocks and
 * deferred primal frees, and the callees' releases.
 *
 * The twin is made as soon as R is generated, before the tape's fast paths
 * are inlined into R (their stores into the tape object would look like
 * stores into shadows); twins nothing calls are deleted at the end. */
#include "core.h"
#include "release.h"

#include <stdlib.h>
#include <string.h>

static unsigned mark_kind(ct_module *m) { return LLVMGetMDKindIDInContext(m->ctx, "ct.reverse_call", 15); }

void release_mark_reverse_call(ct_module *m, LLVMValueRef call) {
  LLVMSetMetadata(call, mark_kind(m), LLVMMetadataAsValue(m->ctx, LLVMMDNodeInContext2(m->ctx, NULL, 0)));
}

static int is_release(LLVMValueRef fn) {
  return LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-release", 10) != NULL;
}

LLVMValueRef release_of(ct_module *m, LLVMValueRef reverse_fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(reverse_fn, &len);
  char *rname = util_format("%.*s.release", (int)len, name);
  LLVMValueRef r = LLVMGetNamedFunction(m->mod, rname);
  if (!r) {
    r = LLVMAddFunction(m->mod, rname, LLVMGlobalGetValueType(reverse_fn));
    /* a reverse function of another file (contract.c) has its twin there */
    if (!LLVMIsDeclaration(reverse_fn))
      LLVMSetLinkage(r, LLVMInternalLinkage);
    LLVMAddAttributeAtIndex(r, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, "ct-release", 10, "", 0));
  }
  free(rname);
  return r;
}

/* Does the store-like instruction write memory this function allocated
 * itself (an alloca of the reverse: cells, slots, tape marks)? */
static int writes_own_memory(LLVMValueRef ptr) { return LLVMIsAAllocaInst(ir_base_object(ptr)) != NULL; }

static int has_prefix(const char *name, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && strncmp(name, prefix, n) == 0;
}

/* Calls the twin keeps as they are: the tape, shadow releases, frees, the
 * OpenMP runtime (the fork of a reverse region, redirected separately). */
static int is_bookkeeping_call(const char *name, size_t len) {
  static const char *const prefixes[] = {"__ct_tape_", "__ct_release_shadow", "__ct_slots_", "__ct_omp_", "__kmpc_", "omp_",
                                         "__ct_runtime_error", NULL};
  for (unsigned i = 0; prefixes[i]; ++i)
    if (has_prefix(name, len, prefixes[i]))
      return 1;
  return len == 4 && strncmp(name, "free", 4) == 0;
}

/* Calls of reverse functions (marked by their emitters) call their twins;
 * a reverse function passed to the OpenMP fork becomes its twin too. */
static void redirect_reverse_calls(ct_module *m, LLVMValueRef call) {
  unsigned n = (unsigned)LLVMGetNumOperands(call);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(call, i);
    if (!op || !LLVMIsAFunction(op) || is_release(op))
      continue;
    size_t len = 0;
    const char *name = LLVMGetValueName2(op, &len);
    if (has_prefix(name, len, "__kmpc_"))
      continue;
    LLVMSetOperand(call, i, release_of(m, op));
  }
}

/* Should the twin drop `inst`, a write into memory the reverse does not
 * own? (Redirects reverse calls on the way.) */
static int is_adjoint_write(ct_module *m, LLVMValueRef inst) {
  if (LLVMIsAStoreInst(inst))
    return !writes_own_memory(LLVMGetOperand(inst, 1));
  if (LLVMIsAAtomicRMWInst(inst)) /* adds into shadows, or takes one (xchg) */
    return !writes_own_memory(LLVMGetOperand(inst, 0));
  if (!LLVMIsACallInst(inst))
    return 0;
  if (LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(m->ctx, CT_RERUN_MD, sizeof CT_RERUN_MD - 1)))
    return 1; /* a recomputed call run again (checkpoint.c): no tape of its own to release */
  if (LLVMGetMetadata(inst, mark_kind(m))) {
    redirect_reverse_calls(m, inst);
    return 0;
  }
  if (ir_mem_intrinsic(inst))
    return !writes_own_memory(LLVMGetOperand(inst, 0));
  const char *masked = ir_masked_intrinsic(inst);
  if (masked)
    return strcmp(masked, "store") == 0;
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  if (name && (is_bookkeeping_call(name, len) || has_prefix(name, len, "llvm.")))
    return 0;
  if (alloc_freed_pointer(inst)) /* a deferred free with a user's deallocator (alloc.c) */
    return 0;
  if (!ct_bridge_call_may_write(inst, CT_MEM_ARGUMENT | CT_MEM_INACCESSIBLE | CT_MEM_OTHER))
    return 0; /* pure: dead code the cleanup removes */
  /* adjoint copies, custom derivatives' pullbacks, kernels' reverses: they
     only add into shadows and return nothing the walk needs */
  return !LLVMGetFirstUse(inst);
}

void release_make(ct_module *m, LLVMValueRef reverse_fn, unsigned keep_param) {
  LLVMValueRef twin = release_of(m, reverse_fn);
  if (LLVMGetFirstBasicBlock(twin))
    return;
  ct_vmap map;
  vmap_init(&map);
  /* its own builder: the caller's may be in the middle of a reverse */
  LLVMBuilderRef caller_builder = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  clone_body(m, reverse_fn, twin, &map);
  LLVMDisposeBuilder(m->b);
  m->b = caller_builder;
  vmap_free(&map);
  ir_copy_attributes(reverse_fn, twin, LLVMAttributeFunctionIndex);
  LLVMValueRef keep = LLVMGetParam(twin, keep_param);
  LLVMReplaceAllUsesWith(keep, LLVMConstNull(LLVMTypeOf(keep)));
  size_t cap = 64, n = 0;
  LLVMValueRef *dead = malloc(cap * sizeof *dead);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(twin); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
      if (is_adjoint_write(m, inst)) {
        if (n == cap)
          dead = realloc(dead, (cap *= 2) * sizeof *dead);
        dead[n++] = inst;
      }
  for (size_t i = 0; i < n; ++i) {
    /* an adjoint taken from a shadow (atomic xchg): it only flows into
       adjoint writes, all gone; zero is what an untouched shadow holds */
    if (LLVMGetFirstUse(dead[i]))
      LLVMReplaceAllUsesWith(dead[i], LLVMConstNull(LLVMTypeOf(dead[i])));
    LLVMInstructionEraseFromParent(dead[i]);
  }
  free(dead);
  /* the derivatives it returns are adjoints nobody reads (the thunk and
     callers' twins drop them): returning zeros lets the cleanup delete the
     loads of shadows they came from, which a vjp pullback (ct_pullback of a
     function returning nothing) does not have when it is freed (NULL) */
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(twin); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    if (term && LLVMGetInstructionOpcode(term) == LLVMRet && LLVMGetNumOperands(term) == 1)
      LLVMSetOperand(term, 0, LLVMConstNull(LLVMTypeOf(LLVMGetOperand(term, 0))));
  }
  ct_bridge_simplify_function(twin);
}

void release_drop_unused(ct_module *m) {
  int changed = 1;
  while (changed) {
    changed = 0;
    LLVMValueRef next;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = next) {
      next = LLVMGetNextFunction(f);
      if (is_release(f) && !LLVMGetFirstUse(f) && LLVMGetLinkage(f) == LLVMInternalLinkage) {
        LLVMDeleteFunction(f);
        changed = 1;
      }
    }
  }
}
