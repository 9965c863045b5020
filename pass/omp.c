/* OpenMP parallel regions (clang's libomp lowering).
 *
 * `#pragma omp parallel` becomes __kmpc_fork_call(ident, n, outlined,
 * captured...), where outlined(gtid*, btid*, captured...) is the region's
 * body run by every thread. A fork with differentiable captured data is
 * differentiated like a call in split mode:
 *
 *   forward   r = __ct_omp_region_new(); fork(aug wrapper, r, captured and
 *             their shadows): each thread runs the body's augmented forward
 *             and leaves its tape in r (lib/omp.c);
 *   reverse   fork the reverse wrapper with the forward's team size: thread
 *             t runs the body's reverse on tape t. The tape replays the
 *             iterations each thread got, so static and dynamic schedules
 *             need no worksharing calls in the reverse.
 *
 * Inside the body, adjoints added into shared memory are atomic
 * (ct_gen.atomic_shadow_adds). Critical sections and reductions (which
 * become critical sections in the prepared copy) are the runtime's ticket
 * locks, re-entered in the opposite order by the reverse; barriers are
 * mirrored. Constructs with a cross-thread order the tape cannot replay
 * (tasks, ordered, copyprivate, OpenMP locks, ...) are rejected. */
#include "gen.h"
#include "release.h"

#include <llvm-c/DebugInfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int callee_is(LLVMValueRef inst, const char *name) {
  size_t len = 0;
  const char *n = util_callee_name(inst, &len);
  return n && len == strlen(name) && !memcmp(n, name, len);
}

static int callee_has_prefix(LLVMValueRef inst, const char *prefix) {
  size_t len = 0;
  const char *n = util_callee_name(inst, &len);
  return n && len >= strlen(prefix) && !memcmp(n, prefix, strlen(prefix));
}

/* ---- the prepared copy ---- */

/* Runtime entry points that mean a construct the reverse cannot replay. */
static const struct {
  const char *prefix, *construct;
} REJECTED[] = {
    {"__kmpc_omp_task", "omp task"},          {"__kmpc_taskloop", "omp taskloop"},
    {"__kmpc_taskgroup", "omp taskgroup"},    {"__kmpc_end_taskgroup", "omp taskgroup"},
    {"__kmpc_ordered", "omp ordered"},        {"__kmpc_doacross", "omp ordered depend"},
    {"__kmpc_copyprivate", "copyprivate"},    {"__kmpc_fork_teams", "omp teams"},
    {"__kmpc_fork_call_if", "the if clause of omp parallel"},
    {"__kmpc_omp_wait_deps", "task dependences"}, {"__kmpc_task_reduction", "task reductions"},
    {"__kmpc_taskred", "task reductions"},    {"__kmpc_threadprivate", "threadprivate"},
    {"__kmpc_scope", "omp scope"},            {"__kmpc_cancel", "omp cancel"},
    {"__kmpc_alloc", "omp allocate"},         {"__kmpc_aligned_alloc", "omp allocate"},
    {"__tgt_", "omp target"},
    {"omp_init_lock", "omp locks (omp_set_lock)"}, {"omp_init_nest_lock", "omp locks (omp_set_lock)"},
    {"omp_set_lock", "omp locks (omp_set_lock)"}, {"omp_unset_lock", "omp locks (omp_set_lock)"},
    {"omp_test_lock", "omp locks (omp_set_lock)"}, {"omp_set_nest_lock", "omp locks (omp_set_lock)"},
    {"omp_unset_nest_lock", "omp locks (omp_set_lock)"}, {"omp_test_nest_lock", "omp locks (omp_set_lock)"},
};

