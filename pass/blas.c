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
 * Forward mode calls the runtime's forward derivative of each routine
 * (`__ct_blas_fwd_<name>`), registered as Enzyme's are.
 *
 * The Fortran symbols (dgemm_, dpotrf_, ...) are declared by C programs
 * either without the hidden string lengths gfortran passes after the
 * arguments, or with them (lapack.h's LAPACK_dpotrf macros): both forms
 * are routines of the table, the second with runtime functions of their
 * own (suffix `_fl`).
 *
 * Routines named like BLAS or LAPACK but not in the table (complex types,
 * least squares, ...) are refused with a hint naming what is covered. */
#include "blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLAS_ATTR "ct-blas"

typedef struct {
  const char *name;   /* '?' stands for the type letter, d or s */
  const char *access; /* one letter per parameter */
  int beta;           /* the parameter refused when active, or -1 */
  int strings;        /* Fortran: the character arguments (hidden lengths) */
} blas_routine;

static const blas_routine ROUTINES[] = {
    {"cblas_?dot", ".r.r.", -1, 0},
    {"cblas_?axpy", "..r.w.", -1, 0},
    {"cblas_?scal", "..o.", -1, 0},
    {"cblas_?nrm2", ".r.", -1, 0},
    {"cblas_?asum", ".r.", -1, 0},
    {"cblas_?copy", ".i.w.", -1, 0},
    {"cblas_?swap", ".w.w.", -1, 0},
    {"cblas_?rot", ".o.o...", -1, 0},
    {"cblas_?gemv", ".....r.r..w.", 9, 0},
    {"cblas_?symv", "....r.r..w.", 8, 0},
    {"cblas_?trmv", ".....r.o.", -1, 0},
    {"cblas_?trsv", ".....r.u.", -1, 0},
    {"cblas_?ger", "....r.r.w.", -1, 0},
    {"cblas_?gemm", ".......r.r..w.", 11, 0},
    {"cblas_?symm", "......r.r..w.", 10, 0},
    {"cblas_?syrk", "......r..w.", 8, 0},
    {"cblas_?trmm", "........r.o.", -1, 0},
    {"cblas_?trsm", "........r.u.", -1, 0},
    {"?gemm_", "rrrrrrrrrrrwr", 10, 2},
    {"LAPACKE_?potrf", "...u.", -1, 0},
    {"LAPACKE_?potrs", "....r.u.", -1, 0},
    {"LAPACKE_?posv", "....u.u.", -1, 0},
    {"LAPACKE_?getrf", "...u.u", -1, 0},
    {"LAPACKE_?getrs", "....r.ru.", -1, 0},
    {"LAPACKE_?gesv", "...u.uu.", -1, 0},
    {"LAPACKE_?trtrs", "......r.u.", -1, 0},
    {"LAPACKE_?syev", "....o.w", -1, 0},
    {"LAPACKE_?syevd", "....o.w", -1, 0},
    {"?potrf_", "rrurw", -1, 1},
    {"?potrs_", "rrrrrurw", -1, 1},
    {"?posv_", "rrrururw", -1, 1},
    {"?getrf_", "rruruw", -1, 0},
    {"?getrs_", "rrrrrrurw", -1, 1},
    {"?gesv_", "rrururuw", -1, 0},
    {"?trtrs_", "rrrrrrrurw", -1, 3},
    {"?syev_", "rrrorwwrw", -1, 2},
    {"?syevd_", "rrrorwwrwrw", -1, 2},
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

/* Does fn's declaration pass the Fortran hidden string lengths? */
static int has_lengths(LLVMValueRef fn, const blas_routine *r) {
  return r->strings && LLVMCountParams(fn) == strlen(r->access) + (unsigned)r->strings;
}

/* The runtime's function for routine fn of the table: its pullback
 * (`kind` ""), forward derivative ("fwd_"): __ct_blas_[fwd_]<name>, with a
 * Fortran symbol under the CBLAS or LAPACKE name with suffix _f (_fl with
 * the hidden string lengths). */
static char *runtime_name(LLVMValueRef fn, const blas_routine *r, const char *kind) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  if (name[len - 1] != '_')
    return util_format("__ct_blas_%s%.*s", kind, (int)len, name);
  const char *family = !strcmp(r->name, "?gemm_") ? "cblas_" : "LAPACKE_";
  return util_format("__ct_blas_%s%s%.*sf%s", kind, family, (int)len, name, has_lengths(fn, r) ? "l" : "");
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
    /* a prototype of its own with other parameters is not the routine of
       the table */
    if (!r || (LLVMCountParams(f) != strlen(r->access) && !has_lengths(f, r)) ||
        LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-custom-derivative", 20))
      continue;
    char *p = runtime_name(f, r, "");
    custom_register_on_target(m, f, p, strlen(p));
    free(p);
    char *access = util_format("%s%.*s", r->access, has_lengths(f, r) ? r->strings : 0, "....");
    custom_set_access(m, f, access, strlen(access));
    free(access);
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(m->ctx, BLAS_ATTR, 7, "", 0));
    changed = 1;
  }
  return changed;
#endif
}

