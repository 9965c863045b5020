/* BLAS and LAPACK calls. Scientific C calls cblas_dgemm, LAPACKE_dposv and
 * friends rather than writing loops; their bodies are in a library, so the
 * pass cannot differentiate them. Each routine of the table below gets, at
 * PipelineStart, what a user gets from CT_DERIVATIVE_IS and CT_ACCESS: a
 * pullback in the runtime (lib/blas.c, lib/lapack.c: BLAS calls themselves,
 * dA += dC B^T ...) and one access letter per parameter (as CT_ACCESS,
 * cotangent.h), plus
 *   'o'  the routine overwrites the array in place and the pullback reads
 *        its old contents: copied to the tape right before the call;
 * and an extent function (`<pullback>_extent`) that gives an array
 * argument's bytes from layout, transposes, sizes, leading dimension and
 * stride, so an array overwritten after the call is copied like the
 * runtime kernels' arrays. Scalars: the pullback gets NULL for the adjoint
 * of a constant alpha (its work is skipped); an active beta is refused.
 *
 * Routines named like BLAS or LAPACK but not in the table (complex types,
 * eigenproblems, ...) are refused with a hint naming what is covered. */
#include "blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLAS_ATTR "ct-blas"

typedef struct {
  const char *name;   /* '?' stands for the type letter, d or s */
  const char *access; /* one letter per parameter */
  int beta;           /* the parameter refused when active, or -1 */
} blas_routine;

static const blas_routine ROUTINES[] = {
    {"cblas_?dot", ".r.r.", -1},
    {"cblas_?axpy", "..r.w.", -1},
    {"cblas_?scal", "..o.", -1},
    {"cblas_?nrm2", ".r.", -1},
    {"cblas_?asum", ".r.", -1},
    {"cblas_?copy", ".i.w.", -1},
    {"cblas_?swap", ".w.w.", -1},
    {"cblas_?rot", ".o.o...", -1},
    {"cblas_?gemv", ".....r.r..w.", 9},
    {"cblas_?symv", "....r.r..w.", 8},
    {"cblas_?trmv", ".....r.o.", -1},
    {"cblas_?trsv", ".....r.u.", -1},
    {"cblas_?ger", "....r.r.w.", -1},
    {"cblas_?gemm", ".......r.r..w.", 11},
    {"cblas_?symm", "......r.r..w.", 10},
    {"cblas_?syrk", "......r..w.", 8},
    {"cblas_?trmm", "........r.o.", -1},
    {"cblas_?trsm", "........r.u.", -1},
    {"?gemm_", "rrrrrrrrrrrwr", 10},
    {"LAPACKE_?potrf", "...u.", -1},
    {"LAPACKE_?potrs", "....r.u.", -1},
    {"LAPACKE_?posv", "....u.u.", -1},
    {"LAPACKE_?getrf", "...u.u", -1},
    {"LAPACKE_?getrs", "....r.ru.", -1},
    {"LAPACKE_?gesv", "...u.uu.", -1},
    {"LAPACKE_?trtrs", "......r.u.", -1},
    {"LAPACKE_?syev", "....o.w", -1},
    {"LAPACKE_?syevd", "....o.w", -1},
};
enum { NROUTINES = sizeof ROUTINES / sizeof ROUTINES[0] };

/* The table entry named `name` (len bytes), its type letter in *type. */
static const blas_routine *lookup(const char *name, size_t len) {
  for (unsigned i = 0; i < NROUTINES; ++i) {
    const char *p = ROUTINES[i].name;
    if (strlen(p) != len)
      continue;
    size_t j = 0;
    for (; j < len; ++j)
      if (p[j] == '?' ? name[j] != 'd' && name[j] != 's' : p[j] != name[j])
        break;
    if (j == len)
      return &ROUTINES[i];
  }
  return NULL;
}

static const blas_routine *routine_of(LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn) || !LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, BLAS_ATTR, 7))
    return NULL;
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  return lookup(name, len);
}

/* The runtime's pullback of routine `name`: __ct_blas_<name>, with the
 * Fortran ?gemm_ under __ct_blas_cblas_?gemm_f. */
static char *pullback_name(const char *name, size_t len) {
  if (name[len - 1] == '_')
    return util_format("__ct_blas_cblas_%.*sf", (int)len, name);
  return util_format("__ct_blas_%.*s", (int)len, name);
}

int blas_register(ct_module *m) {
#ifndef CT_HAVE_BLAS
  (void)m;
  return 0; /* built without CBLAS/LAPACKE: no adjoints to call */
#else
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    const blas_routine *r = LLVMIsDeclaration(f) ? lookup(name, len) : NULL;
    /* a prototype of its own with other parameters (Fortran's hidden
       string lengths) is not the routine of the table */
    if (!r || LLVMCountParams(f) != strlen(r->access) ||
        LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-custom-derivative", 20))
      continue;
    char *p = pullback_name(name, len);
    custom_register_on_target(m, f, p, strlen(p));
    free(p);
    custom_set_access(m, f, r->access, strlen(r->access));
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(m->ctx, BLAS_ATTR, 7, "", 0));
    changed = 1;
  }
  return changed;
#endif
}

int blas_is(LLVMValueRef fn) { return routine_of(fn) != NULL; }

