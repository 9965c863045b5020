/* Reverse-mode generation.
 *
 * gradient_get() builds, once per (function, activity) pair, one function
 * with three parts:
 *
 *   alloca block   adjoint slots (one zeroed alloca per active value, which
 *                  LLVM's SROA turns back into SSA), shadow allocas, tape
 *   forward        a copy of the prepared primal's CFG; returns become a
 *                  jump to the reverse part. Each block with several
 *                  predecessors pushes which one it came from, and each
 *                  block pushes the primal values its reverse will need
 *                  that are not available there otherwise.
 *   reverse        one block per primal block, visited in exactly the
 *                  reverse order of the forward path: pops its values,
 *                  propagates adjoints through its active instructions
 *                  (rules.c) in reverse order, then pops its predecessor
 *                  and moves the phi adjoints along that edge.
 *
 * Values of blocks that run once and dominate the return are used directly
 * (no tape); everything else goes through the runtime tape (lib/tape.h),
 * LIFO, one slot per value per block execution. Memory reached through
 * duplicated pointers has shadows: a load's reverse adds into the shadow,
 * a store's reverse takes the shadow's adjoint and zeroes it. */
#include "core.h"
#include "rules.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  LLVMValueRef value; /* primal value (of the prepared function) */
  int is_shadow;      /* the value's shadow pointer rather than the value */
} ct_need;

typedef struct {
  LLVMBasicBlockRef bb;       /* primal block */
  LLVMBasicBlockRef fwd, rev; /* its forward copy and reverse block */
  LLVMBasicBlockRef *preds;   /* unique predecessors */
  unsigned npreds;
  int stable;    /* runs at most once and dominates every return */
  ct_need *needs; /* values its reverse takes from the tape */
  unsigned nneeds;
} ct_block;

typedef struct {
  ct_module *m;
  const ct_spec *spec;
  LLVMValueRef user_fn; /* for diagnostics */
  LLVMValueRef pc;      /* prepared primal */
  LLVMValueRef g;       /* gradient being generated */
  LLVMBuilderRef ab;    /* builder in the alloca block */
  ct_block *blocks;
  unsigned nblocks;
  ct_vmap block_index; /* primal block (as value) -> index + 1 */
  ct_vmap fwd;         /* primal value -> forward value */
  ct_vmap shadow;      /* primal pointer -> forward shadow pointer */
  ct_vmap active;
  ct_vmap slot;     /* primal value -> adjoint alloca */
  ct_vmap popped;   /* per reverse block: primal value -> popped value */
  ct_vmap popped_s; /* per reverse block: primal pointer -> popped shadow */
  LLVMValueRef tape;
  LLVMTypeRef ptr_ty, i64_ty, i32_ty;
  int failed;
} ct_gen;

static const char ACT_CODE[] = {'c', 'a', 'd', 'n'};

static void gradient_name(const ct_spec *spec, char *buf, size_t n) {
  size_t len = 0;
  const char *fname = LLVMGetValueName2(spec->fn, &len);
  char codes[CT_MAX_PARAMS + 1];
  for (unsigned i = 0; i < spec->nparams; ++i)
    codes[i] = ACT_CODE[spec->act[i]];
  codes[spec->nparams] = 0;
  snprintf(buf, n, "%.*s.ct_grad.%s%s%s", (int)len, fname, codes, spec->ret_active ? ".r" : "",
           spec->want_value ? ".v" : "");
}

static LLVMTypeRef gradient_type(ct_module *m, const ct_spec *spec, LLVMTypeRef *ret_struct) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(spec->fn);
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  LLVMTypeRef params[2 * CT_MAX_PARAMS + 1];
  LLVMTypeRef fields[CT_MAX_PARAMS + 1];
  unsigned np = 0, nf = 0;
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  if (spec->want_value && has_ret)
    fields[nf++] = rty;
  for (unsigned i = 0; i < spec->nparams; ++i) {
    params[np++] = ptypes[i];
    if (spec->act[i] == ACT_DUP || spec->act[i] == ACT_DUPNONEED)
      params[np++] = ptypes[i];
    if (spec->act[i] == ACT_ACTIVE)
      fields[nf++] = ptypes[i];
  }
  if (spec->ret_active)
    params[np++] = rty;
  *ret_struct = LLVMStructTypeInContext(m->ctx, fields, nf, 0);
  return LLVMFunctionType(*ret_struct, params, np, 0);
}

static void fail_at(ct_gen *g, LLVMValueRef inst, const char *what, const char *hint) {
  char desc[256];
  diag_describe(inst, desc, sizeof desc);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->user_fn, &len);
  diag_report(g->user_fn, inst, CT_SEV_ERROR, "cannot differentiate '%.*s': %s %s%s%s", (int)len, fname,
              desc, what, hint ? "; " : "", hint ? hint : "");
  g->failed = 1;
}

/* ---- blocks ---- */

static ct_block *block_of(ct_gen *g, LLVMBasicBlockRef bb) {
  uintptr_t i = (uintptr_t)vmap_get(&g->block_index, LLVMBasicBlockAsValue(bb));
  return i ? &g->blocks[i - 1] : NULL;
}

static int is_return_block(LLVMBasicBlockRef bb) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
  return t && LLVMGetInstructionOpcode(t) == LLVMRet;
}

/* Dominators (iterative, bit sets) and cycles, enough to decide which
 * blocks are "stable": executed at most once and dominating all returns. */
