/* GPU kernels: what differentiating device code needs beyond ordinary C.
 *
 * A module is SIMT code when it targets NVPTX, or when it calls the host
 * SIMT emulator's hooks (__ct_barrier, __ct_simt_*; see
 * include/cotangent_gpu.h). Then many threads run the same gradient at
 * once and share the shadows of pointer arguments, so adjoints are added
 * into non-private shadow memory atomically; shared arrays (addrspace(3)
 * globals on NVPTX, section ".ct_shared" under emulation) get shadow
 * globals of the same kind, zeroed by the block's threads at the
 * gradient's entry between two barriers; and every barrier of the forward
 * pass is mirrored at the matching point of the reverse pass (reverse.c). */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int starts_with(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && !strncmp(s, prefix, n);
}

int gpu_module_is_simt(LLVMModuleRef mod) {
  if (starts_with(LLVMGetTarget(mod), strlen(LLVMGetTarget(mod)), "nvptx"))
    return 1;
  for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    if (LLVMGetFirstUse(f) && (starts_with(name, len, "__ct_simt_") || starts_with(name, len, "__ct_barrier")))
      return 1;
  }
  return 0;
}

/* Block, warp and cluster barriers of NVPTX (__syncthreads and its
 * counting variants, bar.sync, __syncwarp, cluster barriers), and the host
 * emulator's __ct_barrier. */
int gpu_is_barrier(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  return name && (starts_with(name, len, "llvm.nvvm.barrier") || starts_with(name, len, "llvm.nvvm.bar.") ||
                  (len == 12 && !strncmp(name, "__ct_barrier", 12)));
}

int gpu_is_shared_global(LLVMValueRef gv) {
  if (!gv || !LLVMIsAGlobalVariable(gv) || LLVMIsGlobalConstant(gv))
    return 0;
  if (LLVMGetPointerAddressSpace(LLVMTypeOf(gv)) == 3)
    return 1;
  const char *section = LLVMGetSection(gv);
  return section && !strcmp(section, ".ct_shared");
}

/* A block barrier at the builder's position. */
static void build_barrier(ct_gen *g, LLVMBuilderRef b) {
  LLVMTypeRef voidt = LLVMVoidTypeInContext(g->m->ctx);
  int nvptx = starts_with(LLVMGetTarget(g->m->mod), strlen(LLVMGetTarget(g->m->mod)), "nvptx");
  ir_build_call(b, g->m->mod, nvptx ? "llvm.nvvm.barrier0" : "__ct_barrier", LLVMFunctionType(voidt, NULL, 0, 0), NULL, 0,
                "");
}

void gpu_mirror_barrier(ct_gen *g, LLVMValueRef barrier, LLVMValueRef *args) {
  if (LLVMGetTypeKind(LLVMTypeOf(barrier)) != LLVMVoidTypeKind) {
    build_barrier(g, g->m->b); /* __syncthreads_count/and/or: a plain one */
    return;
  }
  unsigned n = (unsigned)LLVMGetNumArgOperands(barrier);
  LLVMBuildCall2(g->m->b, LLVMGetCalledFunctionType(barrier), LLVMGetCalledValue(barrier), args, n, "");
}

/* The shadow global of a shared array: created once per module, zeroed at
 * the entry of each gradient that uses it (every thread clears a strided
 * part on NVPTX; under emulation each thread clears it all) between two
 * barriers: no thread still reads it in an earlier gradient's reverse
 * pass, and none adds into it before it is clear. */
static LLVMValueRef shared_shadow(ct_gen *g, LLVMValueRef gv) {
  LLVMValueRef shadow = vmap_get(&g->global_shadows, gv);
  if (shadow)
    return shadow;
  ct_module *m = g->m;
  size_t len = 0;
  const char *name = LLVMGetValueName2(gv, &len);
  char *sname = util_format("%.*s.ct_shadow", (int)len, name);
  LLVMTypeRef ty = LLVMGlobalGetValueType(gv);
  unsigned as = LLVMGetPointerAddressSpace(LLVMTypeOf(gv));
  shadow = LLVMGetNamedGlobal(m->mod, sname);
  if (!shadow) {
    shadow = LLVMAddGlobalInAddressSpace(m->mod, ty, sname, as);
    LLVMSetLinkage(shadow, LLVMInternalLinkage);
    LLVMSetInitializer(shadow, as == 3 ? LLVMGetUndef(ty) : LLVMConstNull(ty));
    LLVMSetAlignment(shadow, LLVMGetAlignment(gv) > 8 ? LLVMGetAlignment(gv) : 8);
  }
  free(sname);
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  unsigned long long bytes = LLVMABISizeOfType(td, ty);
  LLVMValueRef size = LLVMConstInt(g->i64_ty, bytes, 0);
  if (!g->global_shadows.len)
    build_barrier(g, g->sb);
  if (as == 3) {
    /* __ct_gpu_zero_shared (lib/gpu/device_rt.c): strided by thread */
    LLVMTypeRef params[2] = {LLVMTypeOf(shadow), g->i64_ty};
    LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx);
    LLVMValueRef args[2] = {shadow, size};
    ir_build_call(g->sb, m->mod, "__ct_gpu_zero_shared", LLVMFunctionType(voidt, params, 2, 0), args, 2, "");
  } else {
    LLVMBuildMemSet(g->sb, shadow, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), size, 8);
  }
  build_barrier(g, g->sb);
  vmap_set(&g->global_shadows, gv, shadow);
  return shadow;
}

