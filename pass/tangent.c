/* The forward-mode driver (tangent.h): one tangent function per (function,
 * activity) pair, through the stages reverse mode uses up to its forward
 * part: the prepared primal (prepare.c), its analyses (cfg.c, activity.c,
 * through gradient_analyse_only), the copy (clone.c) with the shadows of
 * its pointers (forward.c), then the tangents (tangent_inst.c) and one
 * exit returning { value, tangent }. There is no tape and no reverse part:
 * the tangent function's memory is the shadows only. */
#include "blas.h"
#include "tangent.h"

#include <llvm-c/Analysis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ACT_CODE[] = {'c', 'a', 'd', 'n'};

/* "<f>.ct_fwd.<activity codes>[.r][.s]", whole; the caller frees it. */
static char *tangent_name(const ct_spec *spec) {
  size_t len = 0;
  const char *fname = LLVMGetValueName2(spec->fn, &len);
  char codes[CT_MAX_PARAMS + 1];
  for (unsigned i = 0; i < spec->nparams; ++i)
    codes[i] = ACT_CODE[spec->act[i]];
  codes[spec->nparams] = 0;
  char width[16] = "";
  if (spec->width)
    snprintf(width, sizeof width, ".w%u", spec->width);
  return util_format("%.*s.ct_fwd.%s%s%s%s", (int)len, fname, codes, spec->ret_active ? ".r" : "",
                     spec->ret_shadow ? ".s" : "", width);
}

/* The tangent function's type (tangent.h). */
LLVMTypeRef tangent_type(ct_module *m, const ct_spec *spec) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(spec->fn);
  LLVMTypeRef ptypes[CT_MAX_PARAMS], params[2 * CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  unsigned np = 0;
  for (unsigned i = 0; i < spec->nparams; ++i) {
    params[np++] = ptypes[i];
    if (spec->act[i] != ACT_CONST)
      params[np++] = spec->width ? tangent_vector_type(spec->width, ptypes[i]) : ptypes[i];
  }
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  if (LLVMGetTypeKind(rty) != LLVMVoidTypeKind) {
    LLVMTypeRef pair[2] = {rty, spec->width ? tangent_vector_type(spec->width, rty) : rty};
    rty = LLVMStructTypeInContext(m->ctx, pair, 2, 0);
  }
  return LLVMFunctionType(rty, params, np, 0);
}

/* The parameters of f (the tangent function) for the primal's: values,
 * tangents, shadows; the entry block (shadow allocas), then the copy. */
static void begin(ct_tgen *t, LLVMValueRef f) {
  ct_gen *g = &t->g;
  ct_module *m = g->m;
  unsigned k = 0;
  for (unsigned i = 0; i < g->spec->nparams; ++i) {
    LLVMValueRef p = LLVMGetParam(g->pc, i);
    vmap_set(&g->fwd, p, LLVMGetParam(f, k++));
    if (g->spec->act[i] == ACT_ACTIVE)
      vmap_set(&t->tangent, p, LLVMGetParam(f, k++));
    else if (g->spec->act[i] != ACT_CONST)
      vmap_set(&g->shadow, p, LLVMGetParam(f, k++));
  }
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(m->ctx, f, "ct.entry");
  g->sb = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->sb, entry);
  g->ab = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(g->ab, entry);
  LLVMSetCurrentDebugLocation2(m->b, NULL);
  clone_blocks(m, g->pc, f, &g->fwd);
  if (t->mark_copies) /* !ct.primal on each copy (tangent.h) */
    for (size_t i = 0; i < g->fwd.cap; ++i)
      if (g->fwd.keys[i] && g->fwd.vals[i] && LLVMIsAInstruction(g->fwd.vals[i]))
        LLVMSetMetadata(g->fwd.vals[i], LLVMGetMDKindIDInContext(m->ctx, "ct.primal", 9),
                        LLVMMDNodeInContext(m->ctx, NULL, 0));
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    b->fwd = LLVMValueAsBasicBlock(vmap_get(&g->fwd, LLVMBasicBlockAsValue(b->bb)));
  }
}

/* The tangent (or shadow) a return of rv passes on; NULL after an error. */
static LLVMValueRef returned_tangent(ct_tgen *t, LLVMValueRef ret, LLVMValueRef rv) {
  ct_gen *g = &t->g;
  if (!g->spec->ret_shadow)
    return g->spec->ret_active ? tangent_of(t, rv) : LLVMConstNull(tangent_type_of(t, LLVMTypeOf(rv)));
  LLVMValueRef s = vmap_get(&g->shadow, rv);
  if (!s && (LLVMIsAConstantPointerNull(rv) || LLVMIsAUndefValue(rv)))
    s = rv;
  if (!s)
    gen_fail(g, ret, "returns a pointer without a shadow (into memory held constant, or a global) where its caller "
             "needs one", "pass the memory it points into with a shadow (enzyme_dup)");
  return s;
}