static void analyse_blocks(ct_gen *g) {
  unsigned n = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb))
    n++;
  g->nblocks = n;
  g->blocks = calloc(n, sizeof *g->blocks);
  unsigned i = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb), ++i) {
    g->blocks[i].bb = bb;
    g->blocks[i].preds = calloc(n, sizeof(LLVMBasicBlockRef));
    vmap_set(&g->block_index, LLVMBasicBlockAsValue(bb), (LLVMValueRef)(uintptr_t)(i + 1));
  }
  for (i = 0; i < n; ++i) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[i].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    for (unsigned s = 0; s < ns; ++s) {
      ct_block *succ = block_of(g, LLVMGetSuccessor(t, s));
      int seen = 0;
      for (unsigned k = 0; k < succ->npreds; ++k)
        seen |= succ->preds[k] == g->blocks[i].bb;
      if (!seen)
        succ->preds[succ->npreds++] = g->blocks[i].bb;
    }
  }
  /* dom[b] = set of blocks dominating b */
  size_t words = (n + 63) / 64;
  uint64_t *dom = malloc(n * words * sizeof *dom);
  uint64_t *tmp = malloc(words * sizeof *tmp);
  for (i = 0; i < n; ++i)
    memset(dom + i * words, i == 0 ? 0 : 0xff, words * sizeof *dom);
  dom[0] = 1;
  for (int changed = 1; changed;) {
    changed = 0;
    for (i = 1; i < n; ++i) {
      memset(tmp, 0xff, words * sizeof *tmp);
      for (unsigned k = 0; k < g->blocks[i].npreds; ++k) {
        unsigned p = (unsigned)(block_of(g, g->blocks[i].preds[k]) - g->blocks);
        for (size_t w = 0; w < words; ++w)
          tmp[w] &= dom[p * words + w];
      }
      if (!g->blocks[i].npreds)
        memset(tmp, 0, words * sizeof *tmp);
      tmp[i / 64] |= 1ULL << (i % 64);
      if (memcmp(tmp, dom + i * words, words * sizeof *tmp)) {
        memcpy(dom + i * words, tmp, words * sizeof *tmp);
        changed = 1;
      }
    }
  }
  /* a block is in a cycle when one of its predecessors is reachable from it;
     approximated safely by: some predecessor is dominated by it, or it
     cannot be shown acyclic by a DFS back-edge search */
  unsigned char *on_stack = calloc(n, 1), *done = calloc(n, 1), *cyclic = calloc(n, 1);
  unsigned *stack = malloc(n * sizeof *stack), *next_succ = calloc(n, sizeof *next_succ);
  unsigned sp = 0;
  stack[sp++] = 0;
  on_stack[0] = 1;
  while (sp) {
    unsigned b = stack[sp - 1];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(g->blocks[b].bb);
    unsigned ns = t ? LLVMGetNumSuccessors(t) : 0;
    if (next_succ[b] < ns) {
      unsigned s = (unsigned)(block_of(g, LLVMGetSuccessor(t, next_succ[b]++)) - g->blocks);
      if (on_stack[s]) {
        /* back edge: every block on the stack from s upwards is in a cycle */
        for (unsigned k = sp; k-- > 0;) {
          cyclic[stack[k]] = 1;
          if (stack[k] == s)
            break;
        }
      } else if (!done[s]) {
        stack[sp++] = s;
        on_stack[s] = 1;
      }
    } else {
      on_stack[b] = 0;
      done[b] = 1;
      sp--;
    }
  }
  /* cycles found through already-finished blocks: propagate over preds */
  for (int changed = 1; changed;) {
    changed = 0;
    for (i = 0; i < n; ++i)
      for (unsigned k = 0; k < g->blocks[i].npreds && !cyclic[i]; ++k) {
        unsigned p = (unsigned)(block_of(g, g->blocks[i].preds[k]) - g->blocks);
        /* p -> i with i dominating p closes a natural loop */
        if (dom[p * words + i / 64] >> (i % 64) & 1) {
          cyclic[i] = 1;
          changed = 1;
        }
      }
  }
  for (i = 0; i < n; ++i) {
    int dominates_returns = 1;
    for (unsigned r = 0; r < n; ++r)
      if (is_return_block(g->blocks[r].bb) && !(dom[r * words + i / 64] >> (i % 64) & 1))
        dominates_returns = 0;
    g->blocks[i].stable = dominates_returns && !cyclic[i];
  }
  free(dom);
  free(tmp);
  free(on_stack);
  free(done);
  free(cyclic);
  free(stack);
  free(next_succ);
}

/* ---- the tape ---- */

static LLVMValueRef declare(ct_gen *g, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n) {
  LLVMValueRef f = LLVMGetNamedFunction(g->m->mod, name);
  LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
  if (!f)
    f = LLVMAddFunction(g->m->mod, name, fty);
  return f;
}

static LLVMValueRef tape_call(ct_gen *g, const char *fn, LLVMTypeRef ty) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  unsigned long long size = LLVMABISizeOfType(td, ty);
  LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i64_ty};
  LLVMValueRef f = declare(g, fn, g->ptr_ty, params, 3);
  LLVMValueRef args[3] = {g->tape, LLVMConstInt(g->i64_ty, size ? size : 1, 0),
                          LLVMConstInt(g->i64_ty, 16, 0)};
  return LLVMBuildCall2(g->m->b, LLVMFunctionType(g->ptr_ty, params, 3, 0), f, args, 3, "");
}

static void tape_push(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef slot = tape_call(g, "__ct_tape_push", LLVMTypeOf(v));
  LLVMBuildStore(g->m->b, v, slot);
}

static LLVMValueRef tape_pop(ct_gen *g, LLVMTypeRef ty) {
  LLVMValueRef slot = tape_call(g, "__ct_tape_pop", ty);
  return LLVMBuildLoad2(g->m->b, ty, slot, "");
}

/* ---- values in the reverse part ---- */

static int is_local(LLVMValueRef v) { return LLVMIsAInstruction(v) != NULL; }

/* The primal value `v` as usable at the current reverse position. */
static LLVMValueRef rev_value(ct_gen *g, LLVMValueRef v) {
  if (!is_local(v)) {
    LLVMValueRef f = vmap_get(&g->fwd, v);
    return f ? f : v; /* arguments map; constants and globals are themselves */
  }
  LLVMValueRef p = vmap_get(&g->popped, v);
  return p ? p : vmap_get(&g->fwd, v);
}

static LLVMValueRef rev_shadow(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef p = is_local(v) ? vmap_get(&g->popped_s, v) : NULL;
  return p ? p : vmap_get(&g->shadow, v);
}

/* Records that the reverse of block b uses `v` (or its shadow). */
static void need(ct_gen *g, ct_block *b, LLVMValueRef v, int is_shadow) {
  if (!is_local(v))
    return;
  ct_block *def = block_of(g, LLVMGetInstructionParent(v));
  if (def->stable)
    return;
  for (unsigned i = 0; i < b->nneeds; ++i)
    if (b->needs[i].value == v && b->needs[i].is_shadow == is_shadow)
      return;
  b->needs = realloc(b->needs, (b->nneeds + 1) * sizeof *b->needs);
  b->needs[b->nneeds++] = (ct_need){v, is_shadow};
}

/* ---- adjoints ---- */

static int has_adjoint(ct_gen *g, LLVMValueRef v) {
  return vmap_get(&g->active, v) && LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMPointerTypeKind;
}

static LLVMValueRef slot_of(ct_gen *g, LLVMValueRef v) {
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
  return LLVMBuildFAdd(g->m->b, a, b, "");
}

