/* Reverse-mode generation.
 *
 * gradient_get() builds, once per (function, activity) pair, a function that
 * runs the prepared primal forward and then propagates adjoints backwards
 * through every active instruction using the rule table (rules.c).
 *
 * This version handles straight-line code (one basic block after LLVM's
 * simplification has turned simple ifs into selects); other control flow is
 * rejected with an error that names the construct. */
#include "core.h"
#include "rules.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  ct_module *m;
  const ct_spec *spec;
  LLVMValueRef user_fn; /* for diagnostics */
  LLVMValueRef pc;      /* prepared primal */
  LLVMValueRef g;       /* gradient being generated */
  ct_vmap fwd;          /* primal value -> value in g */
  ct_vmap active;
  ct_vmap adj; /* primal value -> accumulated adjoint in g */
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

/* ---- adjoint bookkeeping ---- */

static void adj_add(ct_gen *g, LLVMValueRef primal, LLVMValueRef contribution) {
  if (!vmap_get(&g->active, primal))
    return;
  LLVMTypeRef want = LLVMTypeOf(primal);
  if (LLVMTypeOf(contribution) != want)
    contribution = LLVMBuildFPCast(g->m->b, contribution, want, "");
  LLVMValueRef old = vmap_get(&g->adj, primal);
  vmap_set(&g->adj, primal, old ? LLVMBuildFAdd(g->m->b, old, contribution, "") : contribution);
}