/* OpenMP API functions that neither read nor write differentiable data. */
static const char *const INERT_API[] = {
    "omp_get_thread_num", "omp_get_num_threads", "omp_get_max_threads", "omp_get_num_procs",
    "omp_in_parallel", "omp_get_level", "omp_get_active_level", "omp_get_ancestor_thread_num",
    "omp_get_team_size", "omp_get_wtime", "omp_get_wtick", "omp_get_dynamic", "omp_get_nested",
    "omp_get_thread_limit", "omp_get_max_active_levels", "omp_in_final", "omp_get_num_teams",
    "omp_get_team_num", "omp_get_cancellation", "omp_get_proc_bind", "omp_get_num_places",
    "omp_get_place_num", "omp_set_num_threads", "omp_set_dynamic", "omp_set_nested",
    "omp_set_max_active_levels", NULL};

static LLVMValueRef call(ct_module *m, LLVMBuilderRef b, const char *name, LLVMTypeRef ret, LLVMValueRef *args,
                         unsigned n) {
  LLVMTypeRef types[8];
  for (unsigned i = 0; i < n; ++i)
    types[i] = LLVMTypeOf(args[i]);
  return ir_build_call(b, m->mod, name, LLVMFunctionType(ret, types, n, 0), args, n, "");
}

int omp_prepare(ct_module *m, LLVMValueRef user_fn, LLVMValueRef copy) {
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx), i64 = LLVMInt64TypeInContext(m->ctx);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  int ok = 1;
  unsigned long long reported = 0; /* one error per construct */
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(copy); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      if (!LLVMIsACallInst(inst) || !(callee_has_prefix(inst, "__") || callee_has_prefix(inst, "omp_")))
        continue;
      for (size_t k = 0; k < sizeof REJECTED / sizeof REJECTED[0]; ++k)
        if (callee_has_prefix(inst, REJECTED[k].prefix)) {
          ok = 0;
          if (reported >> k & 1)
            break;
          reported |= 1ull << k;
          size_t len = 0;
          const char *name = LLVMGetValueName2(user_fn, &len);
          const char *dot = memchr(name, '.', len);
          diag_report(user_fn, inst, CT_SEV_ERROR,
                      "cannot differentiate '%.*s': '%s' is not supported in differentiated code; Cotangent "
                      "differentiates omp parallel, omp for (static and dynamic schedules), reduction, "
                      "firstprivate, critical, atomic, single, master and barriers",
                      (int)(dot ? (size_t)(dot - name) : len), name, REJECTED[k].construct);
          break;
        }
      int enter = callee_is(inst, "__kmpc_critical") || callee_is(inst, "__kmpc_critical_with_hint");
      int reduce = callee_is(inst, "__kmpc_reduce_nowait") || callee_is(inst, "__kmpc_reduce");
      int leave = callee_is(inst, "__kmpc_end_critical") || callee_is(inst, "__kmpc_end_reduce_nowait");
      int leave_barrier = callee_is(inst, "__kmpc_end_reduce");
      if (!enter && !reduce && !leave && !leave_barrier)
        continue;
      /* the lock variable names the critical section */
      LLVMValueRef name = LLVMGetOperand(inst, reduce ? 6 : 2);
      LLVMPositionBuilderBefore(b, inst);
      LLVMSetCurrentDebugLocation2(b, LLVMInstructionGetDebugLoc(inst));
      if (enter || reduce)
        call(m, b, "__ct_omp_critical_enter", voidt, &name, 1);
      else
        call(m, b, "__ct_omp_critical_exit", i64, &name, 1);
      if (leave_barrier) { /* the blocking reduction ends with a barrier */
        LLVMValueRef args[2] = {LLVMGetOperand(inst, 0), LLVMGetOperand(inst, 1)};
        LLVMTypeRef pt[2] = {LLVMTypeOf(args[0]), i32};
        ir_build_call(b, m->mod, "__kmpc_barrier", LLVMFunctionType(voidt, pt, 2, 0), args, 2, "");
      }
      /* every thread combines its partial result itself, in the critical
         section (the reduction's case 1) */
      if (reduce)
        LLVMReplaceAllUsesWith(inst, LLVMConstInt(i32, 1, 0));
      LLVMInstructionEraseFromParent(inst);
    }
  LLVMDisposeBuilder(b);
  return ok;
}

