/* Classification: what the reverse of each primal instruction is (a rule
 * from the table, a load/store through a shadow, a lane move, a
 * differentiated call, ...), the activity a differentiated call's callee is
 * differentiated for, and the reports of instructions on the
 * differentiated path that have no derivative (before any code is
 * generated). What each reverse block then needs is planned in plan.c. */
#include "blas.h"
#include "gen.h"
#include "mpi.h"

#include <llvm-c/Target.h>

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

int classify_rule_operands(ct_gen *g, LLVMValueRef inst, const ct_rule *rule, ct_rule_operands *out) {
  static const char SYMS[] = "abc";
  memset(out, 0, sizeof *out);
  for (unsigned k = 0; k < rule->noperands; ++k) {
    if (!(out->nargs[k] = rules_operand_args(rule, inst, k, &out->first[k])))
      return 0;
    for (unsigned j = 0; j < out->nargs[k]; ++j)
      out->active[k] |= adjoint_has(g, LLVMGetOperand(inst, out->first[k] + j));
  }
  for (unsigned k = 0; k < rule->noperands; ++k)
    if (rule->adjoint[k] && out->active[k])
      for (unsigned j = 0; j <= RULE_MAX_OPERANDS; ++j)
        out->uses[j] |= rules_uses(rule->adjoint[k], j < RULE_MAX_OPERANDS ? SYMS[j] : 'r');
  return 1;
}

/* Functions that neither read differentiable values into their result nor
 * write differentiable memory: calls to them need no adjoint. */
static const char *const INACTIVE_FUNCTIONS[] = {
    "printf", "fprintf", "puts", "fputs", "putchar", "fputc", "fflush", "sprintf", "snprintf",
    "vprintf", "vfprintf", "perror", "time", "clock", "clock_gettime", "gettimeofday", "free",
    "strlen", "abort", "exit", "assert", "__assert_fail", "rand", "srand", "fwrite", NULL};

int classify_is_inactive_call(LLVMValueRef call) {
  if (ir_callee_is(call, INACTIVE_FUNCTIONS) || activity_is_without_derivative(call) || alloc_freed_pointer(call) ||
      mpi_is_inactive(call))
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

/* The name of a TBAA type node (a tag's base type when `base`, else its
 * access type), or "" when it has none. */
static const char *tbaa_type_name(LLVMValueRef node) {
  if (!node || !LLVMIsAMDNode(node) || LLVMGetMDNodeNumOperands(node) < 1 || LLVMGetMDNodeNumOperands(node) > 8)
    return "";
  LLVMValueRef ops[8];
  LLVMGetMDNodeOperands(node, ops);
  unsigned len = 0;
  const char *name = ops[0] ? LLVMGetMDString(ops[0], &len) : NULL;
  return name ? name : "";
}

/* Whether a load or store is a character access of its own (TBAA access
 * type "omnipotent char" on a scalar tag), not a char field of a struct
 * (whose tag's base type is the struct). */
static int tbaa_is_scalar_char_access(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef tag = LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(g->m->ctx, "tbaa", 4));
  if (!tag || LLVMGetMDNodeNumOperands(tag) < 2 || LLVMGetMDNodeNumOperands(tag) > 4)
    return 0;
  LLVMValueRef ops[4];
  LLVMGetMDNodeOperands(tag, ops);
  return ops[0] == ops[1] && !strcmp(tbaa_type_name(ops[1]), "omnipotent char");
}

/* Whether an integer value reaches the value operand of a store, through
 * casts, phis and selects: loaded bytes that are written somewhere. */
static int reaches_store(LLVMValueRef v, int depth) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 0) == v)
      return 1;
    if (depth < 4 && (LLVMIsACastInst(user) || LLVMIsAPHINode(user) || LLVMIsASelectInst(user) ||
                      LLVMIsAShuffleVectorInst(user) || LLVMIsAInsertElementInst(user) ||
                      LLVMIsAExtractElementInst(user)) &&
        reaches_store(user, depth + 1))
      return 1;
  }
  return 0;
}

