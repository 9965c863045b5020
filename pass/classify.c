/* Classification: what the reverse of each primal instruction is (a rule
 * from the table, a load/store through a shadow, a lane move, a
 * differentiated call, ...) and which primal values each reverse block
 * therefore needs from the forward part. Unsupported instructions on the
 * differentiated path are reported here, before any code is generated. */
#include "gen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const ct_rule *classify_rule(LLVMValueRef inst) {
  if (LLVMIsACallInst(inst)) {
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    if (!callee || !LLVMIsAFunction(callee))
      return NULL;
    size_t len = 0;
    const char *name = LLVMGetValueName2(callee, &len);
    return rules_for_callee(name, len);
  }
  return rules_for_opcode(LLVMGetInstructionOpcode(inst));
}

/* Functions that neither read differentiable values into their result nor
 * write differentiable memory: calls to them need no adjoint. */
static const char *const INACTIVE_FUNCTIONS[] = {
    "printf", "fprintf", "puts", "fputs", "putchar", "fputc", "fflush", "sprintf", "snprintf",
    "vprintf", "vfprintf", "perror", "time", "clock", "clock_gettime", "gettimeofday", "free",
    "strlen", "abort", "exit", "assert", "__assert_fail", "rand", "srand", "fwrite", NULL};

int classify_is_inactive_call(LLVMValueRef call) {
  if (ir_callee_is(call, INACTIVE_FUNCTIONS) || activity_is_without_derivative(call))
    return 1;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  /* markers and hints that carry no values */
  static const char *const PREFIXES[] = {"llvm.lifetime.", "llvm.assume", "llvm.experimental.noalias",
                                         "llvm.dbg.", "llvm.invariant.", "llvm.prefetch", "llvm.objectsize.",
                                         "llvm.is.constant.", "llvm.expect.", "llvm.var.annotation",
                                         "llvm.ptr.annotation", "llvm.annotation.", "llvm.trap",
                                         "llvm.ubsantrap", NULL};
  for (const char *const *p = PREFIXES; *p; ++p)
    if (len >= strlen(*p) && !strncmp(name, *p, strlen(*p)))
      return 1;
  return 0;
}

static int has_active_operand(ct_gen *g, LLVMValueRef inst) {
  int n = LLVMGetNumOperands(inst) - (LLVMIsACallInst(inst) ? 1 : 0);
  for (int i = 0; i < n; ++i)
    if (vmap_get(&g->active, LLVMGetOperand(inst, (unsigned)i)))
      return 1;
  return 0;
}

/* Instructions that move values between lanes or members. */
static int has_active_pointer_operand(ct_gen *g, LLVMValueRef inst) {
  int n = LLVMGetNumOperands(inst) - (LLVMIsACallInst(inst) ? 1 : 0);
  for (int i = 0; i < n; ++i) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)i);
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(&g->active, op))
      return 1;
  }
  return 0;
}

static int is_lane_op(LLVMValueRef inst) {
  switch (LLVMGetInstructionOpcode(inst)) {
  case LLVMExtractElement:
  case LLVMInsertElement:
  case LLVMShuffleVector:
  case LLVMExtractValue:
  case LLVMInsertValue:
    return 1;
  default:
    break;
  }
  if (LLVMIsACallInst(inst)) {
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
    return (len > 25 && !strncmp(name, "llvm.vector.reduce.fadd.", 24)) ||
           (len > 25 && !strncmp(name, "llvm.vector.reduce.fmax.", 24)) ||
           (len > 25 && !strncmp(name, "llvm.vector.reduce.fmin.", 24)) ||
           (len > 29 && !strncmp(name, "llvm.vector.reduce.fmaximum.", 28)) ||
           (len > 29 && !strncmp(name, "llvm.vector.reduce.fminimum.", 28));
  }
  return 0;
}

/* A call of a function with a body that inlining left in place (recursion):
 * differentiated as a call of its augmented forward and its reverse. */
static int is_differentiable_call(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  ct_spec canonical;
  return callee && LLVMIsAFunction(callee) && !classify_rule(inst) &&
         !LLVMIsFunctionVarArg(LLVMGlobalGetValueType(callee)) && LLVMCountParams(callee) <= CT_MAX_PARAMS &&
         (!LLVMIsDeclaration(callee) || contract_canonical_spec(g->m, callee, &canonical));
}

/* The name of a load's or store's TBAA access type ("double", "int",
 * "omnipotent char", ...), or "" when it has none. */
static const char *tbaa_access_type(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef tag = LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(g->m->ctx, "tbaa", 4));
  if (!tag || LLVMGetMDNodeNumOperands(tag) < 2)
    return "";
  LLVMValueRef ops[4];
  unsigned n = LLVMGetMDNodeNumOperands(tag);
  if (n > 4)
    return "";
  LLVMGetMDNodeOperands(tag, ops);
  LLVMValueRef access = ops[1];
  if (!access || !LLVMIsAMDNode(access) || LLVMGetMDNodeNumOperands(access) < 1)
    return "";
  LLVMValueRef aops[8];
  if (LLVMGetMDNodeNumOperands(access) > 8)
    return "";
  LLVMGetMDNodeOperands(access, aops);
  unsigned len = 0;
  const char *name = aops[0] ? LLVMGetMDString(aops[0], &len) : NULL;
  return name ? name : "";
}

/* An integer load or store of floating-point memory through a character
 * type (a byte-wise copy): the bytes of a double carry no derivative we can
 * follow, so this is rejected rather than silently ignored. */
static int is_byte_move_of_fp_data(ct_gen *g, LLVMValueRef inst, LLVMValueRef ptr, LLVMTypeRef ty) {
  return LLVMGetTypeKind(ty) == LLVMIntegerTypeKind && vmap_get(&g->active, ptr) &&
         activity_fp_type_of_memory(g->pc, ptr) && !strcmp(tbaa_access_type(g, inst), "omnipotent char");
}