/* ---- classification ---- */

static int is_sync(LLVMValueRef inst) {
  return callee_is(inst, "__ct_omp_critical_enter") || callee_is(inst, "__ct_omp_critical_exit") ||
         callee_is(inst, "__kmpc_barrier");
}

/* `#pragma omp atomic` x += v (clang's atomicrmw fadd/fsub) whose old value
 * is unused: v's adjoint is x's adjoint, which stays. */
static int is_atomic_update(ct_gen *g, LLVMValueRef inst) {
  if (!LLVMIsAAtomicRMWInst(inst) || adjoint_has(g, inst))
    return 0;
  LLVMAtomicRMWBinOp op = LLVMGetAtomicRMWBinOp(inst);
  return (op == LLVMAtomicRMWBinOpFAdd || op == LLVMAtomicRMWBinOpFSub) &&
         vmap_get(&g->active, LLVMGetOperand(inst, 0));
}

int omp_classify(ct_gen *g, LLVMValueRef inst) {
  if (LLVMIsAAtomicRMWInst(inst))
    return is_atomic_update(g, inst) ? REV_OMP_SYNC : -1;
  if (!LLVMIsACallInst(inst))
    return -1;
  if (ir_is_omp_fork(inst)) {
    unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
    for (unsigned k = 3; k < n; ++k) {
      LLVMValueRef op = LLVMGetOperand(inst, k);
      if (vmap_get(&g->active, op) || (LLVMIsABitCastInst(op) && adjoint_has(g, LLVMGetOperand(op, 0))))
        return REV_OMP_FORK;
    }
    return REV_NONE;
  }
  if (is_sync(inst))
    return REV_OMP_SYNC;
  /* worksharing, thread numbers, single/master: the forward copy runs
     them, the tape records what they decided */
  if (callee_has_prefix(inst, "__kmpc_") || callee_has_prefix(inst, "__ct_omp_") ||
      ir_callee_is(inst, INERT_API))
    return REV_NONE;
  return -1;
}

/* A differentiable double captured by copy (firstprivate) travels through
 * the fork as the bits of an i64: the double, or NULL. */
LLVMValueRef omp_captured_double(ct_gen *g, LLVMValueRef op) {
  if (!LLVMIsABitCastInst(op) || LLVMTypeOf(op) != g->i64_ty)
    return NULL;
  LLVMValueRef d = LLVMGetOperand(op, 0);
  return LLVMGetTypeKind(LLVMTypeOf(d)) == LLVMDoubleTypeKind && adjoint_has(g, d) ? d : NULL;
}

/* A copy of the region's body whose i64 parameters marked in `fp` take the
 * double itself (so the body's arithmetic on it is differentiated). */