/* Every return of the copy goes to one exit, which frees what the
 * function's shadows left (the table of shadow_slots.c, large shadows of
 * globals) and returns { value, tangent }. Returns 0 after an error. */
static int finish(ct_tgen *t, LLVMValueRef f) {
  ct_gen *g = &t->g;
  ct_module *m = g->m;
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(g->spec->fn));
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(m->ctx, f, "ct.exit");
  LLVMPositionBuilderAtEnd(m->b, exit);
  LLVMValueRef vphi = has_ret ? LLVMBuildPhi(m->b, rty, "ct.ret") : NULL;
  LLVMValueRef tphi = has_ret ? LLVMBuildPhi(m->b, tangent_type_of(t, rty), "ct.ret_tangent") : NULL;
  unsigned nret = 0;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    if (!cfg_is_return_block(b->bb))
      continue;
    LLVMValueRef ret = LLVMGetBasicBlockTerminator(b->bb), fret = LLVMGetBasicBlockTerminator(b->fwd);
    if (has_ret) {
      LLVMValueRef rv = LLVMGetOperand(ret, 0), d = returned_tangent(t, ret, rv);
      if (!d)
        return 0;
      LLVMValueRef v = tangent_primal(t, rv);
      LLVMAddIncoming(vphi, &v, &b->fwd, 1);
      LLVMAddIncoming(tphi, &d, &b->fwd, 1);
    }
    LLVMPositionBuilderBefore(m->b, fret);
    LLVMBuildBr(m->b, exit);
    LLVMInstructionEraseFromParent(fret);
    ++nret;
  }
  if (!nret) {
    gen_fail(g, LLVMGetFirstInstruction(LLVMGetFirstBasicBlock(g->pc)), "never returns", NULL);
    return 0;
  }
  shadow_slots_finish(g, exit);
  LLVMPositionBuilderAtEnd(m->b, exit);
  LLVMTypeRef pty = g->ptr_ty;
  for (unsigned i = 0; i < g->nheap_shadows; ++i)
    ir_build_call(m->b, m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &pty, 1, 0),
                  &g->heap_shadows[i], 1, "");
  if (!has_ret) {
    LLVMBuildRetVoid(m->b);
  } else {
    LLVMValueRef agg = LLVMGetUndef(LLVMGetReturnType(LLVMGlobalGetValueType(f)));
    agg = LLVMBuildInsertValue(m->b, agg, vphi, 0, "");
    LLVMBuildRet(m->b, LLVMBuildInsertValue(m->b, agg, tphi, 1, ""));
  }
  LLVMBuildBr(g->sb, g->blocks[0].fwd);
  return 1;
}

/* The tangent arithmetic (every floating-point add, subtract, multiply and
 * negation of f that is not the copy of a primal one) may be contracted
 * into FMAs (x' y + x y' is one FMA where the target has them) and ignores
 * the sign of zero: how a tangent's terms are rounded together is ours to
 * choose, not the user's. (Not reassociated: LLVM's reassociation moves a
 * loop's running tangent sum behind two operations instead of one, which
 * made such loops slower.) */
static void relax_tangent_arithmetic(ct_tgen *t, LLVMValueRef f) {
  ct_vmap copies;
  vmap_init(&copies);
  for (size_t i = 0; i < t->g.fwd.cap; ++i)
    if (t->g.fwd.keys[i] && t->g.fwd.vals[i])
      vmap_set(&copies, t->g.fwd.vals[i], t->g.fwd.vals[i]);
  LLVMFastMathFlags relaxed = LLVMFastMathAllowContract | LLVMFastMathNoSignedZeros;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMOpcode op = LLVMGetInstructionOpcode(inst);
      if ((op == LLVMFAdd || op == LLVMFSub || op == LLVMFMul || op == LLVMFNeg) && !vmap_get(&copies, inst))
        LLVMSetFastMathFlags(inst, LLVMGetFastMathFlags(inst) | relaxed);
    }
  vmap_free(&copies);
}

/* f's body from the prepared primal. Returns 0 after an error. */
static int generate(ct_tgen *t, LLVMValueRef f) {
  ct_gen *g = &t->g;
  begin(t, f);
  classify_warn_lossy_conversions(g);
  classify_reject_atomics(g);
  if (!g->failed)
    stored_pointers_plan(g);
  if (!g->failed)
    forward_build_shadows(g);
  if (!g->failed)
    tangent_instructions(t);
  if (g->failed || !finish(t, f))
    return 0;
  relax_tangent_arithmetic(t, f);
  scopes_tag_forward(g);
  return 1;
}

