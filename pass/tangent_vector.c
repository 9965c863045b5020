/* Vector forward mode (tangent.h, spec->width = N): N directional
 * derivatives J v_1 ... J v_N in one run of f. Each tangent is an IR vector
 * <N x T> (lane j: direction j), so LLVM computes the N directions with SIMD
 * instructions; each shadow is <N x ptr>, lane j pointing to direction j's
 * tangent memory (memory of the primal's layout: Enzyme's enzyme_dupv
 * blocks, byte_stride apart, are such pointers). A load's tangent gathers
 * the N lanes, a store scatters them, memcpy/memset run per lane; new
 * memory (alloca, malloc) gets one zeroed block of N shadows.
 *
 * A pointer stored into shadowed memory stores its N shadows there, lane by
 * lane, and a pointer loaded from it loads them back.
 *
 * What differs from one direction lives here; the rest of tangent_inst.c and
 * tangent_calls.c works unchanged on the vector types (phis, member moves,
 * differentiated calls, which get callees of the same width). realloc,
 * memcpy of memory holding pointers, SIMD values of the primal, complex
 * numbers, masked and atomic accesses are rejected with a diagnostic
 * (ct_derivative handles them one direction at a time). */
#include "tangent.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

LLVMTypeRef tangent_vector_type(unsigned width, LLVMTypeRef ty) {
  switch (LLVMGetTypeKind(ty)) {
  case LLVMVoidTypeKind: return ty;
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(ty);
    LLVMTypeRef *elems = malloc((n ? n : 1) * sizeof *elems);
    for (unsigned i = 0; i < n; ++i)
      elems[i] = tangent_vector_type(width, LLVMStructGetTypeAtIndex(ty, i));
    LLVMTypeRef v = LLVMStructTypeInContext(LLVMGetTypeContext(ty), elems, n, LLVMIsPackedStruct(ty));
    free(elems);
    return v;
  }
  case LLVMArrayTypeKind:
    return LLVMArrayType2(tangent_vector_type(width, LLVMGetElementType(ty)), LLVMGetArrayLength2(ty));
  case LLVMVectorTypeKind: /* a SIMD value: its lanes' tangents side by side (rejected where met) */
    return LLVMArrayType2(LLVMVectorType(LLVMGetElementType(ty), width), LLVMGetVectorSize(ty));
  default: return LLVMVectorType(ty, width);
  }
}

/* v in every lane of a <width x T>, at b. */
static LLVMValueRef splat(LLVMBuilderRef b, unsigned width, LLVMValueRef v) {
  LLVMTypeRef vty = LLVMVectorType(LLVMTypeOf(v), width);
  LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetTypeContext(LLVMTypeOf(v)));
  LLVMValueRef one = LLVMBuildInsertElement(b, LLVMGetPoison(vty), v, LLVMConstInt(i32, 0, 0), "");
  return LLVMBuildShuffleVector(b, one, LLVMGetPoison(vty), LLVMConstNull(LLVMVectorType(i32, width)), "");
}

LLVMValueRef tangent_broadcast(ct_tgen *t, LLVMValueRef v) {
  return t->g.spec->width ? splat(t->g.m->b, t->g.spec->width, v) : v;
}

/* The N lanes of a block of N shadows `bytes` apart starting at base. */
static LLVMValueRef lanes(ct_gen *g, LLVMBuilderRef b, LLVMValueRef base, LLVMValueRef bytes) {
  unsigned w = g->spec->width;
  LLVMValueRef *steps = malloc(w * sizeof *steps);
  for (unsigned j = 0; j < w; ++j)
    steps[j] = LLVMConstInt(g->i64_ty, j, 0);
  LLVMValueRef off = LLVMBuildMul(b, splat(b, w, bytes), LLVMConstVector(steps, w), "");
  free(steps);
  return LLVMBuildGEP2(b, LLVMInt8TypeInContext(g->m->ctx), base, &off, 1, "shadow");
}

static LLVMValueRef primal_value(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef f = vmap_get(&g->fwd, v);
  return f ? f : v;
}

/* The alignment a lane's access may claim: a lane's block is only as aligned
 * as its stride allows, so at most the element's ABI alignment. */