static LLVMValueRef fp_variant(ct_gen *g, LLVMValueRef outlined, const char *fp) {
  ct_module *m = g->m;
  size_t len = 0;
  const char *oname = LLVMGetValueName2(outlined, &len);
  char *name = util_format("%.*s.ct_fp.%s", (int)len, oname, fp);
  LLVMValueRef v = LLVMGetNamedFunction(m->mod, name);
  if (v) {
    free(name);
    return v;
  }
  unsigned n = LLVMCountParams(outlined);
  LLVMTypeRef *params = malloc(n * sizeof *params);
  LLVMGetParamTypes(LLVMGlobalGetValueType(outlined), params);
  for (unsigned p = 0; p < n; ++p)
    if (fp[p] == 'd')
      params[p] = LLVMDoubleTypeInContext(m->ctx);
  v = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, n, 0));
  free(params);
  free(name);
  LLVMSetLinkage(v, LLVMInternalLinkage);
  ir_copy_attributes(outlined, v, LLVMAttributeFunctionIndex);
  LLVMBasicBlockRef args = LLVMAppendBasicBlockInContext(m->ctx, v, "ct.args");
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, args);
  ct_vmap map;
  vmap_init(&map);
  LLVMValueRef casts[CT_MAX_PARAMS] = {0};
  for (unsigned p = 0; p < n; ++p) {
    LLVMValueRef np = LLVMGetParam(v, p);
    if (fp[p] == 'd')
      np = casts[p] = LLVMBuildBitCast(b, np, g->i64_ty, "");
    vmap_set(&map, LLVMGetParam(outlined, p), np);
  }
  clone_blocks(m, outlined, v, &map);
  /* the casts go to the top of the copied entry block (allocas stay in
     the entry block) */
  LLVMBasicBlockRef entry = LLVMValueAsBasicBlock(vmap_get(&map, LLVMBasicBlockAsValue(LLVMGetFirstBasicBlock(outlined))));
  LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(entry));
  for (unsigned p = 0; p < n; ++p)
    if (casts[p]) {
      LLVMInstructionRemoveFromParent(casts[p]);
      LLVMInsertIntoBuilder(b, casts[p]);
    }
  LLVMDeleteBasicBlock(args);
  vmap_free(&map);
  LLVMDisposeBuilder(b);
  return v;
}

int omp_fork_spec(ct_gen *g, LLVMValueRef inst, ct_spec *spec) {
  LLVMValueRef outlined = LLVMGetOperand(inst, 2);
  unsigned n = (unsigned)LLVMGetNumArgOperands(inst);
  if (!LLVMIsAFunction(outlined) || LLVMIsDeclaration(outlined) || LLVMCountParams(outlined) != n - 1 ||
      n - 1 > CT_MAX_PARAMS) {
    gen_fail(g, inst, "forks a parallel region Cotangent cannot follow", NULL);
    return 0;
  }
  *spec = (ct_spec){.fn = outlined, .nparams = n - 1, .split = 1, .concurrent = 1};
  char fp[CT_MAX_PARAMS + 1];
  int any_fp = 0;
  for (unsigned p = 0; p < n - 1; ++p) {
    LLVMValueRef op = p < 2 ? NULL : LLVMGetOperand(inst, p + 1);
    spec->act[p] = ACT_CONST;
    fp[p] = '_';
    if (op && omp_captured_double(g, op)) {
      spec->act[p] = ACT_ACTIVE;
      fp[p] = 'd';
      any_fp = 1;
      continue;
    }
    if (!op || !vmap_get(&g->active, op))
      continue;
    if (LLVMGetTypeKind(LLVMTypeOf(op)) == LLVMPointerTypeKind) {
      spec->act[p] = ACT_DUP;
      continue;
    }
    gen_fail_plain(g, inst,
                   "passes a differentiable floating-point value by value into a parallel region "
                   "in a form Cotangent cannot follow",
                   "make it shared, or a double");
    return 0;
  }
  fp[n - 1] = 0;
  if (any_fp)
    spec->fn = fp_variant(g, outlined, fp);
  /* other differentiable values captured by copy (float) travel as
     integer bits Cotangent does not follow */
  for (unsigned k = 3; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, k);
    if (LLVMIsAZExtInst(op))
      op = LLVMGetOperand(op, 0);
    if (!omp_captured_double(g, op) && LLVMIsABitCastInst(op) && adjoint_has(g, LLVMGetOperand(op, 0))) {
      gen_fail_plain(g, inst,
                     "passes a differentiable float by value into a parallel region (firstprivate)",
                     "make it shared, or a double (doubles captured by copy are differentiated)");
      return 0;
    }
  }
  return 1;
}