/* An atomic load or store of differentiable data (floating point, or its
 * bits) through a pointer with a shadow: _Atomic double variables, C11
 * atomic_load/atomic_store. Only atomic adds are differentiated. */
static int is_atomic_access_of_fp_data(ct_gen *g, LLVMValueRef inst) {
  if (!(LLVMIsALoadInst(inst) || LLVMIsAStoreInst(inst)) || LLVMGetOrdering(inst) == LLVMAtomicOrderingNotAtomic)
    return 0;
  int store = LLVMIsAStoreInst(inst) != NULL;
  if (!vmap_get(&g->active, LLVMGetOperand(inst, store)))
    return 0;
  LLVMValueRef v = store ? LLVMGetOperand(inst, 0) : inst;
  if (type_is_fp(LLVMTypeOf(v)))
    return 1;
  if (store)
    return LLVMIsABitCastInst(v) && adjoint_has(g, LLVMGetOperand(v, 0));
  for (LLVMUseRef u = LLVMGetFirstUse(inst); u; u = LLVMGetNextUse(u))
    if (LLVMIsABitCastInst(LLVMGetUser(u)) && type_is_fp(LLVMTypeOf(LLVMGetUser(u))))
      return 1;
  return 0;
}

ct_rev_kind classify(ct_gen *g, LLVMValueRef inst) {
  int omp = omp_classify(g, inst);
  if (omp >= 0)
    return (ct_rev_kind)omp;
  if (is_atomic_access_of_fp_data(g, inst))
    return REV_UNSUPPORTED;
  const char *mem = ir_mem_intrinsic(inst);
  if (mem) {
    if (!vmap_get(&g->active, LLVMGetOperand(inst, 0)))
      return REV_NONE;
    return strcmp(mem, "memset") ? REV_MEMCPY : REV_MEMSET;
  }
  const char *masked = ir_masked_intrinsic(inst);
  if (LLVMIsAStoreInst(inst) || (masked && !strcmp(masked, "store"))) {
    LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
    if (!vmap_get(&g->active, ptr))
      return vmap_get(&g->active, val) ? REV_UNSUPPORTED : REV_NONE;
    if (is_byte_move_of_fp_data(g, inst, ptr, LLVMTypeOf(val)))
      return REV_UNSUPPORTED;
    if (!type_is_fp(LLVMTypeOf(val)))
      return REV_NONE;
    return masked ? REV_MASKED_STORE : REV_STORE;
  }
  if (masked && adjoint_has(g, inst))
    return REV_MASKED_LOAD;
  if (LLVMIsALoadInst(inst) && is_byte_move_of_fp_data(g, inst, LLVMGetOperand(inst, 0), LLVMTypeOf(inst)))
    return REV_UNSUPPORTED;
  if (vmap_get(&g->active, inst) && ir_is_allocation(inst))
    return REV_ALLOC;
  if (LLVMIsAAtomicRMWInst(inst) &&
      (LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFAdd || LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFSub) &&
      !adjoint_has(g, inst) && vmap_get(&g->active, LLVMGetOperand(inst, 0)))
    return REV_ATOMIC_ADD; /* an atomic scatter whose old value is not differentiated */
  if (LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst))
    return has_active_operand(g, inst) ? REV_UNSUPPORTED : REV_NONE;
  if (LLVMIsACallInst(inst) && custom_derivative_of(g->m, LLVMGetCalledValue(inst)))
    return adjoint_has(g, inst) || has_active_operand(g, inst) ? REV_CUSTOM : REV_NONE;
  if (LLVMIsACallInst(inst) && is_differentiable_call(g, inst) &&
      (adjoint_has(g, inst) || has_active_pointer_operand(g, inst)))
    return REV_CALL;
  if (LLVMIsACallInst(inst) && !adjoint_has(g, inst)) {
    /* a call that may write differentiable memory must be differentiated
       or known not to; one whose result is inactive needs nothing else */
    if (has_active_pointer_operand(g, inst) && !classify_is_inactive_call(inst) && !classify_rule(inst))
      return REV_UNSUPPORTED;
    return REV_NONE;
  }
  if (!adjoint_has(g, inst))
    return REV_NONE;
  if (LLVMIsAPHINode(inst))
    return REV_PHI;
  if (LLVMIsALoadInst(inst))
    return REV_LOAD;
  if (LLVMGetInstructionOpcode(inst) == LLVMFreeze)
    return REV_PASS;
  if (is_lane_op(inst))
    return REV_LANES;
  return classify_rule(inst) ? REV_RULE : REV_UNSUPPORTED;
}

/* The floating-point element type of memory copied by a memcpy/memmove,
 * deduced from the loads and stores of either object; NULL if none or
 * mixed. */
LLVMTypeRef classify_copy_element_type(ct_gen *g, LLVMValueRef copy) {
  LLVMTypeRef dst = activity_fp_type_of_memory(g->pc, LLVMGetOperand(copy, 0));
  LLVMTypeRef src = activity_fp_type_of_memory(g->pc, LLVMGetOperand(copy, 1));
  if (dst && src && dst != src)
    return NULL;
  return dst ? dst : src;
}

/* Records that the reverse of block b uses `v` (or its shadow, or its
 * callee tape). */
static int has_need(const ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  for (unsigned i = 0; i < b->nneeds; ++i)
    if (b->needs[i].value == v && b->needs[i].kind == kind)
      return 1;
  return 0;
}

static void add_need(ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  b->needs = realloc(b->needs, (b->nneeds + 1) * sizeof *b->needs);
  b->needs[b->nneeds++] = (ct_need){v, kind};
}

/* ---- recompute rather than cache ----
 * A value the reverse needs can be recomputed there from other values when
 * it is a cheap pure instruction, or a load of memory that no write (and no
 * call) can change after the load ran. */