static unsigned lane_align(ct_gen *g, LLVMTypeRef ety, unsigned align) {
  unsigned natural = LLVMABIAlignmentOfType(LLVMGetModuleDataLayout(g->m->mod), ety);
  return align && align < natural ? align : natural;
}

/* The N lanes of type vty's element loaded from the N pointers `ptrs` into a
 * vector (a gather), lane by lane: loads of constant seeds fold, and the
 * code is what llvm.masked.gather becomes on targets without gathers
 * anyway (measured on bundle adjustment: a quarter fewer instructions than
 * with the intrinsic). Each access is tagged as shadow memory of primal_ptr
 * (scopes.c; NULL: untagged). */
static LLVMValueRef lanes_load(ct_gen *g, LLVMTypeRef vty, LLVMValueRef ptrs, unsigned align, LLVMValueRef primal_ptr) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef v = LLVMGetPoison(vty);
  for (unsigned j = 0; j < g->spec->width; ++j) {
    LLVMValueRef lane = LLVMConstInt(g->i32_ty, j, 0);
    LLVMValueRef x = LLVMBuildLoad2(b, LLVMGetElementType(vty), LLVMBuildExtractElement(b, ptrs, lane, ""), "");
    LLVMSetAlignment(x, lane_align(g, LLVMGetElementType(vty), align));
    if (primal_ptr)
      scopes_tag_shadow(g, x, primal_ptr);
    v = LLVMBuildInsertElement(b, v, x, lane, "");
  }
  return v;
}

/* Lane j of v stored through lane j of ptrs (a scatter), tagged likewise. */
static void lanes_store(ct_gen *g, LLVMValueRef v, LLVMValueRef ptrs, unsigned align, LLVMValueRef primal_ptr) {
  LLVMBuilderRef b = g->m->b;
  for (unsigned j = 0; j < g->spec->width; ++j) {
    LLVMValueRef lane = LLVMConstInt(g->i32_ty, j, 0);
    LLVMValueRef x =
        LLVMBuildStore(b, LLVMBuildExtractElement(b, v, lane, ""), LLVMBuildExtractElement(b, ptrs, lane, ""));
    LLVMSetAlignment(x, lane_align(g, LLVMGetElementType(LLVMTypeOf(v)), align));
    if (primal_ptr)
      scopes_tag_shadow(g, x, primal_ptr);
  }
}

/* An alloca's shadows: one zeroed stack block of N. */
static int alloca_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef *s) {
  LLVMValueRef count = LLVMGetOperand(inst, 0);
  if (!LLVMIsAConstantInt(count)) {
    gen_fail(g, inst, "allocates a variable-size array holding differentiable values", "use a fixed size or malloc");
    return SHADOW_FAILED;
  }
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  unsigned long long bytes = LLVMABISizeOfType(td, LLVMGetAllocatedType(inst)) * LLVMConstIntGetZExtValue(count);
  unsigned align = LLVMGetAlignment(inst) < 16 ? 16 : LLVMGetAlignment(inst);
  bytes = (bytes + align - 1) / align * align; /* each direction's block aligned as the primal */
  LLVMTypeRef i8 = LLVMInt8TypeInContext(g->m->ctx);
  LLVMValueRef all = LLVMConstInt(g->i64_ty, bytes * g->spec->width, 0);
  LLVMValueRef base = LLVMBuildArrayAlloca(g->sb, i8, all, "shadow");
  LLVMSetAlignment(base, align);
  LLVMBuildMemSet(g->sb, base, LLVMConstInt(i8, 0, 0), all, align);
  *s = lanes(g, g->sb, base, LLVMConstInt(g->i64_ty, bytes, 0));
  return SHADOW_MADE;
}

/* malloc/calloc/...: one zeroed heap block of N shadows (free() releases
 * it with the primal block: tangent_vector_instruction). */