static LLVMValueRef fwd_value(ct_gen *g, LLVMValueRef primal) {
  LLVMValueRef v = vmap_get(&g->fwd, primal);
  return v ? v : primal; /* constants and globals map to themselves */
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

/* ---- the reverse step for one active instruction ---- */

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

static void reverse_instruction(ct_gen *g, LLVMValueRef inst) {
  LLVMValueRef d = vmap_get(&g->adj, inst);
  if (!d)
    return; /* nothing flows back through this value */
  LLVMOpcode op = LLVMGetInstructionOpcode(inst);
  if (op == LLVMFreeze) {
    adj_add(g, LLVMGetOperand(inst, 0), d);
    return;
  }
  const ct_rule *rule = rule_for(inst);
  if (!rule) {
    if (LLVMIsACallInst(inst))
      fail_at(g, inst, "has no derivative",
              "Cotangent differentiates libm functions and LLVM intrinsics; calls to other "
              "functions are not supported yet");
    else
      fail_at(g, inst, "has no derivative rule", "it is not supported on the differentiated path yet");
    return;
  }
  unsigned nops = rule->noperands;
  LLVMValueRef operands[RULE_MAX_OPERANDS] = {0};
  for (unsigned i = 0; i < nops; ++i)
    operands[i] = fwd_value(g, LLVMGetOperand(inst, i));
  LLVMValueRef result = fwd_value(g, inst);
  for (unsigned i = 0; i < nops; ++i) {
    LLVMValueRef primal_op = LLVMGetOperand(inst, i);
    if (!rule->adjoint[i] || !vmap_get(&g->active, primal_op))
      continue;
    /* expressions compute in the operand's type when it is floating point
       (fpext/fptrunc convert the seed first) */
    LLVMTypeRef ty = type_is_fp(LLVMTypeOf(primal_op)) ? LLVMTypeOf(primal_op) : LLVMTypeOf(inst);
    LLVMValueRef seed = d;
    if (LLVMTypeOf(seed) != ty)
      seed = LLVMBuildFPCast(g->m->b, seed, ty, "");
    LLVMValueRef c = rules_emit(g->m, rule->adjoint[i], ty, operands, nops, result, seed);
    if (!c) {
      fail_at(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    adj_add(g, primal_op, c);
  }
}

/* ---- structure checks ---- */

static int check_straight_line(ct_gen *g) {
  LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc);
  if (LLVMGetNextBasicBlock(bb) == NULL)
    return 1;
  for (; bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    if (term && LLVMGetInstructionOpcode(term) != LLVMRet) {
      fail_at(g, term, "is control flow (a branch or loop that LLVM could not turn into selects)",
              "this version differentiates straight-line code only");
      return 0;
    }
  }
  return 0;
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

  /* parameters: primal values map to the new function's */
  unsigned k = 0;
  LLVMValueRef seed = NULL;
  for (unsigned i = 0; i < spec->nparams; ++i) {
    vmap_set(&g->fwd, LLVMGetParam(g->pc, i), LLVMGetParam(g->g, k++));
    if (spec->act[i] == ACT_DUP || spec->act[i] == ACT_DUPNONEED)
      k++;
  }
  if (spec->ret_active)
    seed = LLVMGetParam(g->g, k++);

  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(m->ctx, g->g, "forward");
  LLVMPositionBuilderAtEnd(m->b, entry);
  LLVMSetCurrentDebugLocation2(m->b, NULL);

  /* forward sweep: replay the primal */
  LLVMValueRef ret_inst = NULL;
  LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
    if (LLVMGetInstructionOpcode(inst) == LLVMRet) {
      ret_inst = inst;
      break;
    }
    LLVMValueRef copy = LLVMInstructionClone(inst);
    size_t len = 0;
    const char *iname = LLVMGetValueName2(inst, &len);
    LLVMInsertIntoBuilderWithName(m->b, copy, iname);
    LLVMInstructionSetDebugLoc(copy, LLVMInstructionGetDebugLoc(inst));
    int n = LLVMGetNumOperands(inst);
    for (int i = 0; i < n; ++i) {
      LLVMValueRef mv = vmap_get(&g->fwd, LLVMGetOperand(inst, (unsigned)i));
      if (mv)
        LLVMSetOperand(copy, (unsigned)i, mv);
    }
    vmap_set(&g->fwd, inst, copy);
  }
  LLVMValueRef retval = ret_inst && LLVMGetNumOperands(ret_inst) ? LLVMGetOperand(ret_inst, 0) : NULL;

  /* reverse sweep */
  if (spec->ret_active && retval) {
    if (vmap_get(&g->active, retval))
      vmap_set(&g->adj, retval, seed);
    else {
      size_t len = 0;
      const char *fname = LLVMGetValueName2(g->user_fn, &len);
      diag_report(g->user_fn, ret_inst, CT_SEV_WARNING,
                  "the result of '%.*s' does not depend on its differentiable arguments; its "
                  "derivative is always zero (use ct_without_derivative to make this explicit)",
                  (int)len, fname);
    }
  }
  for (LLVMValueRef inst = ret_inst ? LLVMGetPreviousInstruction(ret_inst) : LLVMGetLastInstruction(bb);
       inst && !g->failed; inst = LLVMGetPreviousInstruction(inst))
    if (vmap_get(&g->active, inst))
      reverse_instruction(g, inst);
  if (g->failed)
    return NULL;

  /* results: { [value], d(active args)... } */
  LLVMValueRef agg = LLVMGetUndef(ret_struct);
  unsigned field = 0;
  if (spec->want_value && retval)
    agg = LLVMBuildInsertValue(m->b, agg, fwd_value(g, retval), field++, "");
  for (unsigned i = 0; i < spec->nparams; ++i) {
    if (spec->act[i] != ACT_ACTIVE)
      continue;
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    LLVMValueRef a = vmap_get(&g->adj, p);
    agg = LLVMBuildInsertValue(m->b, agg, a ? a : type_zero(LLVMTypeOf(p)), field++, "");
  }
  LLVMBuildRet(m->b, agg);
  return g->g;
}

LLVMValueRef gradient_get(ct_module *m, const ct_spec *spec, LLVMValueRef site) {
  (void)site;
  char name[600];
  gradient_name(spec, name, sizeof name);
  LLVMValueRef existing = LLVMGetNamedFunction(m->mod, name);
  if (existing)
    return existing;

  ct_gen g = {.m = m, .spec = spec, .user_fn = spec->fn};
  g.pc = prepare_primal(m, spec->fn);
  vmap_init(&g.fwd);
  vmap_init(&g.active);
  vmap_init(&g.adj);
  LLVMValueRef result = NULL;
  if (check_straight_line(&g)) {
    activity_analyze(spec, g.pc, &g.active);
    result = generate(&g, name);
  }
  if (!result && g.g) {
    LLVMDeleteFunction(g.g);
  } else if (result) {
    if (LLVMVerifyFunction(result, LLVMPrintMessageAction)) {
      diag_report(spec->fn, site, CT_SEV_ERROR,
                  "internal error: Cotangent generated invalid code for this gradient; please report");
      LLVMDeleteFunction(result);
      result = NULL;
    } else {
      ct_bridge_simplify_function(result);
    }
  }
  vmap_free(&g.fwd);
  vmap_free(&g.active);
  vmap_free(&g.adj);
  return result;
}

void gradient_finish(ct_module *m) { prepare_finish(m); }