static void adj_add(ct_gen *g, LLVMValueRef primal, LLVMValueRef c) {
  if (!has_adjoint(g, primal))
    return;
  LLVMTypeRef ty = LLVMTypeOf(primal);
  if (LLVMTypeOf(c) != ty)
    c = LLVMBuildFPCast(g->m->b, c, ty, "");
  LLVMValueRef s = slot_of(g, primal);
  LLVMValueRef old = LLVMBuildLoad2(g->m->b, ty, s, "");
  LLVMBuildStore(g->m->b, add_values(g, old, c), s);
}

/* Reads and clears the adjoint of `v` (a loop's next iteration starts from
 * zero). */
static LLVMValueRef adj_take(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef s = slot_of(g, v);
  LLVMValueRef d = LLVMBuildLoad2(g->m->b, LLVMTypeOf(v), s, "");
  LLVMBuildStore(g->m->b, LLVMConstNull(LLVMTypeOf(v)), s);
  return d;
}

/* ---- which instructions have a reverse ---- */

static const ct_rule *rule_for(LLVMValueRef inst) {
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

typedef enum {
  REV_NONE, REV_RULE, REV_LOAD, REV_STORE, REV_PASS, REV_PHI, REV_MEMSET, REV_MEMCPY, REV_LANES,
  REV_ALLOC, REV_UNSUPPORTED
} ct_rev_kind;

static int callee_is(LLVMValueRef call, const char *const *names) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  for (; *names; ++names)
    if (strlen(*names) == len && !memcmp(*names, name, len))
      return 1;
  return 0;
}

static const char *const ALLOC_FUNCTIONS[] = {"malloc", "calloc", NULL};

/* Functions that neither read differentiable values into their result nor
 * write differentiable memory: calls to them need no adjoint. */
static const char *const INACTIVE_FUNCTIONS[] = {
    "printf", "fprintf", "puts", "fputs", "putchar", "fputc", "fflush", "sprintf", "snprintf",
    "vprintf", "vfprintf", "perror", "time", "clock", "clock_gettime", "gettimeofday", "free",
    "strlen", "abort", "exit", "assert", "__assert_fail", "rand", "srand", "fwrite", NULL};

static int is_inactive_call(LLVMValueRef call) {
  if (callee_is(call, INACTIVE_FUNCTIONS))
    return 1;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  /* markers and hints that carry no values */
  static const char *const PREFIXES[] = {"llvm.lifetime.", "llvm.assume", "llvm.experimental.noalias",
                                         "llvm.dbg.", "llvm.invariant.", "llvm.prefetch", NULL};
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
    return len > 25 && !strncmp(name, "llvm.vector.reduce.fadd.", 24);
  }
  return 0;
}

static ct_rev_kind rev_kind(ct_gen *g, LLVMValueRef inst) {
  const char *mem = activity_mem_intrinsic(inst);
  if (mem) {
    if (!vmap_get(&g->active, LLVMGetOperand(inst, 0)))
      return REV_NONE;
    return strcmp(mem, "memset") ? REV_MEMCPY : REV_MEMSET;
  }
  if (LLVMIsAStoreInst(inst)) {
    LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
    if (!vmap_get(&g->active, ptr))
      return vmap_get(&g->active, val) ? REV_UNSUPPORTED : REV_NONE;
    return type_is_fp(LLVMTypeOf(val)) ? REV_STORE : REV_NONE;
  }
  if (LLVMIsACallInst(inst) && vmap_get(&g->active, inst) && callee_is(inst, ALLOC_FUNCTIONS))
    return REV_ALLOC;
  if (LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst))
    return has_active_operand(g, inst) ? REV_UNSUPPORTED : REV_NONE;
  if (LLVMIsACallInst(inst) && !has_adjoint(g, inst)) {
    /* a call that may read or write differentiable memory, or consume a
       differentiable value, must have a rule or be known inactive */
    if (has_active_operand(g, inst) && !is_inactive_call(inst))
      return REV_UNSUPPORTED;
    return REV_NONE;
  }
  if (!has_adjoint(g, inst))
    return REV_NONE;
  if (LLVMIsAPHINode(inst))
    return REV_PHI;
  if (LLVMIsALoadInst(inst))
    return REV_LOAD;
  if (LLVMGetInstructionOpcode(inst) == LLVMFreeze)
    return REV_PASS;
  if (is_lane_op(inst))
    return REV_LANES;
  return rule_for(inst) ? REV_RULE : REV_UNSUPPORTED;
}

/* The floating-point element type of memory copied by a memcpy/memmove,
 * deduced from the loads and stores of the same objects; NULL if none or
 * mixed. */
static LLVMTypeRef copy_element_type(ct_gen *g, LLVMValueRef copy) {
  LLVMValueRef bases[2] = {activity_base_object(LLVMGetOperand(copy, 0)),
                           activity_base_object(LLVMGetOperand(copy, 1))};
  LLVMTypeRef found = NULL;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef ptr = NULL;
      LLVMTypeRef ty = NULL;
      if (LLVMIsALoadInst(inst)) {
        ptr = LLVMGetOperand(inst, 0);
        ty = LLVMTypeOf(inst);
      } else if (LLVMIsAStoreInst(inst)) {
        ptr = LLVMGetOperand(inst, 1);
        ty = LLVMTypeOf(LLVMGetOperand(inst, 0));
      } else
        continue;
      if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind)
        ty = LLVMGetElementType(ty);
      if (!type_is_fp_scalar(ty))
        continue;
      LLVMValueRef base = activity_base_object(ptr);
      if (base != bases[0] && base != bases[1])
        continue;
      if (found && found != ty)
        return NULL;
      found = ty;
    }
  if (found && LLVMGetTypeKind(found) != LLVMDoubleTypeKind && LLVMGetTypeKind(found) != LLVMFloatTypeKind)
    return NULL;
  return found;
}

/* Records what the reverse of each block needs; reports unsupported
 * instructions. */