LLVMValueRef blas_forward_derivative(LLVMValueRef fn) {
  if (!routine_of(fn))
    return NULL;
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  if (!strncmp(name, "LAPACKE_", 8))
    return NULL; /* no tangents of the factorizations yet */
  char *fwd = name[len - 1] == '_' ? util_format("__ct_blas_fwd_cblas_%.*sf", (int)len, name)
                                   : util_format("__ct_blas_fwd_%.*s", (int)len, name);
  LLVMModuleRef mod = LLVMGetGlobalParent(fn);
  LLVMValueRef d = LLVMGetNamedFunction(mod, fwd);
  if (!d) {
    LLVMTypeRef fty = LLVMGlobalGetValueType(fn), rty = LLVMGetReturnType(fty);
    unsigned n = LLVMCountParams(fn), k = 0;
    LLVMTypeRef *params = malloc(2 * n * sizeof *params), *have = malloc(n * sizeof *have);
    LLVMGetParamTypes(fty, have);
    for (unsigned i = 0; i < n; ++i) {
      params[k++] = have[i];
      if (type_is_fp(have[i]) || LLVMGetTypeKind(have[i]) == LLVMPointerTypeKind)
        params[k++] = have[i];
    }
    /* { result, tangent } as C returns the struct: two doubles in a pair,
       two floats in one vector register */
    LLVMTypeRef pair[2] = {rty, rty};
    LLVMTypeRef ret = LLVMGetTypeKind(rty) == LLVMVoidTypeKind ? rty
                      : LLVMGetTypeKind(rty) == LLVMFloatTypeKind
                          ? LLVMVectorType(rty, 2)
                          : LLVMStructTypeInContext(LLVMGetModuleContext(mod), pair, 2, 0);
    d = ir_declare_function(mod, fwd, LLVMFunctionType(ret, params, k, 0), NULL);
    free(params);
    free(have);
  }
  free(fwd);
  return d;
}

int blas_reads_old(LLVMValueRef fn, unsigned k) {
  const blas_routine *r = routine_of(fn);
  return r && k < strlen(r->access) && r->access[k] == 'o';
}

LLVMValueRef blas_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  LLVMValueRef fn = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *p = pullback_name(name, len), *ext = util_format("%s_extent", p);
  free(p);
  unsigned n = LLVMCountParams(fn);
  LLVMTypeRef *params = malloc((n + 1) * sizeof *params);
  LLVMValueRef *args = malloc((n + 1) * sizeof *args);
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), params);
  for (unsigned i = 0; i < n; ++i)
    args[i] = value(g, LLVMGetOperand(call, i));
  params[n] = LLVMInt32TypeInContext(g->m->ctx);
  args[n] = LLVMConstInt(params[n], k, 0);
  LLVMTypeRef fty = LLVMFunctionType(g->i64_ty, params, n + 1, 0);
  LLVMValueRef f = ir_declare_function(g->m->mod, ext, fty, NULL);
  LLVMValueRef bytes = LLVMBuildCall2(g->m->b, fty, f, args, n + 1, "ct.blas.bytes");
  free(ext);
  free(params);
  free(args);
  return bytes;
}

/* Does the scalar a Fortran routine gets by address carry a derivative?
 * A local variable does when a differentiable value is stored into it;
 * other memory when it has a shadow. */
static int by_address_active(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef base = ir_base_object(p);
  if (!LLVMIsAAllocaInst(base))
    return vmap_get(&g->active, p) != NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(base); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == base && adjoint_has(g, LLVMGetOperand(user, 0)))
      return 1;
    if (!LLVMIsAStoreInst(user) && !LLVMIsALoadInst(user) && !(LLVMIsACallInst(user) && blas_is(LLVMGetCalledValue(user))) &&
        !LLVMIsAIntrinsicInst(user))
      return vmap_get(&g->active, p) != NULL; /* escapes some other way */
  }
  return 0;
}

int blas_check_call(ct_gen *g, LLVMValueRef call) {
  const blas_routine *r = routine_of(LLVMGetCalledValue(call));
  if (!r || r->beta < 0)
    return 1;
  LLVMValueRef beta = LLVMGetOperand(call, (unsigned)r->beta);
  if (LLVMGetTypeKind(LLVMTypeOf(beta)) == LLVMPointerTypeKind ? !by_address_active(g, beta) : !adjoint_has(g, beta))
    return 1;
  gen_fail(g, call, "passes a beta that depends on the differentiated inputs to a BLAS routine",
           "Cotangent differentiates BLAS calls with respect to alpha and the arrays, not beta (its adjoint "
           "needs the overwritten output); scale the output separately");
  return 0;
}

const char *blas_unsupported_hint(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = fn && LLVMIsAFunction(fn) ? LLVMGetValueName2(fn, &len) : NULL;
  if (!name)
    return NULL;
  int cblas = len > 6 && !strncmp(name, "cblas_", 6), lapacke = len > 8 && !strncmp(name, "LAPACKE_", 8);
  if (!cblas && !lapacke && !lookup(name, len))
    return NULL;
#ifndef CT_HAVE_BLAS
  return "Cotangent was built without CBLAS/LAPACKE (run scripts/setup, which installs libopenblas-dev and "
         "liblapacke-dev, and rebuild): BLAS and LAPACK calls are not differentiated";
#else
  char t = cblas || lapacke ? name[cblas ? 6 : 8] : 0;
  if (t == 'c' || t == 'z' || (cblas && (strstr(name, "_cdot") || strstr(name, "_zdot") || strstr(name, "_sc") ||
                                         strstr(name, "_dz"))))
    return "a BLAS/LAPACK routine on complex numbers: Cotangent differentiates the real (d and s) routines "
           "listed in the README's 'BLAS and LAPACK' section";
  if (lookup(name, len))
    return "a BLAS/LAPACK routine declared with other parameters than the standard interface (include <cblas.h> "
           "/ <lapacke.h>; declare the Fortran ?gemm_ without the hidden string lengths)";
  return "a BLAS/LAPACK routine Cotangent has no derivative for: the routines it differentiates are listed in "
         "the README's 'BLAS and LAPACK' section";
#endif
}