/* May the call write memory the function can see? Its memory attribute
 * (callee or call site) says no when neither argument memory nor other
 * memory is modified (inaccessible memory, e.g. annotations, is not ours). */
static int call_may_write_memory(LLVMValueRef call) {
  unsigned kind = LLVMGetEnumAttributeKindForName("memory", 6);
  LLVMAttributeRef a = LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, kind);
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!a && callee && LLVMIsAFunction(callee))
    a = LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, kind);
  if (a) {
    /* MemoryEffects: two bits (ref = 1, mod = 2) per location: argument
       memory (bits 0-1), inaccessible memory (2-3), other memory (4-5) */
    uint64_t effects = LLVMGetEnumAttributeValue(a);
    if (!(effects & 0x22))
      return 0;
  }
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
 * annotations (never stored, passed on, merged or returned)? */
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
      static const char *const OK[] = {"free", NULL};
      if (!ir_mem_intrinsic(user) && !ir_callee_is(user, OK) && call_may_write_memory(user))
        return 1;
      if (LLVMGetCalledValue(user) == v)
        return 1;
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
  static const char *const FREE[] = {"free", NULL};
  if (LLVMIsACallInst(inst) && ir_callee_is(inst, FREE)) {
    LLVMValueRef freed = ir_base_object(LLVMGetOperand(inst, 0));
    if (private_object || LLVMIsAArgument(base) || LLVMIsAGlobalVariable(base))
      return 0;
    if (freed == base) /* deferred when the load reads unchanged memory */
      return !ir_is_allocation(base);
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
  else if (LLVMIsACallInst(inst) && !classify_rule(inst) && !classify_is_inactive_call(inst) &&
           call_may_write_memory(inst)) {
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

/* The rule for functions with parallel regions: loads of an argument or
 * global the function never writes (other than its own locals). */
static int reads_unchanged_memory_anywhere(ct_gen *g, LLVMValueRef load) {
  LLVMValueRef base = ir_base_object(LLVMGetOperand(load, 0));
  if (LLVMIsAAllocaInst(base) || LLVMIsACallInst(base))
    return 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
      if (may_write_object(inst, base, 0))
        return 0;
  return 1;
}

/* Does the load read, in the reverse pass, the value it read in the
 * forward pass: can no write to its object run after it? (The reverse
 * pass never writes primal memory.) Objects are arguments and globals,
 * and, when the reverse runs in the same call (not split), the function's
 * own allocas and mallocs if they stay private; a malloc outside loops
 * whose memory is read this way is freed by the reverse pass instead of
 * by the function's free(). */
static int reads_unchanged_memory_uncached(ct_gen *g, LLVMValueRef load) {
  for (unsigned i = 0; i < g->nblocks; ++i) /* parallel regions: the old rule, no reachability */
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsACallInst(inst) && omp_is_fork(inst))
        return reads_unchanged_memory_anywhere(g, load);
  LLVMValueRef base = ir_base_object(LLVMGetOperand(load, 0));
  /* split (an augmented forward returns, and its caller runs on, and may
     overwrite what it read, before this reverse: a pullback applied later,
     a differentiated callee): only constants stay unchanged */
  if (g->spec->split)
    return LLVMIsAGlobalVariable(base) && LLVMIsGlobalConstant(base);
  int is_malloc = ir_is_allocation(base);
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
  /* blocks reachable from the load's block (itself only through a cycle) */
  unsigned n = g->nblocks;
  unsigned char *reach = calloc(n, 1);
  if (concurrent)
    memset(reach, 1, n);
  unsigned *work = malloc(n * sizeof *work), nw = 0;
  ct_block *lb = cfg_block_of(g, LLVMGetInstructionParent(load));
  LLVMValueRef t = LLVMGetBasicBlockTerminator(lb->bb);
  for (unsigned s = 0; t && s < LLVMGetNumSuccessors(t); ++s) {
    unsigned k = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(t, s)) - g->blocks);
    if (!reach[k]) {
      reach[k] = 1;
      work[nw++] = k;
    }
  }
  while (nw) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(g->blocks[work[--nw]].bb);
    for (unsigned s = 0; term && s < LLVMGetNumSuccessors(term); ++s) {
      unsigned k = (unsigned)(cfg_block_of(g, LLVMGetSuccessor(term, s)) - g->blocks);
      if (!reach[k]) {
        reach[k] = 1;
        work[nw++] = k;
      }
    }
  }
  int unchanged = 1;
  unsigned self = (unsigned)(lb - g->blocks);
  for (unsigned i = 0; i < n && unchanged; ++i) {
    LLVMValueRef from = reach[i] ? LLVMGetFirstInstruction(g->blocks[i].bb)
                        : i == self ? LLVMGetNextInstruction(load) : NULL;
    for (LLVMValueRef inst = from; inst && unchanged; inst = LLVMGetNextInstruction(inst))
      if (may_write_object(inst, base, private_object))
        unchanged = 0;
  }
  free(reach);
  free(work);
  if (unchanged && is_malloc)
    vmap_set(&g->deferred_free, base, base);
  return unchanged;
}

/* The same, remembered per load: the planner asks about a load many times. */
static int reads_unchanged_memory(ct_gen *g, LLVMValueRef load) {
  uintptr_t known = (uintptr_t)vmap_get(&g->unchanged_loads, load);
  if (!known) {
    known = reads_unchanged_memory_uncached(g, load) ? 2 : 1;
    vmap_set(&g->unchanged_loads, load, (LLVMValueRef)known);
  }
  return known == 2;
}