unsigned omp_needs(ct_gen *g, LLVMValueRef inst, const ct_spec *spec, ct_need *out) {
  (void)g;
  unsigned n = 0;
  if (LLVMIsAAtomicRMWInst(inst)) {
    out[n++] = (ct_need){LLVMGetOperand(inst, 0), NEED_SHADOW};
    return n;
  }
  if (callee_is(inst, "__ct_omp_critical_exit")) {
    out[n++] = (ct_need){inst, NEED_VALUE}; /* the ticket */
    return n;
  }
  if (!ir_is_omp_fork(inst))
    return 0;
  for (unsigned p = 2; p < spec->nparams; ++p) {
    LLVMValueRef op = LLVMGetOperand(inst, p + 1);
    out[n++] = (ct_need){op, NEED_VALUE};
    if (spec->act[p] == ACT_DUP)
      out[n++] = (ct_need){op, NEED_SHADOW};
  }
  out[n++] = (ct_need){LLVMGetOperand(inst, 0), NEED_VALUE};
  out[n++] = (ct_need){inst, NEED_CALL_TAPE}; /* the region record */
  return n;
}

/* ---- fork wrappers ----
 * forward: void w(gtid*, btid*, region, captured + shadows...)
 * reverse: void w(gtid*, btid*, region, i64 keep, captured + shadows...) */
static LLVMValueRef fork_wrapper(ct_gen *g, LLVMValueRef target, int reverse) {
  ct_module *m = g->m;
  size_t len = 0;
  const char *tname = LLVMGetValueName2(target, &len);
  char *name = util_format("%.*s.fork", (int)len, tname);
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, name);
  if (w) {
    free(name);
    return w;
  }
  LLVMTypeRef tty = LLVMGlobalGetValueType(target);
  unsigned ntp = LLVMCountParamTypes(tty);
  LLVMTypeRef *tparams = malloc((ntp + 1) * sizeof *tparams);
  LLVMGetParamTypes(tty, tparams);
  /* the reverse's trailing (tape, keep) come from the region record */
  unsigned ncap = reverse ? ntp - 4 : ntp - 2;
  LLVMTypeRef *params = malloc((2 * ncap + 4) * sizeof *params);
  unsigned np = 0, nfp = 0;
  params[np++] = g->ptr_ty;
  params[np++] = g->ptr_ty;
  params[np++] = g->ptr_ty;
  if (reverse)
    params[np++] = g->i64_ty;
  for (unsigned k = 0; k < ncap; ++k)
    nfp += type_is_fp(tparams[2 + k]);
  if (reverse) /* where each thread adds the adjoints of captured doubles */
    for (unsigned k = 0; k < nfp; ++k)
      params[np++] = g->ptr_ty;
  unsigned first_cap = np;
  /* doubles go through the fork's varargs as integer bits */
  for (unsigned k = 0; k < ncap; ++k)
    params[np++] = type_is_fp(tparams[2 + k]) ? g->i64_ty : tparams[2 + k];
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx), i32 = g->i32_ty;
  w = LLVMAddFunction(m->mod, name, LLVMFunctionType(voidt, params, np, 0));
  free(name);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  LLVMValueRef tid = call(m, b, "omp_get_thread_num", i32, NULL, 0);
  LLVMValueRef nt = call(m, b, "omp_get_num_threads", i32, NULL, 0);
  LLVMValueRef region = LLVMGetParam(w, 2);
  LLVMValueRef *args = malloc((ntp + 1) * sizeof *args);
  unsigned na = 0;
  args[na++] = LLVMGetParam(w, 0);
  args[na++] = LLVMGetParam(w, 1);
  for (unsigned k = 0; k < ncap; ++k) {
    LLVMValueRef a = LLVMGetParam(w, first_cap + k);
    args[na++] = type_is_fp(tparams[2 + k]) ? LLVMBuildBitCast(b, a, tparams[2 + k], "") : a;
  }
  if (!reverse) {
    LLVMValueRef eargs[3] = {region, tid, nt};
    LLVMValueRef prev = call(m, b, "__ct_omp_enter_forward", g->ptr_ty, eargs, 3);
    LLVMValueRef res = LLVMBuildCall2(b, tty, target, args, na, "");
    LLVMValueRef largs[4] = {region, tid, LLVMBuildExtractValue(b, res, 0, "tape"), prev};
    call(m, b, "__ct_omp_leave_forward", voidt, largs, 4);
  } else {
    LLVMValueRef slot = LLVMBuildAlloca(b, g->ptr_ty, "tape.slot");
    LLVMValueRef eargs[4] = {region, tid, nt, slot};
    LLVMValueRef prev = call(m, b, "__ct_omp_enter_reverse", g->ptr_ty, eargs, 4);
    args[na++] = LLVMBuildLoad2(b, g->ptr_ty, slot, "tape");
    args[na++] = LLVMBuildTrunc(b, LLVMGetParam(w, 3), LLVMInt1TypeInContext(m->ctx), "keep");
    LLVMValueRef res = LLVMBuildCall2(b, tty, target, args, na, "");
    release_mark_reverse_call(m, res);
    for (unsigned k = 0; k < nfp; ++k)
      LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpFAdd, LLVMGetParam(w, 4 + k), LLVMBuildExtractValue(b, res, k, ""),
                         LLVMAtomicOrderingMonotonic, 0);
    call(m, b, "__ct_omp_leave_reverse", voidt, &prev, 1);
  }
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  if (reverse) /* its twin, for ct_pullback_free (release.c) */
    release_make(m, w, 3);
  free(tparams);
  free(params);
  free(args);
  return w;
}