static void plan_needs(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i) {
    ct_block *b = &g->blocks[i];
    for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && !g->failed;
         inst = LLVMGetNextInstruction(inst)) {
      switch (rev_kind(g, inst)) {
      case REV_RULE: {
        const ct_rule *rule = rule_for(inst);
        for (unsigned k = 0; k < rule->noperands; ++k)
          need(g, b, LLVMGetOperand(inst, k), 0);
        need(g, b, inst, 0);
        break;
      }
      case REV_LOAD:
        need(g, b, LLVMGetOperand(inst, 0), 1);
        break;
      case REV_ALLOC:
        need(g, b, inst, 1);
        break;
      case REV_LANES:
        if (LLVMGetInstructionOpcode(inst) == LLVMExtractElement)
          need(g, b, LLVMGetOperand(inst, 1), 0);
        else if (LLVMGetInstructionOpcode(inst) == LLVMInsertElement)
          need(g, b, LLVMGetOperand(inst, 2), 0);
        break;
      case REV_STORE:
        need(g, b, LLVMGetOperand(inst, 1), 1);
        break;
      case REV_MEMCPY:
        if (vmap_get(&g->active, LLVMGetOperand(inst, 1)))
          need(g, b, LLVMGetOperand(inst, 1), 1);
        if (!copy_element_type(g, inst))
          fail_at(g, inst, "copies memory whose element type Cotangent cannot deduce (no float or double "
                           "load or store of that memory, or both)",
                  "access the data as double or float in the function, or copy it element by element");
        /* fallthrough */
      case REV_MEMSET:
        need(g, b, LLVMGetOperand(inst, 0), 1);
        need(g, b, LLVMGetOperand(inst, 2), 0);
        break;
      case REV_UNSUPPORTED:
        if (LLVMIsAStoreInst(inst))
          fail_at(g, inst,
                  "stores a differentiable value into memory that has no shadow (a global variable or "
                  "a pointer argument passed as constant)",
                  "pass that pointer with a shadow (enzyme_dup), or use a local variable");
        else if (LLVMIsACallInst(inst)) {
          LLVMValueRef callee = LLVMGetCalledValue(inst);
          if (callee && LLVMIsAFunction(callee) && !LLVMIsDeclaration(callee))
            fail_at(g, inst, "is a recursive call", "recursive functions are not supported yet");
          else if (callee && LLVMIsAFunction(callee))
            fail_at(g, inst, "has no derivative",
                    "Cotangent differentiates libm functions, LLVM intrinsics and functions whose "
                    "body is in this file");
          else
            fail_at(g, inst, "cannot be differentiated", "the called function is not known at compile time");
        }
        else
          fail_at(g, inst, "has no derivative rule", "it is not supported on the differentiated path yet");
        break;
      default:
        break;
      }
    }
  }
}

/* ---- forward part ---- */

/* Shadow pointers for every active pointer instruction, built next to the
 * primal instruction's copy. Phis are created first so loops close. */
static void build_shadows(ct_gen *g) {
  ct_module *m = g->m;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && LLVMIsAPHINode(inst);
         inst = LLVMGetNextInstruction(inst))
      if (vmap_get(&g->active, inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind) {
        LLVMPositionBuilderBefore(m->b, vmap_get(&g->fwd, inst));
        vmap_set(&g->shadow, inst, LLVMBuildPhi(m->b, g->ptr_ty, "shadow"));
      }
  /* non-phis in an order where operands come first: repeat until done */
  for (int progress = 1; progress && !g->failed;) {
    progress = 0;
    int pending = 0;
    for (unsigned i = 0; i < g->nblocks; ++i)
      for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
           inst = LLVMGetNextInstruction(inst)) {
        if (LLVMIsAPHINode(inst) || !vmap_get(&g->active, inst) ||
            LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMPointerTypeKind || vmap_get(&g->shadow, inst))
          continue;
        LLVMValueRef copy = vmap_get(&g->fwd, inst);
        LLVMValueRef next = LLVMGetNextInstruction(copy);
        LLVMPositionBuilderBefore(m->b, next);
        LLVMValueRef s = NULL;
        if (LLVMIsAAllocaInst(inst)) {
          /* shadow allocas live in the alloca block, zeroed there */
          LLVMTypeRef aty = LLVMGetAllocatedType(inst);
          LLVMValueRef count = LLVMGetOperand(inst, 0);
          if (!LLVMIsAConstantInt(count)) {
            fail_at(g, inst, "allocates a variable-size array holding differentiable values",
                    "use a fixed size or malloc");
            return;
          }
          s = LLVMBuildArrayAlloca(g->ab, aty, count, "shadow");
          LLVMSetAlignment(s, LLVMGetAlignment(inst));
          LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
          unsigned long long bytes = LLVMABISizeOfType(td, aty) * LLVMConstIntGetZExtValue(count);
          LLVMBuildMemSet(g->ab, s, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0),
                          LLVMConstInt(g->i64_ty, bytes, 0), LLVMGetAlignment(inst));
        } else if (LLVMIsAGetElementPtrInst(inst) || LLVMIsABitCastInst(inst) ||
                   LLVMIsAAddrSpaceCastInst(inst) || LLVMIsASelectInst(inst)) {
          int base = LLVMIsASelectInst(inst) ? 1 : 0;
          int ready = 1;
          int nops = LLVMIsASelectInst(inst) ? 3 : 1;
          for (int k = base; k < nops; ++k) {
            LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
            if (vmap_get(&g->active, op) && !vmap_get(&g->shadow, op))
              ready = 0;
          }
          if (!ready) {
            pending = 1;
            continue;
          }
          s = LLVMInstructionClone(copy);
          LLVMInsertIntoBuilderWithName(m->b, s, "shadow");
          for (int k = base; k < nops; ++k) {
            LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
            LLVMValueRef sh = vmap_get(&g->shadow, op);
            if (!sh) {
              fail_at(g, inst, "mixes memory with and without a shadow",
                      "pass every pointer to differentiable data with a shadow");
              return;
            }
            LLVMSetOperand(s, (unsigned)k, sh);
          }
        } else if (LLVMIsACallInst(inst) && callee_is(inst, ALLOC_FUNCTIONS)) {
          /* shadow heap memory: zeroed, freed by the reverse of the call */
          LLVMTypeRef params[2] = {g->i64_ty, g->i64_ty};
          LLVMValueRef calloc_fn = declare(g, "calloc", g->ptr_ty, params, 2);
          LLVMValueRef args[2];
          if (callee_is(inst, (const char *const[]){"calloc", NULL})) {
            args[0] = vmap_get(&g->fwd, LLVMGetOperand(inst, 0)) ? vmap_get(&g->fwd, LLVMGetOperand(inst, 0))
                                                                  : LLVMGetOperand(inst, 0);
            args[1] = vmap_get(&g->fwd, LLVMGetOperand(inst, 1)) ? vmap_get(&g->fwd, LLVMGetOperand(inst, 1))
                                                                  : LLVMGetOperand(inst, 1);
          } else {
            LLVMValueRef n = LLVMGetOperand(inst, 0);
            args[0] = LLVMConstInt(g->i64_ty, 1, 0);
            args[1] = vmap_get(&g->fwd, n) ? vmap_get(&g->fwd, n) : n;
          }
          for (int k = 0; k < 2; ++k)
            args[k] = LLVMBuildZExtOrBitCast(m->b, args[k], g->i64_ty, "");
          s = LLVMBuildCall2(m->b, LLVMFunctionType(g->ptr_ty, params, 2, 0), calloc_fn, args, 2, "shadow");
        } else if (LLVMIsALoadInst(inst)) {
          LLVMValueRef p = LLVMGetOperand(inst, 0);
          LLVMValueRef sp = vmap_get(&g->shadow, p);
          if (!sp) {
            if (vmap_get(&g->active, p)) {
              pending = 1;
              continue;
            }
            fail_at(g, inst, "loads a pointer to differentiable data from memory without a shadow",
                    "pass the outer pointer with a shadow too");
            return;
          }
          s = LLVMBuildLoad2(m->b, g->ptr_ty, sp, "shadow");
        } else {
          fail_at(g, inst, "produces a pointer to differentiable data in a way Cotangent cannot follow",
                  NULL);
          return;
        }
        vmap_set(&g->shadow, inst, s);
        progress = 1;
      }
    if (!pending)
      break;
  }
  /* close shadow phis */
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && LLVMIsAPHINode(inst);
         inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef sphi = vmap_get(&g->shadow, inst);
      if (!sphi)
        continue;
      unsigned n = LLVMCountIncoming(inst);
      for (unsigned k = 0; k < n; ++k) {
        LLVMValueRef sv = vmap_get(&g->shadow, LLVMGetIncomingValue(inst, k));
        if (!sv) {
          LLVMValueRef iv = LLVMGetIncomingValue(inst, k);
          if (LLVMIsAConstantPointerNull(iv) || LLVMIsAUndefValue(iv))
            sv = iv;
          else {
            fail_at(g, inst, "merges pointers with and without a shadow",
                    "pass every pointer to differentiable data with a shadow");
            return;
          }
        }
        LLVMBasicBlockRef ib = LLVMValueAsBasicBlock(
            vmap_get(&g->fwd, LLVMBasicBlockAsValue(LLVMGetIncomingBlock(inst, k))));
        LLVMAddIncoming(sphi, &sv, &ib, 1);
      }
    }
}