static int heap_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  ct_alloc_info info;
  alloc_call_info(inst, &info);
  if (info.old >= 0) {
    gen_fail(g, inst, "reallocates differentiable memory, which vector forward mode does not follow yet",
             "use malloc and memcpy, or one direction at a time (ct_derivative)");
    return SHADOW_FAILED;
  }
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef bytes = LLVMConstInt(g->i64_ty, info.scale, 0);
  for (int k = 0; k < 2; ++k)
    if (info.size[k] >= 0)
      bytes = LLVMBuildMul(
          b, bytes,
          LLVMBuildZExtOrBitCast(b, primal_value(g, LLVMGetOperand(inst, (unsigned)info.size[k])), g->i64_ty, ""), "");
  /* 16-byte aligned directions */
  bytes = LLVMBuildAnd(b, LLVMBuildAdd(b, bytes, LLVMConstInt(g->i64_ty, 15, 0), ""),
                       LLVMConstInt(g->i64_ty, ~15ull, 0), "");
  LLVMValueRef base = heap_shadow_calloc(g, b, LLVMConstInt(g->i64_ty, g->spec->width, 0), bytes, copy, "shadow");
  *s = lanes(g, b, base, bytes);
  return SHADOW_MADE;
}

/* The shadow of operand k of inst (a vector of NULLs for a pointer that
 * points nowhere); NULL when it has none. */
/* A pointer into a global variable met in a merge (select, phi) with
 * pointers to differentiable data: N zeroed copies of the global made for
 * this call (in the entry block; on the heap when large), at the same
 * offset; NULL when p points into no global. */
static LLVMValueRef global_lanes(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef gv = ir_base_object(p);
  if (!gv || !LLVMIsAGlobalVariable(gv))
    return NULL;
  LLVMValueRef block = vmap_get(&g->global_shadows, gv);
  LLVMTypeRef i8 = LLVMInt8TypeInContext(g->m->ctx);
  if (!block) {
    unsigned long long bytes = LLVMABISizeOfType(LLVMGetModuleDataLayout(g->m->mod), LLVMGlobalGetValueType(gv));
    bytes = (bytes + 15) / 16 * 16;
    LLVMValueRef each = LLVMConstInt(g->i64_ty, bytes ? bytes : 16, 0);
    LLVMValueRef all = LLVMConstInt(g->i64_ty, (bytes ? bytes : 16) * g->spec->width, 0);
    LLVMValueRef base;
    if (bytes * g->spec->width <= 4096) {
      base = LLVMBuildArrayAlloca(g->sb, i8, all, "shadow.global");
      LLVMSetAlignment(base, 16);
      LLVMBuildMemSet(g->sb, base, LLVMConstInt(i8, 0, 0), all, 16);
    } else {
      base = heap_shadow_calloc(g, g->sb, LLVMConstInt(g->i64_ty, g->spec->width, 0), each, NULL, "shadow.global");
      forward_add_heap_shadow(g, base, bytes * g->spec->width); /* freed at the exit */
    }
    block = lanes(g, g->sb, base, each);
    vmap_set(&g->global_shadows, gv, block);
  }
  if (p == gv)
    return block;
  LLVMValueRef off =
      LLVMBuildSub(g->sb, LLVMBuildPtrToInt(g->sb, p, g->i64_ty, ""), LLVMBuildPtrToInt(g->sb, gv, g->i64_ty, ""), "");
  return LLVMBuildGEP2(g->sb, i8, block, &off, 1, "");
}

static LLVMValueRef operand_shadow(ct_gen *g, LLVMValueRef inst, unsigned k) {
  LLVMValueRef op = LLVMGetOperand(inst, k), sh = vmap_get(&g->shadow, op);
  if (!sh && ir_points_nowhere(op))
    sh = LLVMConstNull(LLVMVectorType(g->ptr_ty, g->spec->width));
  if (!sh && LLVMIsASelectInst(inst))
    sh = global_lanes(g, op);
  return sh;
}