int blas_is(LLVMValueRef fn) { return routine_of(fn) != NULL; }

/* Copies the integer extension attributes of fn's parameters (a char
 * argument is sign-extended by the caller) onto the forward derivative d's
 * corresponding ones. */
static void copy_extensions(LLVMValueRef fn, LLVMValueRef d, const unsigned *at) {
  static const char *const kinds[] = {"signext", "zeroext"};
  for (unsigned i = 0; i < LLVMCountParams(fn); ++i)
    for (int k = 0; k < 2; ++k) {
      unsigned kind = LLVMGetEnumAttributeKindForName(kinds[k], 7);
      LLVMAttributeRef a = LLVMGetEnumAttributeAtIndex(fn, i + 1, kind);
      if (a)
        LLVMAddAttributeAtIndex(d, at[i] + 1, a);
    }
}

LLVMValueRef blas_forward_derivative(LLVMValueRef fn) {
  const blas_routine *r = routine_of(fn);
  if (!r)
    return NULL;
  char *fwd = runtime_name(fn, r, "fwd_");
  LLVMModuleRef mod = LLVMGetGlobalParent(fn);
  LLVMValueRef d = LLVMGetNamedFunction(mod, fwd);
  if (!d) {
    LLVMTypeRef fty = LLVMGlobalGetValueType(fn), rty = LLVMGetReturnType(fty);
    unsigned n = LLVMCountParams(fn), k = 0, *at = malloc((n + 1) * sizeof *at);
    LLVMTypeRef *params = malloc(2 * n * sizeof *params), *have = malloc(n * sizeof *have);
    LLVMGetParamTypes(fty, have);
    for (unsigned i = 0; i < n; ++i) {
      at[i] = k;
      params[k++] = have[i];
      if (type_is_fp(have[i]) || LLVMGetTypeKind(have[i]) == LLVMPointerTypeKind)
        params[k++] = have[i];
    }
    /* { result, tangent } as C returns the struct: two doubles in a pair,
       two floats in one vector register, two ints (LAPACKE's info) in one
       integer register */
    LLVMTypeRef pair[2] = {rty, rty};
    LLVMContextRef ctx = LLVMGetModuleContext(mod);
    LLVMTypeKind kind = LLVMGetTypeKind(rty);
    LLVMTypeRef ret = kind == LLVMVoidTypeKind    ? rty
                      : kind == LLVMFloatTypeKind ? LLVMVectorType(rty, 2)
                      : kind == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(rty) <= 32
                          ? LLVMIntTypeInContext(ctx, 2 * LLVMGetIntTypeWidth(rty))
                          : LLVMStructTypeInContext(ctx, pair, 2, 0);
    d = ir_declare_function(mod, fwd, LLVMFunctionType(ret, params, k, 0), NULL);
    copy_extensions(fn, d, at);
    free(params);
    free(have);
    free(at);
  }
  free(fwd);
  return d;
}