/* Pointers stored into memory that has a shadow get their shadow stored into
 * the shadow memory, so later loads of the pointer find its shadow. */
static void shadow_pointer_stores(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (!LLVMIsAStoreInst(inst))
        continue;
      LLVMValueRef val = LLVMGetOperand(inst, 0), ptr = LLVMGetOperand(inst, 1);
      LLVMValueRef sptr = vmap_get(&g->shadow, ptr);
      if (!sptr || LLVMGetTypeKind(LLVMTypeOf(val)) != LLVMPointerTypeKind)
        continue;
      LLVMValueRef sval = vmap_get(&g->shadow, val);
      if (!sval) /* a pointer to constant data: its shadow is itself */
        sval = vmap_get(&g->fwd, val) ? vmap_get(&g->fwd, val) : val;
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      LLVMPositionBuilderBefore(g->m->b, LLVMGetNextInstruction(copy));
      LLVMBuildStore(g->m->b, sval, sptr);
    }
}

/* The record a block execution leaves on the tape: which predecessor it
 * came from (join blocks) and the values its reverse needs. One push per
 * block execution. NULL when the block needs nothing. */
static LLVMTypeRef record_type(ct_gen *g, ct_block *b) {
  LLVMTypeRef *fields = malloc((1 + b->nneeds) * sizeof *fields);
  unsigned n = 0;
  if (b->npreds > 1)
    fields[n++] = g->i32_ty;
  for (unsigned k = 0; k < b->nneeds; ++k)
    fields[n++] = b->needs[k].is_shadow ? g->ptr_ty : LLVMTypeOf(b->needs[k].value);
  LLVMTypeRef t = n ? LLVMStructTypeInContext(g->m->ctx, fields, n, 0) : NULL;
  free(fields);
  return t;
}

/* Pushes each block's record at the end of its forward copy. */
static void build_pushes(ct_gen *g) {
  ct_module *m = g->m;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    LLVMTypeRef rec_ty = record_type(g, b);
    if (!rec_ty)
      continue;
    LLVMValueRef rec = LLVMGetUndef(rec_ty);
    unsigned f = 0;
    if (b->npreds > 1) {
      LLVMPositionBuilderBefore(m->b, LLVMGetFirstInstruction(b->fwd));
      LLVMValueRef idx = LLVMBuildPhi(m->b, g->i32_ty, "ct.from");
      for (unsigned k = 0; k < b->npreds; ++k) {
        LLVMValueRef c = LLVMConstInt(g->i32_ty, k, 0);
        LLVMBasicBlockRef pb = block_of(g, b->preds[k])->fwd;
        LLVMAddIncoming(idx, &c, &pb, 1);
      }
      LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(b->fwd));
      rec = LLVMBuildInsertValue(m->b, rec, idx, f++, "");
    }
    LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(b->fwd));
    for (unsigned k = 0; k < b->nneeds; ++k) {
      LLVMValueRef v = b->needs[k].is_shadow ? vmap_get(&g->shadow, b->needs[k].value)
                                             : vmap_get(&g->fwd, b->needs[k].value);
      rec = LLVMBuildInsertValue(m->b, rec, v, f++, "");
    }
    tape_push(g, rec);
  }
}

/* ---- reverse part ---- */