int tangent_vector_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  LLVMBuilderRef b = g->m->b;
  if (!LLVMIsAInstruction(inst)) /* a phi's incoming pointer into a global */
    return (*s = global_lanes(g, inst)) != NULL ? SHADOW_MADE : SHADOW_FAILED;
  if (LLVMIsAAllocaInst(inst))
    return alloca_shadow(g, inst, s);
  if (ir_is_allocation(inst) && LLVMIsACallInst(inst))
    return heap_shadow(g, inst, copy, s);
  int gep = LLVMIsAGetElementPtrInst(inst) != NULL, sel = LLVMIsASelectInst(inst) != NULL;
  if (gep || LLVMIsABitCastInst(inst) || sel) {
    for (unsigned k = sel ? 1 : 0; k < (sel ? 3u : 1u); ++k) {
      LLVMValueRef op = LLVMGetOperand(inst, k);
      if (vmap_get(&g->active, op) && !vmap_get(&g->shadow, op))
        return SHADOW_PENDING;
      if (!operand_shadow(g, inst, k)) {
        gen_fail(g, inst, "mixes memory with and without a shadow (vector forward mode)",
                 "pass every pointer to differentiable data with a shadow");
        return SHADOW_FAILED;
      }
    }
    if (sel) {
      *s = LLVMBuildSelect(b, primal_value(g, LLVMGetOperand(inst, 0)), operand_shadow(g, inst, 1),
                           operand_shadow(g, inst, 2), "shadow");
    } else if (gep) { /* the same byte offset in every direction */
      LLVMValueRef base = primal_value(g, LLVMGetOperand(inst, 0));
      LLVMValueRef off =
          LLVMBuildSub(b, LLVMBuildPtrToInt(b, copy, g->i64_ty, ""), LLVMBuildPtrToInt(b, base, g->i64_ty, ""), "");
      *s = LLVMBuildGEP2(b, LLVMInt8TypeInContext(g->m->ctx), operand_shadow(g, inst, 0), &off, 1, "shadow");
    } else {
      *s = operand_shadow(g, inst, 0);
    }
    return SHADOW_MADE;
  }
  if (LLVMIsAIntToPtrInst(inst)) { /* integer arithmetic on an address: the same offset in every direction */
    LLVMValueRef src = activity_ptrtoint_source(&g->active, LLVMGetOperand(inst, 0), 0);
    LLVMValueRef ssrc = src ? vmap_get(&g->shadow, src) : NULL;
    if (!ssrc && src && vmap_get(&g->active, src))
      return SHADOW_PENDING;
    if (ssrc) {
      LLVMValueRef off = LLVMBuildSub(b, LLVMBuildPtrToInt(b, copy, g->i64_ty, ""),
                                      LLVMBuildPtrToInt(b, primal_value(g, src), g->i64_ty, ""), "");
      *s = LLVMBuildGEP2(b, LLVMInt8TypeInContext(g->m->ctx), ssrc, &off, 1, "shadow");
      return SHADOW_MADE;
    }
  }
  if (LLVMIsALoadInst(inst)) { /* each direction's shadow pointer, from its shadow memory */
    LLVMValueRef p = LLVMGetOperand(inst, 0), sp = vmap_get(&g->shadow, p);
    if (!sp && vmap_get(&g->active, p))
      return SHADOW_PENDING;
    if (sp) {
      *s = lanes_load(g, LLVMVectorType(g->ptr_ty, g->spec->width), sp, LLVMGetAlignment(inst), NULL);
      return SHADOW_MADE;
    }
  }
  if (activity_is_inactive_library_call(inst)) {
    *s = LLVMConstNull(LLVMVectorType(g->ptr_ty, g->spec->width));
    return SHADOW_MADE;
  }
  gen_fail(g, inst,
           LLVMIsALoadInst(inst)   ? "loads a pointer to differentiable data from memory, which vector forward mode "
                                     "does not follow yet"
           : LLVMIsACallInst(inst) ? "returns a pointer to differentiable data, which vector forward mode does not "
                                     "follow yet"
                                   : "produces a pointer to differentiable data in a way vector forward mode cannot "
                                     "follow",
           "pass the arrays as arguments, or use one direction at a time (ct_derivative)");
  return SHADOW_FAILED;
}

/* ---- instructions ---- */

static int scalar_type(LLVMTypeRef ty) {
  LLVMTypeKind k = LLVMGetTypeKind(ty);
  return type_is_fp_scalar(ty) || k == LLVMIntegerTypeKind;
}

/* Lanes of sp (the shadows of ptr) that are ptr itself: a pointer to
 * constant data stored into shadowed memory is its own shadow
 * (stored_pointers.c); NULL when that cannot happen. */
static LLVMValueRef self_lanes(ct_gen *g, LLVMValueRef ptr, LLVMValueRef sp) {
  if (!stored_pointers_maybe_self(g, ptr))
    return NULL;
  return LLVMBuildICmp(g->m->b, LLVMIntEQ, sp, splat(g->m->b, g->spec->width, primal_value(g, ptr)), "ct.self_shadow");
}