/* Whether ptr addresses an integer field of a struct in an array of
 * structs (or an element of an integer array field): the GEPs that compute
 * it index the struct with a variable, and their constant byte offsets,
 * modulo the struct's size, land in an integer field. Optimized GEPs fold
 * the field into the offset (s[i-1].flag is s + 24 i - 16), so the offset,
 * not the GEP's indices, decides. */
static int addresses_integer_field(LLVMTargetDataRef td, LLVMValueRef ptr) {
  LLVMTypeRef st = NULL;
  long long off = 0;
  for (int depth = 0; ptr && LLVMIsAGetElementPtrInst(ptr); ++depth, ptr = LLVMGetOperand(ptr, 0)) {
    if (depth == 8)
      return 0;
    LLVMTypeRef t = LLVMGetGEPSourceElementType(ptr);
    unsigned n = (unsigned)LLVMGetNumOperands(ptr);
    for (unsigned i = 1; i < n; ++i) {
      LLVMValueRef idx = LLVMGetOperand(ptr, i);
      if (i > 1 && LLVMGetTypeKind(t) == LLVMStructTypeKind) {
        if (!LLVMIsAConstantInt(idx))
          return 0;
        unsigned field = (unsigned)LLVMConstIntGetZExtValue(idx);
        off += (long long)LLVMOffsetOfElement(td, t, field);
        t = LLVMStructGetTypeAtIndex(t, field);
        continue;
      }
      if (i > 1) {
        LLVMTypeKind k = LLVMGetTypeKind(t);
        if (k != LLVMArrayTypeKind && k != LLVMVectorTypeKind)
          return 0;
        t = LLVMGetElementType(t);
      }
      if (LLVMIsAConstantInt(idx))
        off += LLVMConstIntGetSExtValue(idx) * (long long)LLVMABISizeOfType(td, t);
      else if (LLVMGetTypeKind(t) == LLVMStructTypeKind)
        st = t; /* a variable multiple of the struct's size */
      else
        return 0;
    }
  }
  if (!st)
    return 0;
  long long size = (long long)LLVMABISizeOfType(td, st);
  unsigned long long o = (unsigned long long)(((off % size) + size) % size);
  LLVMTypeRef t = st;
  for (int depth = 0; depth < 16; ++depth) {
    LLVMTypeKind k = LLVMGetTypeKind(t);
    if (k == LLVMStructTypeKind) {
      unsigned field = LLVMElementAtOffset(td, t, o);
      o -= LLVMOffsetOfElement(td, t, field);
      t = LLVMStructGetTypeAtIndex(t, field);
    } else if (k == LLVMArrayTypeKind) {
      t = LLVMGetElementType(t);
      o %= LLVMABISizeOfType(td, t);
    } else
      return k == LLVMIntegerTypeKind && o < LLVMABISizeOfType(td, t);
  }
  return 0;
}

/* A byte-wise copy of floating-point memory: a load of bytes (i8, a vector
 * of i8, or an access typed "char" by TBAA) from memory holding floats,
 * whose value is stored somewhere. The bytes of a double carry no
 * derivative we can follow, so this is rejected rather than silently
 * ignored. Not a byte move: bytes only compared or computed with (a sign
 * test), and a char field of a struct beside doubles (TBAA's struct path
 * names the struct; without TBAA, at -O0, the field's GEP shows it). */