static int is_cheap(ct_gen *g, LLVMValueRef v) {
  if (!LLVMIsAInstruction(v))
    return 0;
  switch (LLVMGetInstructionOpcode(v)) {
  case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFNeg:
  case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMShl: case LLVMLShr: case LLVMAShr:
  case LLVMAnd: case LLVMOr: case LLVMXor: case LLVMICmp: case LLVMFCmp: case LLVMSelect:
  case LLVMSExt: case LLVMZExt: case LLVMTrunc: case LLVMFPExt: case LLVMFPTrunc:
  case LLVMSIToFP: case LLVMUIToFP: case LLVMBitCast: case LLVMGetElementPtr: case LLVMFreeze:
    return 1;
  case LLVMLoad:
    return !LLVMGetVolatile(v) && reads_unchanged_memory(g, v);
  case LLVMCall: {
    /* intrinsics that are a few instructions */
    static const char *const CHEAP[] = {"llvm.fmuladd.", "llvm.fma.", "llvm.fabs.", "llvm.copysign.",
                                        "llvm.minnum.", "llvm.maxnum.", NULL};
    LLVMValueRef callee = LLVMGetCalledValue(v);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
    for (const char *const *c = CHEAP; *c; ++c)
      if (len > strlen(*c) && !strncmp(name, *c, strlen(*c)))
        return 1;
    return 0;
  }
  default:
    return 0;
  }
}

static int operand_count(LLVMValueRef v) { return LLVMGetNumOperands(v); }

static int available(ct_gen *g, ct_block *b, LLVMValueRef v) {
  if (!ir_is_local(v) || cfg_block_of(g, LLVMGetInstructionParent(v))->stable)
    return 1;
  return has_need(b, v, NEED_VALUE) || has_need(b, v, NEED_REMAT) || has_need(b, v, NEED_HOISTED) ||
         has_need(b, v, NEED_IV_EXIT);
}


/* The exit block of the outermost loop that contains b but not v's
 * definition (v is invariant there), if that loop has a unique exit reached
 * only from inside it; else NULL. */
static ct_block *hoist_target(ct_gen *g, ct_block *b, LLVMValueRef v) {
  LLVMBasicBlockRef def = LLVMGetInstructionParent(v);
  for (unsigned i = 0; i < g->nloops; ++i) { /* outer loops first */
    const ct_bridge_loop *l = &g->loops[i];
    if (!l->exit || !cfg_loop_contains(g, l, b->bb) || cfg_loop_contains(g, l, def))
      continue;
    return cfg_block_of(g, l->exit);
  }
  return NULL;
}

/* Is v, in b's reverse, an induction variable counted down or a value taped
 * once per run of a loop around b (next to nothing per iteration)? */
/* The loop whose reverse counts the induction variable v down for block b
 * (v's header is the loop's, the loop has a dedicated exit and contains
 * b), or NULL. */
static const ct_bridge_loop *counting_loop(ct_gen *g, ct_block *b, LLVMValueRef v) {
  uintptr_t hdr = (uintptr_t)vmap_get(&g->iv_headers, v);
  if (!hdr)
    return NULL;
  LLVMBasicBlockRef header = g->blocks[hdr - 1].bb;
  for (unsigned i = 0; i < g->nloops; ++i) {
    const ct_bridge_loop *l = &g->loops[i];
    if (l->header == header && l->exit && cfg_loop_contains(g, l, b->bb))
      return l;
  }
  return NULL;
}

static int once_per_loop_run(ct_gen *g, ct_block *b, LLVMValueRef v) {
  return counting_loop(g, b, v) || hoist_target(g, b, v) != NULL;
}

/* How many values would have to go on the tape to have v in b's reverse. */
static int tape_cost(ct_gen *g, ct_block *b, LLVMValueRef v, int depth) {
  if (available(g, b, v) || once_per_loop_run(g, b, v))
    return 0;
  if (depth <= 0 || !is_cheap(g, v))
    return 1;
  int c = 0, n = operand_count(v);
  for (int k = 0; k < n && c <= 1; ++k)
    c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
  return c;
}

static void need_value(ct_gen *g, ct_block *b, LLVMValueRef v, int depth) {
  if (available(g, b, v))
    return;
  if (depth > 0 && is_cheap(g, v)) {
    int c = 0, n = operand_count(v);
    for (int k = 0; k < n && c <= 1; ++k)
      c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
    if (c <= 1) { /* no worse than caching v itself */
      for (int k = 0; k < n; ++k)
        need_value(g, b, LLVMGetOperand(v, (unsigned)k), depth - 1);
      add_need(b, v, NEED_REMAT);
      return;
    }
  }
  /* a loop's induction variable: counted down in the reverse pass from its
     last value, taped once at the exit */
  const ct_bridge_loop *counted = counting_loop(g, b, v);
  if (counted) {
    ct_block *ex = cfg_block_of(g, counted->exit), *h = cfg_block_of(g, counted->header);
    LLVMValueRef start = vmap_get(&g->iv_starts, v);
    if (has_need(ex, v, NEED_VALUE) || has_need(ex, v, NEED_IV_EXIT)) {
      /* planned already */
    } else if (counted->trip_count && tape_cost(g, ex, counted->trip_count, 3) == 0 &&
               tape_cost(g, ex, start, 3) == 0) {
      /* its last value follows from its start and the trip count, both
         free at the exit: nothing on the tape */
      need_value(g, ex, counted->trip_count, 3);
      need_value(g, ex, start, 3);
      add_need(ex, v, NEED_IV_EXIT);
    } else {
      add_need(ex, v, NEED_VALUE);
    }
    vmap_set(&g->hoisted, v, v);
    add_need(b, v, NEED_HOISTED);
    if (!has_need(h, v, NEED_HOISTED)) /* the header's reverse steps it back */
      add_need(h, v, NEED_HOISTED);
    vmap_set(&g->iv_counted, v, v);
    return;
  }
  ct_block *exit = hoist_target(g, b, v);
  if (exit) { /* once per run of the loop, not once per iteration */
    if (!has_need(exit, v, NEED_VALUE))
      add_need(exit, v, NEED_VALUE);
    vmap_set(&g->hoisted, v, v);
    add_need(b, v, NEED_HOISTED);
    return;
  }
  add_need(b, v, NEED_VALUE);
}