/* A load's N tangents (a gather), a store's (a scatter); a pointer stored
 * into shadowed memory stores its N shadows (itself where it has none:
 * constant data). Lanes whose shadow is the pointer itself read zeros and
 * write nowhere. */
static void load_store(ct_tgen *t, LLVMValueRef inst, int load) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef ptr = LLVMGetOperand(inst, load ? 0 : 1), sp = vmap_get(&g->shadow, ptr);
  LLVMValueRef val = load ? inst : LLVMGetOperand(inst, 0);
  LLVMTypeRef ty = LLVMTypeOf(val);
  if (!sp) {
    gen_fail(g, inst, "accesses differentiable memory through a pointer Cotangent has no shadow for",
             "pass every pointer to differentiable data with a shadow");
    return;
  }
  int is_ptr = LLVMGetTypeKind(ty) == LLVMPointerTypeKind;
  if (!scalar_type(ty) && !is_ptr) {
    gen_fail(g, inst,
             "moves a SIMD vector or an aggregate of differentiable values, which vector forward mode does "
             "not differentiate yet",
             "compile at -O1 or below, or use one direction at a time (ct_derivative)");
    return;
  }
  if (is_ptr && load)
    return; /* its shadows: tangent_vector_shadow */
  LLVMTypeRef vty = LLVMVectorType(ty, g->spec->width);
  LLVMValueRef self = self_lanes(g, ptr, sp);
  if (load) {
    LLVMValueRef d = lanes_load(g, vty, sp, LLVMGetAlignment(inst), ptr);
    vmap_set(&t->tangent, inst, self ? LLVMBuildSelect(b, self, LLVMConstNull(vty), d, "") : d);
    return;
  }
  LLVMValueRef d = is_ptr ? vmap_get(&g->shadow, val) : tangent_of(t, val);
  if (!d) /* a pointer without shadows: to constant data, its own shadow */
    d = splat(b, g->spec->width, primal_value(g, val));
  if (self)
    sp = LLVMBuildSelect(b, self, splat(b, g->spec->width, LLVMBuildAlloca(g->ab, ty, "ct.discard")), sp, "");
  lanes_store(g, d, sp, LLVMGetAlignment(inst), self ? NULL : ptr); /* a discarded lane is no shadow */
}

/* memset clears the N tangents, memcpy/memmove copy them (zeros from memory
 * without a shadow), lane by lane. */
static void copy_lanes(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  const char *mem = ir_mem_intrinsic(inst);
  LLVMValueRef sdst = vmap_get(&g->shadow, LLVMGetOperand(inst, 0));
  LLVMValueRef ssrc = strcmp(mem, "memset") ? vmap_get(&g->shadow, LLVMGetOperand(inst, 1)) : NULL;
  LLVMValueRef len = primal_value(g, LLVMGetOperand(inst, 2));
  if (!sdst) {
    gen_fail(g, inst, "accesses differentiable memory through a pointer Cotangent has no shadow for",
             "pass every pointer to differentiable data with a shadow");
    return;
  }
  for (unsigned j = 0; j < g->spec->width; ++j) {
    LLVMValueRef lane = LLVMConstInt(g->i32_ty, j, 0), d = LLVMBuildExtractElement(b, sdst, lane, "");
    if (!ssrc)
      LLVMBuildMemSet(b, d, LLVMConstInt(LLVMInt8TypeInContext(g->m->ctx), 0, 0), len, 1);
    else if (!strcmp(mem, "memcpy"))
      LLVMBuildMemCpy(b, d, 1, LLVMBuildExtractElement(b, ssrc, lane, ""), 1, len);
    else
      LLVMBuildMemMove(b, d, 1, LLVMBuildExtractElement(b, ssrc, lane, ""), 1, len);
  }
}

/* A real rule row: each active operand's partial derivative (the row's
 * adjoint expression with seed 1, once for all directions) times its N
 * tangents. */
/* Does a row's adjoint expression route its seed through a select ("r a
 * feq d 0 sel": fmax's)? Then the seed is not just multiplied by a partial
 * (an infinite tangent not selected gives 0, not 0 * inf), and the
 * expression is applied lane by lane. */