static int is_byte_move_of_fp_data(ct_gen *g, LLVMValueRef load) {
  LLVMValueRef ptr = LLVMGetOperand(load, 0);
  LLVMTypeRef ty = LLVMTypeOf(load), elem = LLVMGetTypeKind(ty) == LLVMVectorTypeKind ? LLVMGetElementType(ty) : ty;
  if (LLVMGetTypeKind(elem) != LLVMIntegerTypeKind || !vmap_get(&g->active, ptr) ||
      !activity_fp_type_of_memory(g->pc, ptr) || !reaches_store(load, 0))
    return 0;
  if (LLVMGetMetadata(load, LLVMGetMDKindIDInContext(g->m->ctx, "tbaa", 4)))
    return tbaa_is_scalar_char_access(g, load);
  return LLVMGetIntTypeWidth(elem) == 8 && !addresses_integer_field(LLVMGetModuleDataLayout(g->m->mod), ptr);
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
    if (strcmp(mem, "memset"))
      return REV_MEMCPY;
    return stored_pointers_memset_of_pointers(g, inst) ? REV_NONE : REV_MEMSET;
  }
  const char *masked = ir_masked_intrinsic(inst);
  if (LLVMIsAStoreInst(inst) || (masked && !strcmp(masked, "store"))) {
    LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
    if (!vmap_get(&g->active, ptr)) /* a pointer's shadow is kept by address (shadow_slots.c) */
      return vmap_get(&g->active, val) && LLVMGetTypeKind(LLVMTypeOf(val)) != LLVMPointerTypeKind ? REV_UNSUPPORTED
                                                                                                 : REV_NONE;
    if (!type_is_fp(LLVMTypeOf(val)) || LLVMGetMetadata(inst, LLVMGetMDKindIDInContext(g->m->ctx, "ct.no_derivative", 16)))
      return REV_NONE; /* no derivative; or a no_derivative field's (lower.c): its shadow is left as it is */
    return masked ? REV_MASKED_STORE : REV_STORE;
  }
  if (masked && adjoint_has(g, inst))
    return REV_MASKED_LOAD;
  if (LLVMIsALoadInst(inst) && is_byte_move_of_fp_data(g, inst))
    return REV_UNSUPPORTED;
  if (vmap_get(&g->active, inst) && ir_is_allocation(inst))
    return REV_ALLOC;
  if (LLVMIsAAtomicRMWInst(inst) &&
      (LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFAdd || LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFSub) &&
      !adjoint_has(g, inst) && vmap_get(&g->active, LLVMGetOperand(inst, 0)))
    return REV_ATOMIC_ADD; /* an atomic scatter whose old value is not differentiated */
  if (LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst))
    return has_active_operand(g, inst) ? REV_UNSUPPORTED : REV_NONE;
  if (ir_is_dispatch_fallback(inst)) /* stopped in the forward when it matters (indirect_calls.c) */
    return REV_NONE;
  if (LLVMIsACallInst(inst) && custom_derivative_of(g->m, LLVMGetCalledValue(inst)))
    /* an MPI call that may move floating-point data is reversed on every
       rank, so that the ranks' adjoint messages match (mpi.c) */
    return adjoint_has(g, inst) || has_active_operand(g, inst) || mpi_moves_fp(inst) ? REV_CUSTOM : REV_NONE;
  if (LLVMIsACallInst(inst) && is_differentiable_call(g, inst) &&
      (vmap_get(&g->active, inst) || has_active_pointer_operand(g, inst)))
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

/* A differentiable function of another file with several configurations
 * (each exported, contract.c): the first whose wrt list holds every
 * argument with a derivative here and takes a shadow only where the
 * argument has one; else the first holding them all (the shadow check
 * follows); else an error at the call. */