/* Verifies f (invalid code is an internal error at `site`), then simplifies
 * it, or leaves a stub when generation failed (callers made meanwhile may
 * call it). */
static int finish_function(ct_module *m, const ct_spec *spec, LLVMValueRef f, LLVMValueRef site, int ok) {
  if (ok && ct_switch(CT_SWITCH_DUMP_GRADIENT))
    LLVMDumpValue(f);
  if (ok && LLVMVerifyFunction(f, LLVMPrintMessageAction)) {
    if (ct_switch(CT_SWITCH_DEBUG))
      LLVMDumpValue(f);
    diag_report(spec->fn, site, CT_SEV_ERROR,
                "internal error: Cotangent generated invalid code for this derivative; please report");
    ok = 0;
  }
  if (!ok) {
    LLVMBasicBlockRef bb;
    while ((bb = LLVMGetFirstBasicBlock(f)))
      LLVMDeleteBasicBlock(bb);
    LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, f, "failed"));
    LLVMBuildUnreachable(m->b);
    return 0;
  }
  ct_bridge_simplify_function(f);
  sincos_mark_module(m->mod);
  return 1;
}

/* A tangent function differentiated from fn's body; post (if any) runs on
 * it before it is verified. */
static int build_from_body(ct_module *m, const ct_spec *spec, LLVMValueRef f, ct_tangent_post post, void *data) {
  LLVMValueRef pc = prepare_primal(m, spec->fn);
  if (!pc)
    return 0; /* reported */
  ct_tgen t = {.callee = tangent_get, .mark_copies = post != NULL};
  gradient_analyse_only(&t.g, m, spec, pc);
  t.g.g = t.g.rg = f;
  t.g.tangent = &t;
  t.g.tangent_call_shadow = tangent_call_shadow;
  if (spec->width)
    t.g.vector_shadow = tangent_vector_shadow;
  vmap_init(&t.tangent);
  vmap_init(&t.calls);
  vmap_init(&t.phis);
  int ok = generate(&t, f);
  if (ok && post)
    ok = post(&t, f, data);
  vmap_free(&t.tangent);
  vmap_free(&t.calls);
  vmap_free(&t.phis);
  gradient_release(&t.g);
  return ok;
}

LLVMValueRef tangent_get(ct_module *m, const ct_spec *spec, LLVMValueRef site) {
  char *name = tangent_name(spec);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  if (f) { /* made before, or being made (recursion) */
    free(name);
    return f;
  }
  if (gpu_module_is_simt(m->mod)) {
    char fname[512];
    diag_function_name(spec->fn, fname, sizeof fname);
    diag_report(spec->fn, site, CT_SEV_ERROR,
                "cannot differentiate '%s' in forward mode: GPU (SIMT) code is differentiated in reverse mode only "
                "so far; use ct_gradient there", fname);
    free(name);
    return NULL;
  }
  if (spec->width && tangent_registered(spec->fn) && !blas_is(spec->fn)) {
    char fname[512];
    diag_function_name(spec->fn, fname, sizeof fname);
    diag_report(spec->fn, site, CT_SEV_ERROR,
                "cannot differentiate '%s' in vector forward mode: its registered forward derivative takes one "
                "direction; use ct_derivative (one direction at a time)", fname);
    free(name);
    return NULL;
  }
  f = LLVMAddFunction(m->mod, name, tangent_type(m, spec));
  free(name);
  LLVMSetLinkage(f, LLVMInternalLinkage);
  ir_copy_attributes(spec->fn, f, LLVMAttributeFunctionIndex);
  /* f's parameter indices do not name this function's (values and tangents): kept, they kept it from being
     inlined into a function differentiated in turn (reverse over forward) */
  LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  int ok = spec->width && blas_is(spec->fn) ? blas_build_lanes(m, spec, f) /* one direction at a time */
           : tangent_registered(spec->fn)      ? tangent_build_registered(m, spec, f, site)
                                               : build_from_body(m, spec, f, NULL, NULL);
  return finish_function(m, spec, f, site, ok) ? f : NULL;
}

int tangent_build_into(ct_module *m, const ct_spec *spec, LLVMValueRef f, LLVMValueRef site, ct_tangent_post post,
                       void *data) {
  return finish_function(m, spec, f, site, build_from_body(m, spec, f, post, data));
}