static void reverse_rule(ct_gen *g, LLVMValueRef inst, LLVMValueRef d) {
  const ct_rule *rule = rule_for(inst);
  unsigned nops = rule->noperands;
  LLVMValueRef operands[RULE_MAX_OPERANDS] = {0};
  for (unsigned i = 0; i < nops; ++i)
    operands[i] = rev_value(g, LLVMGetOperand(inst, i));
  LLVMValueRef result = rev_value(g, inst);
  for (unsigned i = 0; i < nops; ++i) {
    LLVMValueRef op = LLVMGetOperand(inst, i);
    if (!rule->adjoint[i] || !has_adjoint(g, op))
      continue;
    /* expressions compute in the operand's type (fpext/fptrunc convert the
       seed first) */
    LLVMTypeRef ty = LLVMTypeOf(op);
    LLVMValueRef seed = LLVMTypeOf(d) == ty ? d : LLVMBuildFPCast(g->m->b, d, ty, "");
    LLVMValueRef c = rules_emit(g->m, rule->adjoint[i], ty, operands, nops, result, seed);
    if (!c) {
      fail_at(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    adj_add(g, op, c);
  }
}

/* Adjoints of lane and member moves: the adjoint goes back to where each
 * lane or member came from. */
static void reverse_lanes(ct_gen *g, LLVMValueRef inst, LLVMValueRef d) {
  LLVMBuilderRef b = g->m->b;
  switch (LLVMGetInstructionOpcode(inst)) {
  case LLVMExtractElement: {
    LLVMValueRef v = LLVMGetOperand(inst, 0);
    LLVMValueRef z = LLVMConstNull(LLVMTypeOf(v));
    adj_add(g, v, LLVMBuildInsertElement(b, z, d, rev_value(g, LLVMGetOperand(inst, 1)), ""));
    return;
  }
  case LLVMInsertElement: {
    LLVMValueRef v = LLVMGetOperand(inst, 0), x = LLVMGetOperand(inst, 1);
    LLVMValueRef idx = rev_value(g, LLVMGetOperand(inst, 2));
    adj_add(g, x, LLVMBuildExtractElement(b, d, idx, ""));
    adj_add(g, v, LLVMBuildInsertElement(b, d, LLVMConstNull(LLVMTypeOf(x)), idx, ""));
    return;
  }
  case LLVMShuffleVector: {
    LLVMValueRef a = LLVMGetOperand(inst, 0), c = LLVMGetOperand(inst, 1);
    unsigned na = LLVMGetVectorSize(LLVMTypeOf(a));
    unsigned n = LLVMGetNumMaskElements(inst);
    LLVMValueRef da = LLVMConstNull(LLVMTypeOf(a)), dc = LLVMConstNull(LLVMTypeOf(c));
    LLVMTypeRef i32 = g->i32_ty;
    for (unsigned j = 0; j < n; ++j) {
      int m = LLVMGetMaskValue(inst, j);
      if (m < 0)
        continue;
      LLVMValueRef lane = LLVMBuildExtractElement(b, d, LLVMConstInt(i32, j, 0), "");
      LLVMValueRef *acc = (unsigned)m < na ? &da : &dc;
      LLVMValueRef at = LLVMConstInt(i32, (unsigned)m < na ? (unsigned)m : (unsigned)m - na, 0);
      LLVMValueRef old = LLVMBuildExtractElement(b, *acc, at, "");
      *acc = LLVMBuildInsertElement(b, *acc, LLVMBuildFAdd(b, old, lane, ""), at, "");
    }
    adj_add(g, a, da);
    adj_add(g, c, dc);
    return;
  }
  case LLVMExtractValue: {
    LLVMValueRef agg = LLVMGetOperand(inst, 0);
    unsigned n = LLVMGetNumIndices(inst);
    if (n != 1)
      break;
    unsigned idx = LLVMGetIndices(inst)[0];
    adj_add(g, agg, LLVMBuildInsertValue(b, LLVMConstNull(LLVMTypeOf(agg)), d, idx, ""));
    return;
  }
  case LLVMInsertValue: {
    LLVMValueRef agg = LLVMGetOperand(inst, 0), x = LLVMGetOperand(inst, 1);
    if (LLVMGetNumIndices(inst) != 1)
      break;
    unsigned idx = LLVMGetIndices(inst)[0];
    if (has_adjoint(g, x))
      adj_add(g, x, LLVMBuildExtractValue(b, d, idx, ""));
    adj_add(g, agg, LLVMBuildInsertValue(b, d, LLVMConstNull(LLVMTypeOf(x)), idx, ""));
    return;
  }
  default: { /* llvm.vector.reduce.fadd(start, v) */
    LLVMValueRef start = LLVMGetOperand(inst, 0), v = LLVMGetOperand(inst, 1);
    adj_add(g, start, d);
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
    LLVMValueRef splat = LLVMConstNull(LLVMTypeOf(v));
    for (unsigned j = 0; j < n; ++j)
      splat = LLVMBuildInsertElement(b, splat, d, LLVMConstInt(g->i32_ty, j, 0), "");
    adj_add(g, v, splat);
    return;
  }
  }
  fail_at(g, inst, "uses nested member indices", "not supported yet");
}

static void reverse_block(ct_gen *g, ct_block *b, LLVMBasicBlockRef rev_exit) {
  ct_module *m = g->m;
  LLVMPositionBuilderAtEnd(m->b, b->rev);
  vmap_free(&g->popped);
  vmap_free(&g->popped_s);
  vmap_init(&g->popped);
  vmap_init(&g->popped_s);
  LLVMValueRef from = NULL;
  LLVMTypeRef rec_ty = record_type(g, b);
  if (rec_ty) {
    LLVMValueRef rec = tape_pop(g, rec_ty);
    unsigned f = 0;
    if (b->npreds > 1)
      from = LLVMBuildExtractValue(m->b, rec, f++, "ct.from");
    for (unsigned k = 0; k < b->nneeds; ++k) {
      ct_need *nd = &b->needs[k];
      vmap_set(nd->is_shadow ? &g->popped_s : &g->popped, nd->value, LLVMBuildExtractValue(m->b, rec, f++, ""));
    }
  }
  for (LLVMValueRef inst = LLVMGetLastInstruction(b->bb); inst && !LLVMIsAPHINode(inst) && !g->failed;
       inst = LLVMGetPreviousInstruction(inst)) {
    switch (rev_kind(g, inst)) {
    case REV_RULE:
      reverse_rule(g, inst, adj_take(g, inst));
      break;
    case REV_PASS:
      adj_add(g, LLVMGetOperand(inst, 0), adj_take(g, inst));
      break;
    case REV_LANES:
      reverse_lanes(g, inst, adj_take(g, inst));
      break;
    case REV_ALLOC: {
      LLVMValueRef free_fn = declare(g, "free", LLVMVoidTypeInContext(m->ctx), &g->ptr_ty, 1);
      LLVMValueRef sp = rev_shadow(g, inst);
      LLVMBuildCall2(m->b, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &g->ptr_ty, 1, 0), free_fn, &sp, 1,
                     "");
      break;
    }
    case REV_LOAD: {
      LLVMValueRef d = adj_take(g, inst);
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
      LLVMTypeRef ty = LLVMTypeOf(inst);
      LLVMValueRef old = LLVMBuildLoad2(m->b, ty, sp, "");
      LLVMBuildStore(m->b, LLVMBuildFAdd(m->b, old, d, ""), sp);
      break;
    }
    case REV_MEMSET: {
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 0));
      LLVMBuildMemSet(m->b, sp, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0),
                      rev_value(g, LLVMGetOperand(inst, 2)), 1);
      break;
    }
    case REV_MEMCPY: {
      LLVMValueRef sdst = rev_shadow(g, LLVMGetOperand(inst, 0));
      LLVMValueRef len = LLVMBuildZExtOrBitCast(m->b, rev_value(g, LLVMGetOperand(inst, 2)), g->i64_ty, "");
      if (!vmap_get(&g->active, LLVMGetOperand(inst, 1))) {
        /* constant data copied over differentiable memory */
        LLVMBuildMemSet(m->b, sdst, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), len, 1);
        break;
      }
      LLVMValueRef ssrc = rev_shadow(g, LLVMGetOperand(inst, 1));
      int f64 = LLVMGetTypeKind(copy_element_type(g, inst)) == LLVMDoubleTypeKind;
      LLVMTypeRef params[3] = {g->ptr_ty, g->ptr_ty, g->i64_ty};
      LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 3, 0);
      LLVMValueRef f = declare(g, f64 ? "__ct_copy_adjoint_f64" : "__ct_copy_adjoint_f32",
                               LLVMVoidTypeInContext(m->ctx), params, 3);
      LLVMValueRef args[3] = {ssrc, sdst, len};
      LLVMBuildCall2(m->b, fty, f, args, 3, "");
      break;
    }
    case REV_STORE: {
      LLVMValueRef val = LLVMGetOperand(inst, 0);
      LLVMValueRef sp = rev_shadow(g, LLVMGetOperand(inst, 1));
      LLVMTypeRef ty = LLVMTypeOf(val);
      LLVMValueRef d = LLVMBuildLoad2(m->b, ty, sp, "");
      LLVMBuildStore(m->b, LLVMConstNull(ty), sp);
      adj_add(g, val, d);
      break;
    }
    default:
      break;
    }
  }
  if (g->failed)
    return;
  /* phi adjoints, read before choosing the edge */
  LLVMValueRef phis[256];
  LLVMValueRef dphis[256];
  unsigned nphis = 0;
  for (LLVMValueRef inst = LLVMGetFirstInstruction(b->bb); inst && LLVMIsAPHINode(inst);
       inst = LLVMGetNextInstruction(inst))
    if (rev_kind(g, inst) == REV_PHI) {
      if (nphis == 256) {
        fail_at(g, inst, "is one of too many (over 256) differentiable phis in one block", NULL);
        return;
      }
      phis[nphis] = inst;
      dphis[nphis++] = adj_take(g, inst);
    }
  if (b->npreds == 0) {
    LLVMBuildBr(m->b, rev_exit);
    return;
  }
  LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
  LLVMValueRef sw = from ? LLVMBuildSwitch(m->b, from, block_of(g, b->preds[0])->rev, b->npreds) : NULL;
  for (unsigned k = 0; k < b->npreds; ++k) {
    ct_block *p = block_of(g, b->preds[k]);
    LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(m->ctx, g->g, "rev.edge");
    if (sw)
      LLVMAddCase(sw, LLVMConstInt(g->i32_ty, k, 0), edge);
    else {
      LLVMPositionBuilderAtEnd(m->b, here);
      LLVMBuildBr(m->b, edge);
    }
    LLVMPositionBuilderAtEnd(m->b, edge);
    for (unsigned j = 0; j < nphis; ++j) {
      LLVMValueRef in = NULL;
      unsigned n = LLVMCountIncoming(phis[j]);
      for (unsigned q = 0; q < n && !in; ++q)
        if (LLVMGetIncomingBlock(phis[j], q) == p->bb)
          in = LLVMGetIncomingValue(phis[j], q);
      if (in)
        adj_add(g, in, dphis[j]);
    }
    LLVMBuildBr(m->b, p->rev);
  }
  if (sw) /* the default is never taken; point it at the first edge */
    LLVMSetOperand(sw, 1, LLVMBasicBlockAsValue(LLVMValueAsBasicBlock(LLVMGetOperand(sw, 1))));
}