/* Records that the reverse of block b uses `v` (or its shadow, or its
 * callee tape). */
static void need(ct_gen *g, ct_block *b, LLVMValueRef v, ct_need_kind kind) {
  if (!ir_is_local(v))
    return;
  if (kind == NEED_VALUE) {
    need_value(g, b, v, 4);
    return;
  }
  if (kind == NEED_SHADOW && LLVMIsAGetElementPtrInst(v) && vmap_get(&g->active, LLVMGetOperand(v, 0))) {
    /* shadow of a GEP: the same GEP on the base's shadow, if the indices
       come cheaply (the base's shadow is needed in its place) */
    int c = 0, n = LLVMGetNumOperands(v);
    for (int k = 1; k < n; ++k)
      c += tape_cost(g, b, LLVMGetOperand(v, (unsigned)k), 3);
    if (c <= 1) { /* no worse than caching the shadow pointer itself */
      for (int k = 1; k < n; ++k)
        need_value(g, b, LLVMGetOperand(v, (unsigned)k), 3);
      need(g, b, LLVMGetOperand(v, 0), NEED_SHADOW);
      if (!has_need(b, v, NEED_REMAT_SHADOW))
        add_need(b, v, NEED_REMAT_SHADOW);
      return;
    }
  }
  ct_block *def = cfg_block_of(g, LLVMGetInstructionParent(v));
  if (def->stable || has_need(b, v, kind))
    return;
  add_need(b, v, kind);
}

void classify_need(ct_gen *g, ct_block *b, LLVMValueRef v, ct_need_kind kind) { need(g, b, v, kind); }

/* Does a rule expression use the symbol `sym` (a, b, c or r)? */
static int expr_uses(const char *expr, char sym) {
  for (const char *p = expr; p && *p;) {
    while (*p == ' ')
      ++p;
    size_t n = strcspn(p, " ");
    if (n == 1 && *p == sym)
      return 1;
    p += n;
  }
  return 0;
}

/* Does `p` point into an argument this gradient holds constant (no shadow)?
 * A call passes such a pointer as constant too, even where activity
 * analysis says the callee might store differentiable values through it. */
static int points_into_constant_argument(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef base = ir_base_object(p);
  int i = ir_param_index(base);
  if (i < 0 || LLVMGetParamParent(base) != g->pc || (unsigned)i >= g->spec->nparams)
    return 0;
  return g->spec->act[i] != ACT_DUP && g->spec->act[i] != ACT_DUPNONEED;
}

int classify_call_spec(ct_gen *g, LLVMValueRef call, ct_spec *spec, ct_split *split) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (LLVMIsDeclaration(callee)) {
    if (g->atomic_shadow_adds) {
      gen_fail(g, call, "is a differentiable function of another file called inside a parallel region",
               "its gradient does not add adjoints atomically; define it in this file");
      return 0;
    }
    /* a differentiable function of another file: its canonical gradient */
    contract_canonical_spec(g->m, callee, spec);
    for (unsigned i = 0; i < spec->nparams; ++i)
      if (spec->act[i] == ACT_DUP && !vmap_get(&g->active, LLVMGetOperand(call, i))) {
        gen_fail(g, call, "passes a pointer without a shadow to a differentiable function of another file",
                 "pass differentiable arrays with their shadow (enzyme_dup)");
        return 0;
      }
    return split ? contract_external_pair(g->m, spec, split) : 1;
  }
  *spec = (ct_spec){.fn = callee, .nparams = LLVMCountParams(callee), .split = 1,
                    .concurrent = g->atomic_shadow_adds};
  for (unsigned i = 0; i < spec->nparams; ++i) {
    LLVMValueRef arg = LLVMGetOperand(call, i);
    LLVMTypeRef ty = LLVMTypeOf(arg);
    if (custom_param_no_derivative(callee, i))
      spec->act[i] = ACT_CONST;
    else if (adjoint_has(g, arg) && type_is_fp(ty))
      spec->act[i] = ACT_ACTIVE;
    else if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind && vmap_get(&g->active, arg))
      spec->act[i] = points_into_constant_argument(g, arg) ? ACT_CONST : ACT_DUP;
    else if (adjoint_has(g, arg)) {
      gen_fail(g, call, "passes a differentiable aggregate by value", "pass it through a pointer");
      return 0;
    } else
      spec->act[i] = ACT_CONST;
  }
  spec->ret_active = adjoint_has(g, call) && type_is_fp(LLVMTypeOf(call));
  if (adjoint_has(g, call) && !spec->ret_active) {
    gen_fail(g, call, "returns a differentiable aggregate", "return it through a pointer argument");
    return 0;
  }
  if (vmap_get(&g->active, call) && LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind) {
    gen_fail(g, call, "returns a pointer to differentiable data", "not supported yet");
    return 0;
  }
  if (split && !gradient_get_split(g->m, spec, call, split)) {
    g->failed = 1;
    return 0;
  }
  return 1;
}

/* A differentiated call: the callee's split gradient for the activity of
 * this call's arguments (or its canonical one), and the arguments, shadows
 * and callee tape the reverse needs. */
static void plan_call(ct_gen *g, ct_block *b, LLVMValueRef call) {
  ct_spec spec;
  ct_split split;
  if (!classify_call_spec(g, call, &spec, &split))
    return;
  vmap_set(&g->call_aug, call, split.aug);
  vmap_set(&g->call_rev, call, split.rev);
  for (unsigned i = 0; i < spec.nparams; ++i) {
    need(g, b, LLVMGetOperand(call, i), NEED_VALUE);
    if (spec.act[i] == ACT_DUP)
      need(g, b, LLVMGetOperand(call, i), NEED_SHADOW);
  }
  /* the callee's tape is always on our tape, even from a stable block */
  b->needs = realloc(b->needs, (b->nneeds + 1) * sizeof *b->needs);
  b->needs[b->nneeds++] = (ct_need){call, NEED_CALL_TAPE};
}