int blas_reads_old(LLVMValueRef fn, unsigned k) {
  const blas_routine *r = routine_of(fn);
  return r && k < strlen(r->access) && r->access[k] == 'o';
}

/* A call of the extent function of fn's routine for argument k (bytes),
 * with fn's arguments args (room for one more). */
static LLVMValueRef extent_call(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef fn, LLVMValueRef *args, unsigned k) {
  char *p = runtime_name(fn, routine_of(fn), ""), *ext = util_format("%s_extent", p);
  free(p);
  LLVMContextRef ctx = LLVMGetModuleContext(mod);
  unsigned n = LLVMCountParams(fn), *at = malloc((n + 1) * sizeof *at);
  LLVMTypeRef *params = malloc((n + 1) * sizeof *params);
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), params);
  for (unsigned i = 0; i < n; ++i)
    at[i] = i;
  params[n] = LLVMInt32TypeInContext(ctx);
  args[n] = LLVMConstInt(params[n], k, 0);
  LLVMTypeRef fty = LLVMFunctionType(LLVMInt64TypeInContext(ctx), params, n + 1, 0);
  int declared = 0;
  LLVMValueRef f = ir_declare_function(mod, ext, fty, &declared);
  if (declared)
    copy_extensions(fn, f, at);
  LLVMValueRef bytes = LLVMBuildCall2(b, fty, f, args, n + 1, "ct.blas.bytes");
  free(ext);
  free(params);
  free(at);
  return bytes;
}

LLVMValueRef blas_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  LLVMValueRef fn = LLVMGetCalledValue(call);
  unsigned n = LLVMCountParams(fn);
  LLVMValueRef *args = malloc((n + 1) * sizeof *args);
  for (unsigned i = 0; i < n; ++i)
    args[i] = value(g, LLVMGetOperand(call, i));
  LLVMValueRef bytes = extent_call(g->m->mod, g->m->b, fn, args, k);
  free(args);
  return bytes;
}

/* ---- vector forward mode ---- */

/* One lane's call of the forward derivative fwd: fn's arguments val, each
 * floating-point one and pointer followed by lane `lane` of its tangent
 * vector tan (zero or NULL where tan has none). Returns the call. */
static LLVMValueRef lane_call(LLVMBuilderRef b, LLVMValueRef fn, LLVMValueRef fwd, LLVMValueRef *val,
                              LLVMValueRef *tan, unsigned lane, LLVMValueRef *args) {
  unsigned n = LLVMCountParams(fn), a = 0;
  LLVMTypeRef *pty = malloc(n * sizeof *pty);
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), pty);
  LLVMValueRef index = LLVMConstInt(LLVMInt32TypeInContext(LLVMGetTypeContext(pty[0])), lane, 0);
  for (unsigned p = 0; p < n; ++p) {
    args[a++] = val[p];
    if (type_is_fp(pty[p]) || LLVMGetTypeKind(pty[p]) == LLVMPointerTypeKind)
      args[a++] = tan[p] ? LLVMBuildExtractElement(b, tan[p], index, "") : LLVMConstNull(pty[p]);
  }
  free(pty);
  return LLVMBuildCall2(b, LLVMGlobalGetValueType(fwd), fwd, args, a, "");
}