static int pick_external_config(ct_gen *g, LLVMValueRef call, LLVMValueRef callee, ct_spec *spec) {
  int fallback = -1;
  for (unsigned k = 0, n = contract_config_count(g->m, callee); k < n; ++k) {
    ct_spec c;
    if (!contract_config_spec(g->m, callee, k, &c))
      continue;
    int covers = 1, shadows = 1;
    for (unsigned i = 0; i < c.nparams; ++i) {
      LLVMValueRef arg = LLVMGetOperand(call, i);
      int active = vmap_get(&g->active, arg) != NULL && !custom_param_no_derivative(callee, i) &&
                   (type_is_fp(LLVMTypeOf(arg)) || LLVMGetTypeKind(LLVMTypeOf(arg)) == LLVMPointerTypeKind);
      covers &= !active || c.act[i] != ACT_CONST;
      shadows &= c.act[i] != ACT_DUP || active;
    }
    if (covers && shadows) {
      c.ret_shadow = spec->ret_shadow;
      *spec = c;
      return 1;
    }
    if (covers && fallback < 0)
      fallback = (int)k;
  }
  if (fallback >= 0) {
    int ret_shadow = spec->ret_shadow;
    contract_config_spec(g->m, callee, (unsigned)fallback, spec);
    spec->ret_shadow = ret_shadow;
    return 1;
  }
  gen_fail(g, call,
           "passes values with a derivative to parameters that no differentiable configuration of this function "
           "of another file holds together",
           "add a differentiable(wrt) attribute listing them to its declarations (the file defining it exports "
           "each configuration)");
  return 0;
}

int classify_call_spec(ct_gen *g, LLVMValueRef call, ct_spec *spec) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (LLVMIsDeclaration(callee)) {
    /* a differentiable function of another file, or one with a gradient
       registered the Enzyme way (enzyme.h): its canonical gradient (an
       accessor's returns the pointer's shadow too) */
    int registered = LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-enzyme-gradient", 18) != NULL;
    if (g->atomic_shadow_adds) {
      gen_fail(g, call,
               registered ? "is called inside a parallel region, and its gradient is registered the Enzyme way"
                          : "is a differentiable function of another file called inside a parallel region",
               registered ? "that gradient's additions into shadows are not atomic; call it outside the region"
                          : "its gradient does not add adjoints atomically; define it in this file");
      return 0;
    }
    contract_canonical_spec(g->m, callee, spec);
    spec->ret_shadow = LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind;
    if (!registered && contract_config_count(g->m, callee) > 1 && !pick_external_config(g, call, callee, spec))
      return 0;
    for (unsigned i = 0; i < spec->nparams; ++i)
      if (spec->act[i] == ACT_DUP && !vmap_get(&g->active, LLVMGetOperand(call, i))) {
        gen_fail(g, call,
                 registered ? "passes a pointer without a shadow where the gradient registered for it "
                              "(__enzyme_register_gradient_...) takes one"
                            : "passes a pointer without a shadow to a differentiable function of another file",
                 registered ? "pass differentiable arrays with their shadow; for a constant array, register a "
                              "gradient whose augmented forward and gradient take no shadow after that pointer"
                            : "pass differentiable arrays with their shadow (enzyme_dup)");
        return 0;
      }
    return 1;
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
  /* a pointer into differentiable memory (an accessor, a stack's slot, an
     arena's block): the augmented forward returns its shadow too */
  spec->ret_shadow = vmap_get(&g->active, call) && LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind;
  return 1; /* (owns_escaping: plan.c, which asks for the callee's gradient) */
}

static int is_fp_type(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
    t = LLVMGetElementType(t);
  switch (LLVMGetTypeKind(t)) {
  case LLVMHalfTypeKind: case LLVMBFloatTypeKind: case LLVMFloatTypeKind: case LLVMDoubleTypeKind:
  case LLVMX86_FP80TypeKind: case LLVMFP128TypeKind:
    return 1;
  default:
    return 0;
  }
}

/* Does the integer `v` flow (through integer arithmetic) into a conversion
 * back to floating point? A bitcast back counts after some arithmetic on
 * the bits only (a plain round trip of the bits keeps the derivative). */
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
    case LLVMBitCast:
      if (depth > 0 && is_fp_type(LLVMTypeOf(user)))
        return user;
      break;
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