/* Does the integer `v` flow (through integer arithmetic) into a conversion
 * back to floating point? */
static LLVMValueRef back_to_float(LLVMValueRef v, int depth) {
  if (depth > 4)
    return NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      continue;
    switch (LLVMGetInstructionOpcode(user)) {
    case LLVMSIToFP:
    case LLVMUIToFP:
      return user;
    case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMSDiv: case LLVMUDiv: case LLVMSRem: case LLVMURem:
    case LLVMShl: case LLVMLShr: case LLVMAShr: case LLVMAnd: case LLVMOr: case LLVMXor:
    case LLVMSExt: case LLVMZExt: case LLVMTrunc: case LLVMSelect: {
      LLVMValueRef r = back_to_float(user, depth + 1);
      if (r)
        return r;
      break;
    }
    default:
      break;
    }
  }
  return NULL;
}

/* warning: a differentiable value converted to an integer and back to
 * floating point loses its derivative there (e.g. floor via (int)x). */
static void warn_lossy_conversions(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      LLVMOpcode op = LLVMGetInstructionOpcode(inst);
      if ((op != LLVMFPToSI && op != LLVMFPToUI) || !adjoint_has(g, LLVMGetOperand(inst, 0)) ||
          !back_to_float(inst, 0))
        continue;
      size_t len = 0;
      const char *fname = LLVMGetValueName2(g->user_fn, &len);
      diag_report(g->user_fn, inst, CT_SEV_WARNING,
                  "in '%.*s', the gradient flows through a conversion to an integer and back, which "
                  "has a zero derivative; use ct_without_derivative(x) to make this explicit",
                  (int)len, fname);
    }
}

/* Is b the header of a loop with a dedicated exit that does not contain
 * v's definition? Then v can be taped once per run of the loop. */
static int defined_before_loop(ct_gen *g, ct_block *b, LLVMValueRef v) {
  for (unsigned i = 0; i < g->nloops; ++i) {
    const ct_bridge_loop *l = &g->loops[i];
    if (l->header == b->bb)
      return l->exit && !cfg_loop_contains(g, l, LLVMGetInstructionParent(v));
  }
  return 0;
}

/* For a two-predecessor block: an integer phi that starts at a value
 * available in the reverse pass and steps by a non-zero constant without
 * wrapping (nsw/nuw) on the other edge: it equals its start exactly when
 * the block is entered from the start edge. */
static void find_iv(ct_gen *g, ct_block *b) {
  if (b->npreds != 2)
    return;
  for (LLVMValueRef phi = LLVMGetFirstInstruction(b->bb); phi && LLVMIsAPHINode(phi);
       phi = LLVMGetNextInstruction(phi)) {
    if (LLVMGetTypeKind(LLVMTypeOf(phi)) != LLVMIntegerTypeKind || LLVMCountIncoming(phi) != 2)
      continue;
    for (unsigned s = 0; s < 2; ++s) {
      LLVMValueRef start = LLVMGetIncomingValue(phi, s), step = LLVMGetIncomingValue(phi, 1 - s);
      int start_ok = !ir_is_local(start) || cfg_block_of(g, LLVMGetInstructionParent(start))->stable ||
                     defined_before_loop(g, b, start);
      if (!start_ok || !LLVMIsAInstruction(step))
        continue;
      LLVMOpcode op = LLVMGetInstructionOpcode(step);
      if ((op != LLVMAdd && op != LLVMSub) || LLVMGetOperand(step, 0) != phi ||
          !LLVMIsAConstantInt(LLVMGetOperand(step, 1)) || LLVMConstIntGetZExtValue(LLVMGetOperand(step, 1)) == 0 ||
          !(LLVMGetNSW(step) || LLVMGetNUW(step)))
        continue;
      LLVMBasicBlockRef start_bb = LLVMGetIncomingBlock(phi, s);
      unsigned idx = b->preds[0] == start_bb ? 0 : b->preds[1] == start_bb ? 1 : 2;
      if (idx == 2)
        continue;
      if (!b->iv) { /* the first tells the predecessor */
        b->iv = phi;
        b->iv_start = start;
        b->iv_start_pred = idx;
      }
      vmap_set(&g->iv_headers, phi, (LLVMValueRef)(uintptr_t)(b - g->blocks + 1));
      vmap_set(&g->iv_steps, phi, step);
      vmap_set(&g->iv_starts, phi, start);
      break;
    }
  }
  if (b->iv) {
    need(g, b, b->iv, NEED_VALUE);
    need(g, b, b->iv_start, NEED_VALUE); /* hoisted to the loop's exit unless stable */
  }
}

/* Is `other` entered only through the edge from `guard` to `side`: side
 * is other, or the preheader of a loop whose (dedicated) exit is other,
 * with guard as side's only predecessor, and other goes straight to b? */
static int reached_only_through(ct_gen *g, LLVMBasicBlockRef guard, LLVMBasicBlockRef side, LLVMBasicBlockRef other,
                                LLVMBasicBlockRef b) {
  ct_block *sb = cfg_block_of(g, side);
  if (!sb || sb->npreds != 1 || sb->preds[0] != guard)
    return 0;
  LLVMValueRef t = LLVMGetBasicBlockTerminator(other);
  if (!t || LLVMGetNumSuccessors(t) != 1 || LLVMGetSuccessor(t, 0) != b)
    return 0;
  if (side == other)
    return 1;
  for (unsigned i = 0; i < g->nloops; ++i)
    if (g->loops[i].preheader == side && g->loops[i].exit == other)
      return 1;
  return 0;
}