LLVMValueRef gpu_shadow_of_constant(ct_gen *g, LLVMValueRef p, LLVMBuilderRef b) {
  if (!g->atomic_shadow_adds || !p || !LLVMIsAConstant(p))
    return NULL;
  LLVMValueRef gv = ir_base_object(p);
  if (!gpu_is_shared_global(gv))
    return NULL;
  LLVMValueRef shadow = shared_shadow(g, gv);
  if (p == gv)
    return shadow;
  if (LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMAddrSpaceCast && LLVMGetOperand(p, 0) == gv)
    return LLVMConstAddrSpaceCast(shadow, LLVMTypeOf(p));
  /* the same offset into the shadow, in p's address space */
  unsigned as = LLVMGetPointerAddressSpace(LLVMTypeOf(p));
  LLVMValueRef base = as == LLVMGetPointerAddressSpace(LLVMTypeOf(gv)) ? gv : LLVMConstAddrSpaceCast(gv, LLVMTypeOf(p));
  LLVMValueRef sbase =
      as == LLVMGetPointerAddressSpace(LLVMTypeOf(gv)) ? shadow : LLVMConstAddrSpaceCast(shadow, LLVMTypeOf(p));
  LLVMValueRef off = LLVMBuildSub(b, LLVMBuildPtrToInt(b, p, g->i64_ty, ""), LLVMBuildPtrToInt(b, base, g->i64_ty, ""), "");
  return LLVMBuildGEP2(b, LLVMInt8TypeInContext(g->m->ctx), sbase, &off, 1, "");
}

/* Is `p` (a primal pointer) into memory only this thread sees? */
static int thread_private(LLVMValueRef p) {
  return ir_is_local_allocation(ir_base_object(p));
}

int gpu_needs_atomic(ct_gen *g, LLVMValueRef primal_ptr) {
  return g->atomic_shadow_adds && !thread_private(primal_ptr);
}

/* The address of lane j of a vector at sp. */
static LLVMValueRef lane_ptr(ct_gen *g, LLVMTypeRef elem, LLVMValueRef sp, unsigned j) {
  LLVMValueRef idx = LLVMConstInt(g->i64_ty, j, 0);
  return LLVMBuildGEP2(g->m->b, elem, sp, &idx, 1, "");
}

void gpu_shadow_add(ct_gen *g, LLVMValueRef primal_ptr, LLVMValueRef sp, LLVMValueRef d) {
  LLVMBuilderRef b = g->m->b;
  LLVMTypeRef ty = LLVMTypeOf(d);
  if (g->atomic_shadow_adds && !thread_private(primal_ptr) && type_is_fp(ty)) {
    if (type_is_fp_scalar(ty)) {
      LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpFAdd, sp, d, LLVMAtomicOrderingMonotonic, 0);
      return;
    }
    /* a vector: lane by lane (the vectorizer made it; threads may overlap) */
    LLVMTypeRef elem = LLVMGetElementType(ty);
    for (unsigned j = 0; j < LLVMGetVectorSize(ty); ++j)
      LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpFAdd, lane_ptr(g, elem, sp, j),
                         LLVMBuildExtractElement(b, d, LLVMConstInt(g->i32_ty, j, 0), ""), LLVMAtomicOrderingMonotonic,
                         0);
    return;
  }
  LLVMValueRef old = LLVMBuildLoad2(b, LLVMTypeOf(d), sp, "");
  scopes_tag_shadow(g, old, primal_ptr);
  LLVMValueRef sum = LLVMBuildFAdd(b, old, d, "");
  /* as for adjoint slots: the order of contributions is ours, and nsz folds
     the "0 + d" left where the slot was just cleared (the reverse of x += y
     then needs no store) */
  if (LLVMIsAInstruction(sum))
    LLVMSetFastMathFlags(sum, LLVMFastMathNoSignedZeros | LLVMFastMathAllowReassoc);
  scopes_tag_shadow(g, LLVMBuildStore(b, sum, sp), primal_ptr);
}