/* ---- the driver ---- */

static LLVMValueRef generate(ct_gen *g, const char *name) {
  ct_module *m = g->m;
  const ct_spec *spec = g->spec;
  LLVMTypeRef ret_struct;
  LLVMTypeRef gty = gradient_type(m, spec, &ret_struct);
  g->g = LLVMAddFunction(m->mod, name, gty);
  LLVMSetLinkage(g->g, LLVMInternalLinkage);
  prepare_copy_attributes(g->pc, g->g);
  g->ptr_ty = LLVMPointerTypeInContext(m->ctx, 0);
  g->i64_ty = LLVMInt64TypeInContext(m->ctx);
  g->i32_ty = LLVMInt32TypeInContext(m->ctx);

  unsigned k = 0;
  LLVMValueRef seed = NULL;
  for (unsigned i = 0; i < spec->nparams; ++i) {
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    vmap_set(&g->fwd, p, LLVMGetParam(g->g, k++));
    if (spec->act[i] == ACT_DUP || spec->act[i] == ACT_DUPNONEED)
      vmap_set(&g->shadow, p, LLVMGetParam(g->g, k++));
  }
  if (spec->ret_active)
    seed = LLVMGetParam(g->g, k++);

  LLVMBasicBlockRef alloca_bb = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.entry");
  g->ab = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->ab, alloca_bb);
  LLVMSetCurrentDebugLocation2(m->b, NULL);

  /* forward: a copy of the primal */
  clone_blocks(m, g->pc, g->g, &g->fwd);
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    b->fwd = LLVMValueAsBasicBlock(vmap_get(&g->fwd, LLVMBasicBlockAsValue(b->bb)));
  }
  /* adjoint slots exist before any reverse code refers to them */
  for (unsigned i = 0; i < spec->nparams; ++i)
    if (has_adjoint(g, LLVMGetParam(g->pc, i)))
      slot_of(g, LLVMGetParam(g->pc, i));
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst))
      if (has_adjoint(g, inst))
        slot_of(g, inst);

  plan_needs(g);
  if (g->failed)
    return NULL;
  int uses_tape = 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    uses_tape |= g->blocks[i].nneeds || g->blocks[i].npreds > 1;
  if (uses_tape) {
    runtime_link_tape(m);
    LLVMTypeRef i64 = g->i64_ty;
    LLVMValueRef create = declare(g, "__ct_tape_create", g->ptr_ty, &i64, 1);
    LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
    g->tape = LLVMBuildCall2(g->ab, LLVMFunctionType(g->ptr_ty, &i64, 1, 0), create, &zero, 1, "ct.tape");
  }
  build_shadows(g);
  if (g->failed)
    return NULL;
  shadow_pointer_stores(g);
  build_pushes(g);

  /* returns jump to the reverse part */
  LLVMBasicBlockRef fwd_exit = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.turn");
  LLVMBasicBlockRef rev_exit = LLVMAppendBasicBlockInContext(m->ctx, g->g, "ct.done");
  for (unsigned i = 0; i < g->nblocks; ++i)
    g->blocks[i].rev = LLVMAppendBasicBlockInContext(m->ctx, g->g, "rev");
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(spec->fn));
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMPositionBuilderAtEnd(m->b, fwd_exit);
  LLVMValueRef ret_phi = has_ret ? LLVMBuildPhi(m->b, rty, "ct.ret") : NULL;
  LLVMValueRef which = LLVMBuildPhi(m->b, g->i32_ty, "ct.which");
  LLVMValueRef retval_primal = NULL; /* the primal returned value if unique */
  unsigned nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!is_return_block(b->bb))
      continue;
    LLVMValueRef ret = LLVMGetBasicBlockTerminator(b->bb);
    LLVMValueRef fret = LLVMGetBasicBlockTerminator(b->fwd);
    LLVMPositionBuilderBefore(m->b, fret);
    LLVMBuildBr(m->b, fwd_exit);
    LLVMInstructionEraseFromParent(fret);
    if (ret_phi) {
      LLVMValueRef rv = LLVMGetOperand(ret, 0);
      LLVMValueRef frv = rev_value(g, rv);
      LLVMAddIncoming(ret_phi, &frv, &b->fwd, 1);
      retval_primal = nret == 0 ? rv : NULL;
    }
    LLVMValueRef c = LLVMConstInt(g->i32_ty, nret++, 0);
    LLVMAddIncoming(which, &c, &b->fwd, 1);
  }
  if (nret == 0) {
    fail_at(g, LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(g->pc)), "never returns", NULL);
    return NULL;
  }
  /* seed the returned value's adjoint: on each returning edge */
  LLVMPositionBuilderAtEnd(m->b, fwd_exit);
  LLVMValueRef sw = LLVMBuildSwitch(m->b, which, rev_exit, nret);
  int seeded = 0;
  nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!is_return_block(b->bb))
      continue;
    LLVMBasicBlockRef edge = LLVMAppendBasicBlockInContext(m->ctx, g->g, "rev.start");
    LLVMAddCase(sw, LLVMConstInt(g->i32_ty, nret++, 0), edge);
    LLVMPositionBuilderAtEnd(m->b, edge);
    if (spec->ret_active && has_ret) {
      LLVMValueRef rv = LLVMGetOperand(LLVMGetBasicBlockTerminator(b->bb), 0);
      if (has_adjoint(g, rv)) {
        adj_add(g, rv, seed);
        seeded = 1;
      }
    }
    LLVMBuildBr(m->b, b->rev);
  }
  (void)retval_primal;
  if (spec->ret_active && has_ret && !seeded) {
    size_t len = 0;
    const char *fname = LLVMGetValueName2(g->user_fn, &len);
    diag_report(g->user_fn, NULL, CT_SEV_WARNING,
                "the result of '%.*s' does not depend on its differentiable arguments; its derivative "
                "is always zero (use ct_without_derivative to make this explicit)",
                (int)len, fname);
  }

  /* reverse blocks */
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
    reverse_block(g, &g->blocks[i], rev_exit);
  if (g->failed)
    return NULL;

  /* results: { [value], d(active args)... } */
  LLVMPositionBuilderAtEnd(m->b, rev_exit);
  LLVMValueRef agg = LLVMGetUndef(ret_struct);
  unsigned field = 0;
  if (spec->want_value && has_ret)
    agg = LLVMBuildInsertValue(m->b, agg, ret_phi, field++, "");
  for (unsigned i = 0; i < spec->nparams; ++i) {
    if (spec->act[i] != ACT_ACTIVE)
      continue;
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    LLVMValueRef a = has_adjoint(g, p) ? LLVMBuildLoad2(m->b, LLVMTypeOf(p), slot_of(g, p), "")
                                       : LLVMConstNull(LLVMTypeOf(p));
    agg = LLVMBuildInsertValue(m->b, agg, a, field++, "");
  }
  if (g->tape) {
    LLVMValueRef destroy = declare(g, "__ct_tape_destroy", LLVMVoidTypeInContext(m->ctx), &g->ptr_ty, 1);
    LLVMBuildCall2(m->b, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &g->ptr_ty, 1, 0), destroy,
                   &g->tape, 1, "");
  }
  LLVMBuildRet(m->b, agg);
  LLVMBuildBr(g->ab, g->blocks[0].fwd);
  return g->g;
}