int blas_build_lanes(ct_module *m, const ct_spec *spec, LLVMValueRef tfn) {
  LLVMValueRef fn = spec->fn, fwd = blas_forward_derivative(fn);
  const blas_routine *r = routine_of(fn);
  unsigned np = spec->nparams, width = spec->width, k = 0, na = (unsigned)strlen(r->access);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, tfn, "entry"));
  LLVMValueRef *val = malloc((np + 1) * sizeof *val), *tan = calloc(np, sizeof *tan);
  LLVMValueRef *bytes = calloc(np, sizeof *bytes), *keep = calloc(np, sizeof *keep), *ea = malloc((np + 1) * sizeof *ea);
  LLVMValueRef *args = malloc((2 * np + 1) * sizeof *args);
  for (unsigned p = 0; p < np; ++p) {
    val[p] = LLVMGetParam(tfn, k++);
    if (spec->act[p] != ACT_CONST)
      tan[p] = LLVMGetParam(tfn, k++);
  }
  for (unsigned p = 0; p < np && p < na; ++p) /* the arrays the routine writes */
    if (strchr("wuo", r->access[p])) {
      memcpy(ea, val, np * sizeof *ea);
      bytes[p] = extent_call(m->mod, b, fn, ea, p);
    }
  LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(fn)), ret = LLVMGetReturnType(LLVMGlobalGetValueType(tfn));
  int has_ret = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMTypeRef pair[2] = {rty, rty}, natural = LLVMStructTypeInContext(m->ctx, pair, 2, 0);
  LLVMValueRef cell = NULL, value = NULL, dvec = NULL;
  if (has_ret) {
    cell = LLVMBuildAlloca(b, LLVMArrayType2(LLVMInt8TypeInContext(m->ctx), 32), "ct.blas.result");
    LLVMSetAlignment(cell, 16);
    dvec = LLVMGetUndef(LLVMStructGetTypeAtIndex(ret, 1));
  }
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx), ptr = LLVMPointerTypeInContext(m->ctx, 0);
  LLVMTypeRef malloc_ty = LLVMFunctionType(ptr, &i64, 1, 0), free_ty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), &ptr, 1, 0);
  /* each lane runs the routine on the same inputs: the arrays it writes are
     kept before and put back after every lane but the last */
  for (unsigned lane = 0; lane < width; ++lane) {
    int last = lane + 1 == width;
    for (unsigned p = 0; p < np && !last; ++p)
      if (bytes[p]) {
        keep[p] = ir_build_call(b, m->mod, "malloc", malloc_ty, &bytes[p], 1, "ct.blas.keep");
        LLVMBuildMemCpy(b, keep[p], 1, val[p], 1, bytes[p]);
      }
    LLVMValueRef res = lane_call(b, fn, fwd, val, tan, lane, args);
    if (has_ret) {
      LLVMBuildStore(b, res, cell);
      value = LLVMBuildLoad2(b, rty, LLVMBuildStructGEP2(b, natural, cell, 0, ""), "");
      LLVMValueRef d = LLVMBuildLoad2(b, rty, LLVMBuildStructGEP2(b, natural, cell, 1, ""), "");
      dvec = LLVMBuildInsertElement(b, dvec, d, LLVMConstInt(LLVMInt32TypeInContext(m->ctx), lane, 0), "");
    }
    for (unsigned p = 0; p < np && !last; ++p)
      if (bytes[p]) {
        LLVMBuildMemCpy(b, val[p], 1, keep[p], 1, bytes[p]);
        ir_build_call(b, m->mod, "free", free_ty, &keep[p], 1, "");
      }
  }
  if (has_ret) {
    LLVMValueRef agg = LLVMBuildInsertValue(b, LLVMGetUndef(ret), value, 0, "");
    LLVMBuildRet(b, LLVMBuildInsertValue(b, agg, dvec, 1, ""));
  } else {
    LLVMBuildRetVoid(b);
  }
  LLVMDisposeBuilder(b);
  free(val), free(tan), free(bytes), free(keep), free(ea), free(args);
  return 1;
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
           "/ <lapacke.h>, or declare the Fortran routines with or without gfortran's hidden string lengths)";
  return "a BLAS/LAPACK routine Cotangent has no derivative for: the routines it differentiates are listed in "
         "the README's 'BLAS and LAPACK' section";
#endif
}