/* For a two-predecessor block b without an induction variable: one
 * predecessor (the guard) branches on a condition either to b or to a side
 * path that reaches b only through the other predecessor (an if without
 * else, a loop's zero-trip guard). When the condition is free to have in
 * b's reverse, it tells the predecessor: nothing goes on the tape. */
static void find_guard(ct_gen *g, ct_block *b) {
  if (b->npreds != 2 || b->iv)
    return;
  for (unsigned k = 0; k < 2; ++k) {
    LLVMBasicBlockRef guard = b->preds[k], other = b->preds[1 - k];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(guard);
    if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t))
      continue;
    LLVMBasicBlockRef s0 = LLVMGetSuccessor(t, 0), s1 = LLVMGetSuccessor(t, 1);
    if ((s0 == b->bb) == (s1 == b->bb))
      continue;
    LLVMBasicBlockRef side = s0 == b->bb ? s1 : s0;
    LLVMValueRef cond = LLVMGetCondition(t);
    if (!reached_only_through(g, guard, side, other, b->bb) || tape_cost(g, b, cond, 3) != 0)
      continue;
    need_value(g, b, cond, 3);
    b->guard = cond;
    b->guard_true_pred = side == s0 ? 1 - k : k; /* the condition holds: the side path */
    return;
  }
}

/* Loop-indexed records (batch.c): every block with a record whose
 * innermost loop has an iteration counter keeps its records in an array per
 * loop run; it then needs the counter (counted down in the reverse pass),
 * and the preheader needs the trip count to pop the array. Batching a block
 * may give its loop's exit a record, which may be batched in turn. */
static void plan_batches(ct_gen *g) {
  for (int changed = 1; changed && !g->failed;) {
    changed = 0;
    for (unsigned i = 0; i < g->nblocks; ++i) {
      ct_block *b = &g->blocks[i];
      if (b->batch)
        continue;
      LLVMTypeRef rec = tape_record_type(g, b);
      int l = rec ? batch_innermost_loop(g, b->bb) : -1;
      LLVMValueRef counter = l >= 0 ? g->loop_counters[l] : NULL;
      if (!counter || !vmap_get(&g->iv_headers, counter))
        continue;
      ct_block *exit = cfg_block_of(g, g->loops[l].exit);
      ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
      if (tape_exit_arrays(g, exit, arrays, TAPE_MAX_EXIT_ARRAYS) == TAPE_MAX_EXIT_ARRAYS)
        continue;
      need(g, b, counter, NEED_VALUE);
      if (!has_need(b, counter, NEED_HOISTED)) {
        /* not counted down after all: keep pushing (rare; checked, not assumed) */
        continue;
      }
      b->batch = l + 1;
      need(g, cfg_block_of(g, g->loops[l].preheader), g->loops[l].trip_count, NEED_VALUE);
      changed = 1;
    }
  }
}

/* An atomic operation on differentiable data that is not an atomic add:
 * with `writes`, a store, exchange or compare-and-swap; else a load. */
static int is_unsupported_atomic(ct_gen *g, LLVMValueRef inst, int writes) {
  int rmw = LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst);
  if (writes ? !(rmw || LLVMIsAStoreInst(inst)) : !LLVMIsALoadInst(inst))
    return 0;
  return (rmw || is_atomic_access_of_fp_data(g, inst)) && classify(g, inst) == REV_UNSUPPORTED;
}

static void fail_atomic(ct_gen *g, LLVMValueRef inst) {
  gen_fail(g, inst, "is an atomic operation on differentiable data that has no derivative",
           "only atomic adds and subtracts (atomicAdd) whose returned old value is not used are "
           "differentiated (an _Atomic double updated with += is a compare-and-swap loop: accumulate "
           "into a plain double)");
}

/* Reports the first unsupported atomic operation, a write before a load
 * (the update x += v of an _Atomic double rather than the read of x), so
 * the error is at the same place at every optimization level. */
static void reject_atomics(ct_gen *g) {
  for (int writes = 1; writes >= 0 && !g->failed; --writes)
    for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
      for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && !g->failed;
           inst = LLVMGetNextInstruction(inst))
        if (is_unsupported_atomic(g, inst, writes))
          fail_atomic(g, inst);
}