static int routes_seed(const char *expr) {
  for (const char *p = expr; (p = strstr(p, "sel")) != NULL; p += 3)
    if ((p == expr || p[-1] == ' ') && (p[3] == ' ' || p[3] == 0))
      return 1;
  return 0;
}

/* Row expression `expr` with each lane of dv as the seed (scalar code per
 * lane, as scalar mode's, zero where a lane is zero for a singular
 * expression); NULL when it cannot be emitted. */
static LLVMValueRef lanewise(ct_gen *g, const ct_rule *r, const char *expr, const ct_rule_value *operands,
                             ct_rule_value result, LLVMValueRef dv) {
  LLVMBuilderRef b = g->m->b;
  LLVMTypeRef ety = LLVMGetElementType(LLVMTypeOf(dv));
  LLVMValueRef v = LLVMGetPoison(LLVMTypeOf(dv));
  for (unsigned j = 0; j < g->spec->width; ++j) {
    LLVMValueRef lane = LLVMConstInt(g->i32_ty, j, 0);
    ct_rule_value seed = {LLVMBuildExtractElement(b, dv, lane, ""), NULL};
    ct_rule_value c = rules_emit(g->m, expr, ety, operands, r->noperands, result, seed);
    if (!c.re || LLVMTypeOf(c.re) != ety)
      return NULL;
    if (rules_may_be_singular(expr))
      c.re = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, seed.re, LLVMConstNull(ety), ""), LLVMConstNull(ety),
                             c.re, "");
    v = LLVMBuildInsertElement(b, v, c.re, lane, "");
  }
  return v;
}

static void rule(ct_tgen *t, LLVMValueRef inst) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  const ct_rule *r = classify_rule(inst);
  ct_rule_operands ops;
  if (r->complex || !classify_rule_operands(g, inst, r, &ops)) {
    gen_fail(g, inst, "computes with complex numbers, which vector forward mode does not differentiate yet",
             "use one direction at a time (ct_derivative)");
    return;
  }
  ct_rule_value operands[RULE_MAX_OPERANDS] = {{0}}, result = {0};
  for (unsigned i = 0; i < r->noperands; ++i)
    if (ops.uses[i]) {
      LLVMValueRef v = primal_value(g, LLVMGetOperand(inst, ops.first[i]));
      operands[i] = rules_value(r, b, &v, 1);
    }
  if (ops.uses[RULE_MAX_OPERANDS]) {
    LLVMValueRef v = primal_value(g, inst);
    result = rules_value(r, b, &v, 1);
  }
  /* the partials, those of operands with the same tangent added first (x * x:
     one product of 2x with x's tangents, not two) */
  LLVMValueRef partial[RULE_MAX_OPERANDS], dvs[RULE_MAX_OPERANDS], direct[RULE_MAX_OPERANDS];
  int singular[RULE_MAX_OPERANDS];
  unsigned nterms = 0, ndirect = 0;
  for (unsigned k = 0; k < r->noperands; ++k) {
    if (!r->adjoint[k] || !ops.active[k])
      continue;
    LLVMValueRef op = LLVMGetOperand(inst, ops.first[k]), dv = tangent_of(t, op);
    ct_rule_value one = {LLVMConstReal(LLVMTypeOf(op), 1.0), NULL};
    ct_rule_value p = {NULL, NULL};
    if (routes_seed(r->adjoint[k]))
      direct[ndirect] = lanewise(g, r, r->adjoint[k], operands, result, dv);
    else
      p = rules_emit(g->m, r->adjoint[k], LLVMTypeOf(op), operands, r->noperands, result, one);
    if (routes_seed(r->adjoint[k]) ? !direct[ndirect++] : !p.re || LLVMTypeOf(p.re) != LLVMTypeOf(op)) {
      gen_fail(g, inst, "could not be differentiated for this type", "please report this");
      return;
    }
    if (!p.re)
      continue;
    unsigned at = 0;
    while (at < nterms && dvs[at] != dv)
      ++at;
    if (at < nterms) {
      partial[at] = LLVMBuildFAdd(b, partial[at], p.re, "");
      singular[at] |= rules_may_be_singular(r->adjoint[k]);
    } else {
      partial[nterms] = p.re, dvs[nterms] = dv, singular[nterms++] = rules_may_be_singular(r->adjoint[k]);
    }
  }
  LLVMTypeRef rty = tangent_type_of(t, LLVMTypeOf(inst));
  LLVMValueRef sum = NULL;
  for (unsigned k = 0; k < nterms; ++k) {
    LLVMValueRef dv = dvs[k], c = LLVMBuildFMul(b, splat(b, g->spec->width, partial[k]), dv, "");
    tangent_lanes_mark(c);
    if (singular[k]) /* a zero tangent contributes zero, even at an infinite partial */
      c = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, dv, LLVMConstNull(LLVMTypeOf(dv)), ""),
                          LLVMConstNull(LLVMTypeOf(dv)), c, "");
    if (LLVMTypeOf(c) != rty)
      c = LLVMBuildFPCast(b, c, rty, "");
    sum = sum ? LLVMBuildFAdd(b, sum, c, "") : c;
  }
  for (unsigned k = 0; k < ndirect; ++k) {
    LLVMValueRef c = LLVMTypeOf(direct[k]) != rty ? LLVMBuildFPCast(b, direct[k], rty, "") : direct[k];
    sum = sum ? LLVMBuildFAdd(b, sum, c, "") : c;
  }
  if (sum)
    vmap_set(&t->tangent, inst, sum);
}