static LLVMValueRef build_fork(ct_gen *g, LLVMValueRef ident, LLVMValueRef w, LLVMValueRef *args, unsigned n) {
  LLVMTypeRef fparams[3] = {g->ptr_ty, g->i32_ty, g->ptr_ty};
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), fparams, 3, 1);
  LLVMValueRef fork = ir_declare_function(g->m->mod, "__kmpc_fork_call", fty, NULL);
  LLVMValueRef *all = malloc((n + 3) * sizeof *all);
  all[0] = ident;
  all[1] = LLVMConstInt(g->i32_ty, n, 0);
  all[2] = w;
  memcpy(all + 3, args, n * sizeof *args);
  LLVMValueRef c = LLVMBuildCall2(g->m->b, fty, fork, all, n + 3, "");
  free(all);
  return c;
}

/* The captured arguments (and shadows) of the fork, as the body's split
 * gradient takes them, through `value` and `shadow`. */
static unsigned fork_args(ct_gen *g, LLVMValueRef inst, LLVMValueRef *out, int reverse) {
  ct_spec spec;
  omp_fork_spec(g, inst, &spec);
  unsigned n = 0;
  for (unsigned p = 2; p < spec.nparams; ++p) {
    LLVMValueRef op = LLVMGetOperand(inst, p + 1);
    if (reverse) {
      out[n++] = rev_value(g, op);
      if (spec.act[p] == ACT_DUP)
        out[n++] = rev_shadow(g, op);
    } else {
      LLVMValueRef fv = vmap_get(&g->fwd, op);
      out[n++] = fv ? fv : op;
      if (spec.act[p] == ACT_DUP)
        out[n++] = vmap_get(&g->shadow, op);
    }
  }
  return n;
}

void omp_forward_fork(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  LLVMValueRef copy = vmap_get(&g->fwd, inst);
  LLVMPositionBuilderBefore(m->b, copy);
  LLVMValueRef region = call(m, m->b, "__ct_omp_region_new", g->ptr_ty, NULL, 0);
  LLVMValueRef w = fork_wrapper(g, vmap_get(&g->call_aug, inst), 0);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 2];
  args[0] = region;
  unsigned n = 1 + fork_args(g, inst, args + 1, 0);
  LLVMValueRef ident = LLVMGetOperand(copy, 0);
  build_fork(g, ident, w, args, n);
  vmap_set(&g->call_tape, inst, region);
  LLVMInstructionEraseFromParent(copy);
}

