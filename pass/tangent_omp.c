/* Forward mode (tangent.h) through OpenMP parallel regions.
 *
 * Forward mode has no tape, so a parallel region's tangent is the region
 * again with tangents: the fork
 *
 *   __kmpc_fork_call(ident, n, outlined, captured...)
 *
 * becomes a fork of the body's tangent function (tangent_get on the
 * outlined function; gtid and btid constant, captured pointers followed by
 * their shadows, doubles captured by copy by their tangents):
 *
 *   __kmpc_fork_call(ident, n', outlined.ct_fwd.<codes>.fork, captured and
 *                    their shadows or tangents...)
 *
 * where the wrapper turns the doubles back from the integer bits they
 * travel in through the fork's varargs (as omp.c's wrappers do). Each
 * thread runs the tangent of the iterations the worksharing calls give it;
 * the tangents of shared memory are written where the primal writes (a
 * thread's own elements, or inside the critical sections and atomics the
 * primal uses: reductions are critical sections in the prepared copy, see
 * omp.c, and an atomic fadd adds the tangent atomically into the shadow). */
#include "tangent.h"

#include <stdlib.h>
#include <string.h>

/* void w(gtid*, btid*, args...): calls tfn with the doubles among args
 * (value or tangent) passed as i64 bits. */
static LLVMValueRef fork_wrapper(ct_gen *g, LLVMValueRef tfn) {
  ct_module *m = g->m;
  size_t len = 0;
  const char *tname = LLVMGetValueName2(tfn, &len);
  char *name = util_format("%.*s.fork", (int)len, tname);
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, name);
  if (w) {
    free(name);
    return w;
  }
  LLVMTypeRef tty = LLVMGlobalGetValueType(tfn);
  unsigned n = LLVMCountParamTypes(tty);
  LLVMTypeRef *tparams = malloc((n ? n : 1) * sizeof *tparams), *params = malloc((n ? n : 1) * sizeof *params);
  LLVMGetParamTypes(tty, tparams);
  for (unsigned k = 0; k < n; ++k)
    params[k] = type_is_fp(tparams[k]) ? g->i64_ty : tparams[k];
  w = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, n, 0));
  free(name);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  LLVMValueRef *args = malloc((n ? n : 1) * sizeof *args);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef a = LLVMGetParam(w, k);
    args[k] = type_is_fp(tparams[k]) ? LLVMBuildBitCast(b, a, tparams[k], "") : a;
  }
  LLVMBuildCall2(b, tty, tfn, args, n, "");
  LLVMBuildRetVoid(b);
  LLVMDisposeBuilder(b);
  free(tparams);
  free(params);
  free(args);
  return w;
}

void tangent_omp_fork(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  ct_spec spec;
  if (!omp_fork_spec(g, inst, &spec))
    return; /* reported */
  spec.split = 0;
  LLVMValueRef tfn = t->callee(g->m, &spec, inst);
  if (!tfn) {
    g->failed = 1;
    return;
  }
  LLVMValueRef copy = vmap_get(&g->fwd, inst);
  LLVMBuilderRef b = g->m->b;
  LLVMPositionBuilderBefore(b, copy);
  unsigned nargs = 0;
  LLVMValueRef *args = malloc(2 * spec.nparams * sizeof *args);
  for (unsigned p = 2; p < spec.nparams; ++p) {
    LLVMValueRef op = LLVMGetOperand(inst, p + 1);
    args[nargs++] = LLVMGetOperand(copy, p + 1);
    if (spec.act[p] == ACT_ACTIVE) { /* a double captured by copy, as i64 bits */
      LLVMValueRef d = omp_captured_double(g, op);
      args[nargs++] = LLVMBuildBitCast(b, tangent_of(t, d), g->i64_ty, "");
    } else if (spec.act[p] == ACT_DUP) {
      LLVMValueRef s = vmap_get(&g->shadow, op);
      if (!s) {
        gen_fail(g, inst, "passes differentiable memory into a parallel region through a pointer Cotangent has no "
                 "shadow for", "pass every pointer to differentiable data with a shadow");
        free(args);
        return;
      }
      args[nargs++] = s;
    }
  }
  LLVMTypeRef fparams[3] = {g->ptr_ty, g->i32_ty, g->ptr_ty};
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), fparams, 3, 1);
  LLVMValueRef fork = ir_declare_function(g->m->mod, "__kmpc_fork_call", fty, NULL);
  LLVMValueRef *all = malloc((nargs + 3) * sizeof *all);
  all[0] = LLVMGetOperand(copy, 0);
  all[1] = LLVMConstInt(g->i32_ty, nargs, 0);
  all[2] = fork_wrapper(g, tfn);
  memcpy(all + 3, args, nargs * sizeof *args);
  LLVMBuildCall2(b, fty, fork, all, nargs + 3, "");
  free(all);
  free(args);
  LLVMInstructionEraseFromParent(copy);
  vmap_set(&g->fwd, inst, NULL);
}