LLVMValueRef gpu_shadow_take(ct_gen *g, LLVMValueRef primal_ptr, LLVMValueRef sp, LLVMTypeRef ty) {
  LLVMBuilderRef b = g->m->b;
  if (g->atomic_shadow_adds && !thread_private(primal_ptr) && type_is_fp_scalar(ty))
    return LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpXchg, sp, LLVMConstNull(ty), LLVMAtomicOrderingMonotonic, 0);
  if (g->atomic_shadow_adds && !thread_private(primal_ptr) && type_is_fp(ty)) {
    LLVMTypeRef elem = LLVMGetElementType(ty);
    LLVMValueRef v = LLVMGetUndef(ty);
    for (unsigned j = 0; j < LLVMGetVectorSize(ty); ++j) {
      LLVMValueRef x = LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpXchg, lane_ptr(g, elem, sp, j), LLVMConstNull(elem),
                                          LLVMAtomicOrderingMonotonic, 0);
      v = LLVMBuildInsertElement(b, v, x, LLVMConstInt(g->i32_ty, j, 0), "");
    }
    return v;
  }
  LLVMValueRef d = LLVMBuildLoad2(b, ty, sp, "");
  scopes_tag_shadow(g, d, primal_ptr);
  scopes_tag_shadow(g, LLVMBuildStore(b, LLVMConstNull(ty), sp), primal_ptr);
  return d;
}

/* NVPTX has no libm: transcendental functions (the primal's, or those a
 * derivative rule emits, as llvm.cos for sin) have no PTX implementation
 * (the backend would stop with "Cannot select"). Reported once, at the
 * first call's location; then the calls are dropped so that compilation
 * ends with the error rather than a backend crash. */
static int is_device_libm_call(LLVMValueRef inst) {
  static const char *const LIBM[] = {"sin", "cos", "tan", "exp", "exp2", "exp10", "log", "log2", "log10", "pow",
                                     "sinh", "cosh", "tanh", "asin", "acos", "atan", "atan2", "erf", "erfc",
                                     "cbrt", "hypot", "expm1", "log1p", "lgamma", "tgamma", NULL};
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  if (!name || !LLVMIsDeclaration(LLVMGetCalledValue(inst)))
    return 0;
  int intrinsic = starts_with(name, len, "llvm.");
  const char *base = intrinsic ? name + 5 : name;
  size_t blen = len - (size_t)(base - name);
  const char *dot = memchr(base, '.', blen);
  size_t stem = dot ? (size_t)(dot - base) : blen;
  for (const char *const *l = LIBM; *l; ++l) {
    size_t n = strlen(*l);
    if (!strncmp(*l, base, n) && (stem == n || (!intrinsic && stem == n + 1 && base[n] == 'f')))
      return 1;
  }
  return 0;
}

static void reject_device_libm(ct_module *m) {
  int reported = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
        next = LLVMGetNextInstruction(inst);
        if (!is_device_libm_call(inst))
          continue;
        if (!reported) {
          size_t len = 0;
          const char *name = util_callee_name(inst, &len);
          diag_report(f, inst, CT_SEV_ERROR,
                      "cannot differentiate on NVPTX: '%.*s' (a math function of this code or of its "
                      "derivative) has no PTX implementation; differentiated device code may use arithmetic, "
                      "sqrt, fabs, fma, fmin/fmax",
                      (int)len, name);
          reported = 1;
        }
        LLVMReplaceAllUsesWith(inst, LLVMGetPoison(LLVMTypeOf(inst)));
        LLVMInstructionEraseFromParent(inst);
      }
}

/* NVPTX: drops generated and runtime functions nothing calls any more
 * (gradients are inlined there), also at -O0, where no later pass does:
 * PTX cannot even declare a function returning an empty struct. */
void gpu_finish_module(ct_module *m) {
  if (strncmp(LLVMGetTarget(m->mod), "nvptx", 5))
    return;
  if (m->changed)
    reject_device_libm(m);
  for (int changed = 1; changed;) {
    changed = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      size_t len = 0;
      const char *name = LLVMGetValueName2(f, &len);
      if (LLVMGetLinkage(f) == LLVMInternalLinkage && !LLVMGetFirstUse(f) &&
          (strstr(name, ".ct_") || starts_with(name, len, "__ct_"))) {
        LLVMDeleteFunction(f);
        changed = 1;
      }
    }
  }
}