/* free(p): p's block of shadows goes too (lane 0 is its start), unless it
 * is p itself. */
static void free_lanes(ct_tgen *t, LLVMValueRef p, LLVMValueRef shadow) {
  ct_gen *g = &t->g;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef base = LLVMBuildExtractElement(b, shadow, LLVMConstInt(g->i32_ty, 0, 0), "");
  LLVMValueRef own = LLVMBuildICmp(b, LLVMIntNE, base, primal_value(g, p), "");
  LLVMValueRef arg = LLVMBuildSelect(b, own, base, LLVMConstNull(g->ptr_ty), "");
  LLVMTypeRef pty = g->ptr_ty;
  ir_build_call(b, g->m->mod, "free", LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), &pty, 1, 0), &arg, 1, "");
}

int tangent_vector_instruction(ct_tgen *t, LLVMValueRef inst, ct_rev_kind kind) {
  ct_gen *g = &t->g;
  if (LLVMIsAStoreInst(inst) && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, 0))) == LLVMPointerTypeKind &&
      vmap_get(&g->shadow, LLVMGetOperand(inst, 1))) {
    load_store(t, inst, 0); /* a pointer into shadowed memory: its N shadows */
    return 1;
  }
  switch (kind) {
  case REV_RULE: rule(t, inst); return 1;
  case REV_LOAD: load_store(t, inst, 1); return 1;
  case REV_STORE: load_store(t, inst, 0); return 1;
  case REV_MEMSET:
  case REV_MEMCPY: copy_lanes(t, inst); return 1;
  case REV_LANES:
    if (LLVMIsAExtractValueInst(inst) || LLVMIsAInsertValueInst(inst))
      return 0; /* member moves: the same on the tangents' members */
    gen_fail(g, inst, "moves lanes of a SIMD vector, which vector forward mode does not differentiate yet",
             "compile at -O1 or below, or use one direction at a time (ct_derivative)");
    return 1;
  case REV_MASKED_LOAD:
  case REV_MASKED_STORE:
  case REV_ATOMIC_ADD:
    gen_fail(g, inst, "is a masked or atomic memory access, which vector forward mode does not differentiate yet",
             "use one direction at a time (ct_derivative)");
    return 1;
  case REV_OMP_FORK:
  case REV_OMP_SYNC:
    gen_fail(g, inst, "is part of an OpenMP parallel region, which vector forward mode does not differentiate yet",
             "use one direction at a time (ct_derivative)");
    return 1;
  case REV_ALLOC: return 1; /* realloc: rejected with its shadow */
  case REV_CALL:
  case REV_CUSTOM:
  case REV_PASS:
  case REV_PHI: return 0;
  default: {
    LLVMValueRef freed = alloc_freed_pointer(inst);
    LLVMValueRef shadow = freed ? vmap_get(&g->shadow, freed) : NULL;
    if (!shadow || !vmap_get(&g->fwd, inst))
      return 0; /* the scalar code reports what is unsupported */
    free_lanes(t, freed, shadow);
    return 1;
  }
  }
}