static LLVMValueRef thread_num(ct_gen *g, LLVMValueRef ident) {
  return call(g->m, g->m->b, "__kmpc_global_thread_num", g->i32_ty, &ident, 1);
}

void omp_reverse(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  LLVMBuilderRef b = m->b;
  LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx);
  if (LLVMIsAAtomicRMWInst(inst)) {
    LLVMValueRef v = LLVMGetOperand(inst, 1);
    LLVMValueRef d = LLVMBuildLoad2(b, LLVMTypeOf(v), rev_shadow(g, LLVMGetOperand(inst, 0)), "");
    if (LLVMGetAtomicRMWBinOp(inst) == LLVMAtomicRMWBinOpFSub)
      d = LLVMBuildFNeg(b, d, "");
    adjoint_add(g, v, d);
    return;
  }
  LLVMValueRef name = LLVMGetOperand(inst, 0);
  if (callee_is(inst, "__ct_omp_critical_enter")) {
    call(m, b, "__ct_omp_critical_reverse_exit", voidt, &name, 1);
    return;
  }
  if (callee_is(inst, "__ct_omp_critical_exit")) {
    LLVMValueRef args[2] = {name, rev_value(g, inst)};
    call(m, b, "__ct_omp_critical_reverse_enter", voidt, args, 2);
    return;
  }
  if (callee_is(inst, "__kmpc_barrier")) {
    LLVMValueRef ident = rev_value(g, LLVMGetOperand(inst, 0));
    LLVMValueRef args[2] = {ident, thread_num(g, ident)};
    call(m, b, "__kmpc_barrier", voidt, args, 2);
    return;
  }
  /* the fork: the reverse wrapper with the forward's team size */
  LLVMValueRef region = vmap_get(&g->popped[NEED_CALL_TAPE], inst);
  LLVMValueRef ident = rev_value(g, LLVMGetOperand(inst, 0));
  LLVMValueRef nt = call(m, b, "__ct_omp_team_size", g->i32_ty, &region, 1);
  LLVMValueRef pargs[3] = {ident, thread_num(g, ident), nt};
  call(m, b, "__kmpc_push_num_threads", voidt, pargs, 3);
  LLVMValueRef w = fork_wrapper(g, vmap_get(&g->call_rev, inst), 1);
  LLVMValueRef args[3 * CT_MAX_PARAMS + 3];
  args[0] = region;
  args[1] = LLVMBuildZExt(b, g->keep, g->i64_ty, "");
  unsigned n = 2;
  /* captured doubles: each thread adds its adjoint into a zeroed cell */
  LLVMValueRef cells[CT_MAX_PARAMS], doubles[CT_MAX_PARAMS];
  unsigned ncells = 0;
  unsigned nops = (unsigned)LLVMGetNumArgOperands(inst);
  for (unsigned k = 3; k < nops; ++k) {
    LLVMValueRef d = omp_captured_double(g, LLVMGetOperand(inst, k));
    if (!d)
      continue;
    doubles[ncells] = d;
    cells[ncells] = LLVMBuildAlloca(g->ab, LLVMTypeOf(d), "ct.omp.cell");
    LLVMBuildStore(b, LLVMConstNull(LLVMTypeOf(d)), cells[ncells]);
    args[n++] = cells[ncells++];
  }
  n += fork_args(g, inst, args + n, 1);
  release_mark_reverse_call(m, build_fork(g, ident, w, args, n));
  for (unsigned k = 0; k < ncells; ++k)
    adjoint_add(g, doubles[k], LLVMBuildLoad2(b, LLVMTypeOf(doubles[k]), cells[k], ""));
  LLVMValueRef dargs[2] = {region, LLVMBuildZExt(b, g->keep, g->i32_ty, "")};
  call(m, b, "__ct_omp_region_done", voidt, dargs, 2);
}