/* Is v the result of an integer-valued libm function (floor, rint, ...:
 * a row without any adjoint), whose derivative is 0 already? */
static int is_integer_valued_call(LLVMValueRef v) {
  const ct_rule *rule = LLVMIsACallInst(v) ? classify_rule(v) : NULL;
  if (!rule)
    return 0;
  for (unsigned k = 0; k < rule->noperands; ++k)
    if (rule->adjoint[k])
      return 0;
  return 1;
}

/* warning: a differentiable value converted to an integer and back to
 * floating point loses its derivative there (e.g. floor via (int)x); not
 * the result of an integer-valued function ((int)floor(x) loses nothing). */
void classify_warn_lossy_conversions(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      LLVMOpcode op = LLVMGetInstructionOpcode(inst);
      int bits = op == LLVMBitCast && is_fp_type(LLVMTypeOf(LLVMGetOperand(inst, 0))) &&
                 !is_fp_type(LLVMTypeOf(inst)) && LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMPointerTypeKind;
      if ((op != LLVMFPToSI && op != LLVMFPToUI && !bits) || !adjoint_has(g, LLVMGetOperand(inst, 0)) ||
          is_integer_valued_call(LLVMGetOperand(inst, 0)))
        continue;
      LLVMValueRef back = back_to_float(inst, 0);
      if (!back)
        continue;
      size_t len = 0;
      const char *fname = LLVMGetValueName2(g->user_fn, &len);
      /* integer arithmetic on the bits: the place of the arithmetic */
      diag_report(g->user_fn, bits ? back : inst, CT_SEV_WARNING,
                  "in '%.*s', the gradient flows through %s, which has a zero derivative; use "
                  "ct_without_derivative(x) to make this explicit",
                  (int)len, fname,
                  bits ? "integer arithmetic on the bits of a floating-point value"
                       : "a conversion to an integer and back");
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
void classify_reject_atomics(ct_gen *g) {
  for (int writes = 1; writes >= 0 && !g->failed; --writes)
    for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
      for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && !g->failed;
           inst = LLVMGetNextInstruction(inst))
        if (is_unsupported_atomic(g, inst, writes))
          fail_atomic(g, inst);
}

/* Reports an instruction classified REV_UNSUPPORTED, by what it is. */
void classify_report_unsupported(ct_gen *g, LLVMValueRef inst) {
  if (is_unsupported_atomic(g, inst, 1) || is_unsupported_atomic(g, inst, 0))
    fail_atomic(g, inst);
  else if (LLVMIsALoadInst(inst))
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
    } else if (callee && LLVMIsAFunction(callee) && !LLVMIsDeclaration(callee) &&
               LLVMIsFunctionVarArg(LLVMGlobalGetValueType(callee)))
      gen_fail(g, inst, "has no derivative: variadic functions (va_arg) are not differentiated",
               "pass the values in an array");
    else if (callee && LLVMIsAFunction(callee) && blas_unsupported_hint(callee))
      gen_fail(g, inst, "has no derivative", blas_unsupported_hint(callee));
    else if (callee && LLVMIsAFunction(callee) && mpi_unsupported_hint(callee))
      gen_fail(g, inst, "has no derivative", mpi_unsupported_hint(callee));
    else if (callee && LLVMIsAFunction(callee))
      gen_fail(g, inst, "has no derivative",
              "Cotangent differentiates libm functions, LLVM intrinsics and functions whose "
              "body is in this file");
    else if (callee && LLVMIsAInlineAsm(callee))
      gen_fail(g, inst, "has no derivative",
               "write the computation in C, or give the function containing it a custom derivative "
               "(CT_DERIVATIVE)");
    else {
      char *why = indirect_explain(g->m, g->spec->fn, inst);
      gen_fail(g, inst, "cannot be differentiated", why);
      free(why);
    }
  }
  else
    gen_fail(g, inst, "has no derivative rule", "it is not supported on the differentiated path yet");
}