LLVMValueRef gradient_get(ct_module *m, const ct_spec *spec, LLVMValueRef site) {
  char name[600];
  gradient_name(spec, name, sizeof name);
  LLVMValueRef existing = LLVMGetNamedFunction(m->mod, name);
  if (existing)
    return existing;

  ct_gen g = {.m = m, .spec = spec, .user_fn = spec->fn};
  g.pc = prepare_primal(m, spec->fn);
  vmap_init(&g.block_index);
  vmap_init(&g.fwd);
  vmap_init(&g.shadow);
  vmap_init(&g.active);
  vmap_init(&g.slot);
  vmap_init(&g.popped);
  vmap_init(&g.popped_s);
  analyse_blocks(&g);
  activity_analyze(spec, g.pc, &g.active);
  LLVMValueRef result = generate(&g, name);
  if (g.ab)
    LLVMDisposeBuilder(g.ab);
  if (!result && g.g) {
    LLVMDeleteFunction(g.g);
  } else if (result) {
    if (LLVMVerifyFunction(result, LLVMPrintMessageAction)) {
      diag_report(spec->fn, site, CT_SEV_ERROR,
                  "internal error: Cotangent generated invalid code for this gradient; please report");
      LLVMDeleteFunction(result);
      result = NULL;
    } else {
      if (g.tape) /* the tape's fast paths, linked by runtime_link_tape */
        ct_bridge_inline_calls(result, NULL);
      ct_bridge_simplify_function(result);
    }
  }
  for (unsigned i = 0; i < g.nblocks; ++i) {
    free(g.blocks[i].preds);
    free(g.blocks[i].needs);
  }
  free(g.blocks);
  vmap_free(&g.block_index);
  vmap_free(&g.fwd);
  vmap_free(&g.shadow);
  vmap_free(&g.active);
  vmap_free(&g.slot);
  vmap_free(&g.popped);
  vmap_free(&g.popped_s);
  return result;
}

void gradient_finish(ct_module *m) { prepare_finish(m); }