void classify_plan(ct_gen *g) {
  if (!g->spec->split)
    warn_lossy_conversions(g);
  reject_atomics(g);
  for (unsigned i = 0; i < g->nblocks; ++i)
    find_iv(g, &g->blocks[i]);
  for (unsigned i = 0; i < g->nblocks; ++i)
    find_guard(g, &g->blocks[i]);
  stored_pointers_plan(g);
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i) {
    ct_block *b = &g->blocks[i];
    for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && !g->failed;
         inst = LLVMGetNextInstruction(inst)) {
      switch (classify(g, inst)) {
      case REV_RULE: {
        /* only what the expressions for the active operands use */
        const ct_rule *rule = classify_rule(inst);
        static const char SYMS[] = "abc";
        int uses[4] = {0};
        for (unsigned k = 0; k < rule->noperands; ++k)
          if (rule->adjoint[k] && adjoint_has(g, LLVMGetOperand(inst, k)))
            for (unsigned j = 0; j < 4; ++j)
              uses[j] |= expr_uses(rule->adjoint[k], j < 3 ? SYMS[j] : 'r');
        for (unsigned k = 0; k < rule->noperands && k < 3; ++k)
          if (uses[k])
            need(g, b, LLVMGetOperand(inst, k), NEED_VALUE);
        if (uses[3])
          need(g, b, inst, NEED_VALUE);
        break;
      }
      case REV_LOAD:
        need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
        if (stored_pointers_maybe_self(g, LLVMGetOperand(inst, 0))) /* compared with its shadow */
          need(g, b, LLVMGetOperand(inst, 0), NEED_VALUE);
        break;
      case REV_ALLOC: /* the size too: a kept reverse zeroes the shadow */
        need(g, b, inst, NEED_SHADOW);
        for (unsigned k = 0; k < (unsigned)LLVMGetNumArgOperands(inst); ++k)
          need(g, b, LLVMGetOperand(inst, k), NEED_VALUE);
        break;
      case REV_LANES:
        if (LLVMIsACallInst(inst) && LLVMGetNumArgOperands(inst) == 1) {
          /* fmax/fmin reductions compare the lanes with the result */
          need(g, b, LLVMGetOperand(inst, 0), NEED_VALUE);
          need(g, b, inst, NEED_VALUE);
        } else if (LLVMGetInstructionOpcode(inst) == LLVMExtractElement)
          need(g, b, LLVMGetOperand(inst, 1), NEED_VALUE);
        else if (LLVMGetInstructionOpcode(inst) == LLVMInsertElement)
          need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
        break;
      case REV_STORE:
        need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
        if (stored_pointers_maybe_self(g, LLVMGetOperand(inst, 1)))
          need(g, b, LLVMGetOperand(inst, 1), NEED_VALUE);
        break;
      case REV_NONE:
        if (gpu_is_barrier(inst)) /* mirrored with the same ids and masks */
          for (unsigned k = 0; k < (unsigned)LLVMGetNumArgOperands(inst); ++k)
            need(g, b, LLVMGetOperand(inst, k), NEED_VALUE);
        break;
      case REV_ATOMIC_ADD:
        if (adjoint_has(g, LLVMGetOperand(inst, 1)))
          need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
        break;
      case REV_MASKED_LOAD: /* (ptr, align, mask, passthru) */
        need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
        need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
        break;
      case REV_MASKED_STORE: /* (value, ptr, align, mask) */
        need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
        need(g, b, LLVMGetOperand(inst, 3), NEED_VALUE);
        break;
      case REV_MEMCPY:
        if (stored_pointers_copies_pointers(g, inst) &&
            (!stored_pointers_check_copy(g, inst) || !classify_copy_element_type(g, inst)))
          break; /* pointers and integers only: no reverse */
        if (vmap_get(&g->active, LLVMGetOperand(inst, 1)))
          need(g, b, LLVMGetOperand(inst, 1), NEED_SHADOW);
        if (!classify_copy_element_type(g, inst))
          gen_fail(g, inst, "copies memory whose element type Cotangent cannot deduce (no float or double "
                           "load or store of that memory, or both)",
                  "access the data as double or float in the function, or copy it element by element");
        /* fallthrough */
      case REV_MEMSET:
        need(g, b, LLVMGetOperand(inst, 0), NEED_SHADOW);
        need(g, b, LLVMGetOperand(inst, 2), NEED_VALUE);
        break;
      case REV_CALL:
        plan_call(g, b, inst);
        break;
      case REV_OMP_FORK:
      case REV_OMP_SYNC:
        omp_plan(g, b, inst);
        break;
      case REV_CUSTOM: {
        custom_check_memory(g, inst);
        unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
        for (unsigned k = 0; k < n; ++k) {
          LLVMValueRef op = LLVMGetOperand(inst, k);
          need(g, b, op, NEED_VALUE);
          if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind && vmap_get(&g->active, op))
            need(g, b, op, NEED_SHADOW);
        }
        break;
      }
      case REV_UNSUPPORTED:
        if (is_unsupported_atomic(g, inst, 1) || is_unsupported_atomic(g, inst, 0))
          fail_atomic(g, inst);
        else if (LLVMIsALoadInst(inst) || (LLVMIsAStoreInst(inst) && vmap_get(&g->active, LLVMGetOperand(inst, 1))))
          gen_fail(g, inst, "moves differentiable floating-point data as raw bytes (char accesses)",
                   "copy it as double/float values, or with memcpy");
        else if (LLVMIsAStoreInst(inst))
          gen_fail(g, inst,
                  "stores a differentiable value into memory that has no shadow (a global variable or "
                  "a pointer argument passed as constant)",
                  "pass that pointer with a shadow (enzyme_dup), or use a local variable");
        else if (LLVMIsACallInst(inst)) {
          LLVMValueRef callee = LLVMGetCalledValue(inst);
          if (callee && LLVMIsAFunction(callee) && LLVMCountParams(callee) > CT_MAX_PARAMS) {
            char *what = util_format("has %u parameters, more than the %u Cotangent differentiates",
                                     LLVMCountParams(callee), CT_MAX_PARAMS);
            gen_fail(g, inst, what, NULL);
            free(what);
          } else if (callee && LLVMIsAFunction(callee))
            gen_fail(g, inst, "has no derivative",
                    "Cotangent differentiates libm functions, LLVM intrinsics and functions whose "
                    "body is in this file");
          else if (callee && LLVMIsAInlineAsm(callee))
            gen_fail(g, inst, "has no derivative",
                     "write the computation in C, or give the function containing it a custom derivative "
                     "(CT_DERIVATIVE)");
          else
            gen_fail(g, inst, "cannot be differentiated", "the called function is not known at compile time");
        }
        else
          gen_fail(g, inst, "has no derivative rule", "it is not supported on the differentiated path yet");
        break;
      default:
        break;
      }
    }
  }
  if (!g->failed)
    plan_batches(g);
  /* mallocs the reverse pass reads: their reverse frees them */
  for (size_t i = 0; i < g->deferred_free.cap && !g->failed; ++i)
    if (g->deferred_free.keys[i])
      need(g, cfg_block_of(g, LLVMGetInstructionParent(g->deferred_free.keys[i])), g->deferred_free.keys[i],
           NEED_VALUE);
}
