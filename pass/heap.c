/* The shadows of heap allocations (calls of alloc.c's allocation
 * functions), at each stage of a gradient:
 *
 *   plan     the reverse needs the shadow and the size; realloc is checked
 *            (see below) and also needs the old block's shadow;
 *   forward  a zeroed shadow block of the same size, aligned like the block
 *            when the block is aligned (aligned_alloc, posix_memalign, an
 *            `align` result attribute);
 *   reverse  the shadow is freed (zeroed when the reverse may run again),
 *            unless the caller got it (stored_pointers.c); a block whose
 *            free memory.c deferred is freed with its deallocator.
 *
 * realloc(p, n) moves p's elements into a new block. Its shadow is a new
 * zeroed block; the old shadow stays alive until the reverse of p's own
 * allocation, because the reverse of the code before the realloc adds into
 * it. In the reverse of the realloc, the adjoints of the moved elements go
 * back into the old shadow (added, and cleared in the new one) before the
 * new shadow is released. What is moved depends on what the memory holds,
 * deduced from the function's accesses of the block (through phis, the
 * reallocs of a chain, and pointer fields it is stored in and loaded back
 * from): double or float values (their adjoints move in the reverse), or
 * pointers (their shadows are copied into the new shadow in the forward
 * pass, as the block's pointers are). Memory holding both, or whose
 * content Cotangent cannot tell, is a compile error. */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

/* A zeroed shadow block of count * size bytes, then a check: a NULL shadow
 * (out of memory) where the primal allocation `primal` (NULL: none)
 * succeeded stops the program with a message, instead of a crash when the
 * gradient first touches it. On CPUs the runtime's __ct_shadow_calloc
 * (blocks released by earlier reverse passes are reused), on GPUs calloc. */
LLVMValueRef heap_shadow_calloc(ct_gen *g, LLVMBuilderRef b, LLVMValueRef count, LLVMValueRef size,
                                LLVMValueRef primal, const char *name) {
  LLVMTypeRef params[2] = {g->i64_ty, g->i64_ty};
  LLVMValueRef args[2] = {count, size};
  int gpu = !strncmp(LLVMGetTarget(g->m->mod), "nvptx", 5);
  int fresh;
  LLVMTypeRef fty = LLVMFunctionType(g->ptr_ty, params, 2, 0);
  LLVMValueRef fn = ir_declare_function(g->m->mod, gpu ? "calloc" : "__ct_shadow_calloc", fty, &fresh);
  if (fresh && !gpu) /* a new block, as calloc's */
    LLVMAddAttributeAtIndex(fn, LLVMAttributeReturnIndex,
                            LLVMCreateEnumAttribute(g->m->ctx, LLVMGetEnumAttributeKindForName("noalias", 7), 0));
  LLVMValueRef s = LLVMBuildCall2(b, fty, fn, args, 2, name);
  if (gpu)
    return s;
  LLVMValueRef failed = LLVMBuildIsNull(b, s, "");
  if (primal)
    failed = LLVMBuildAnd(b, failed, LLVMBuildIsNotNull(b, primal, ""), "");
  LLVMTypeRef cparams[3] = {g->i32_ty, g->i64_ty, g->i64_ty};
  LLVMTypeRef voidt = LLVMVoidTypeInContext(g->m->ctx);
  int declared;
  LLVMValueRef check =
      ir_declare_function(g->m->mod, "__ct_check_shadow_alloc", LLVMFunctionType(voidt, cparams, 3, 0), &declared);
  if (declared) {
    /* touches no memory of the program: it only reports and aborts */
    LLVMContextRef ctx = g->m->ctx;
    LLVMAddAttributeAtIndex(check, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("memory", 6), 12));
    LLVMAddAttributeAtIndex(check, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
  }
  LLVMValueRef cargs[3] = {LLVMBuildZExt(b, failed, g->i32_ty, ""), count, size};
  LLVMBuildCall2(b, LLVMFunctionType(voidt, cparams, 3, 0), check, cargs, 3, "");
  return s;
}

/* Frees a shadow heap block, or zeroes it when the reverse is kept for
 * another application. */
void heap_release_shadow(ct_gen *g, LLVMValueRef p, LLVMValueRef bytes) {
  LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i32_ty};
  LLVMValueRef args[3] = {p, bytes, LLVMBuildZExt(g->m->b, g->keep, g->i32_ty, "")};
  ir_build_call(g->m->b, g->m->mod, "__ct_release_shadow", LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), params, 3, 0),
                args, 3, "");
}

static LLVMValueRef forward_value(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef f = vmap_get(&g->fwd, v);
  return f ? f : v;
}

static int is_nvptx(ct_gen *g) { return !strncmp(LLVMGetTarget(g->m->mod), "nvptx", 5); }

/* The block's size as count * size (i64, at m->b), its operands taken
 * through `value`: with two size parameters (calloc) count is the first
 * and size the second times the constant scale; with one, count is 1 and
 * size the parameter times the scale (just the scale with none). */
static void block_size(ct_gen *g, LLVMValueRef inst, const ct_alloc_info *info,
                       LLVMValueRef (*value)(ct_gen *, LLVMValueRef), LLVMValueRef *count, LLVMValueRef *size) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef n[2];
  for (int k = 0; k < 2; ++k)
    n[k] = info->size[k] >= 0
               ? LLVMBuildZExtOrBitCast(b, value(g, LLVMGetOperand(inst, (unsigned)info->size[k])), g->i64_ty, "")
               : LLVMConstInt(g->i64_ty, 1, 0);
  if (info->size[1] < 0) { /* malloc(n): 1 x n */
    n[1] = n[0];
    n[0] = LLVMConstInt(g->i64_ty, 1, 0);
  }
  *count = n[0];
  *size = info->scale == 1 ? n[1] : LLVMBuildMul(b, n[1], LLVMConstInt(g->i64_ty, info->scale, 0), "");
}

static LLVMValueRef block_bytes(ct_gen *g, LLVMValueRef inst, const ct_alloc_info *info,
                                LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  LLVMValueRef count, size;
  block_size(g, inst, info, value, &count, &size);
  return tape_bytes_mul(g, count, size);
}

/* ---- what a realloc'd block holds ---- */

/* p as base + constant byte offset (through constant GEPs and casts); NULL
 * when an index is not constant. */
static LLVMValueRef slot_of(LLVMTargetDataRef td, LLVMValueRef p, long long *off) {
  *off = 0;
  for (int depth = 0; depth < 16; ++depth) {
    if (LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p)) {
      p = LLVMGetOperand(p, 0);
      continue;
    }
    if (!LLVMIsAGetElementPtrInst(p))
      return p;
    LLVMTypeRef t = LLVMGetGEPSourceElementType(p);
    unsigned n = (unsigned)LLVMGetNumOperands(p);
    for (unsigned i = 1; i < n; ++i) {
      LLVMValueRef idx = LLVMGetOperand(p, i);
      if (!LLVMIsAConstantInt(idx))
        return NULL;
      long long k = LLVMConstIntGetSExtValue(idx);
      if (i > 1 && LLVMGetTypeKind(t) == LLVMStructTypeKind) {
        *off += (long long)LLVMOffsetOfElement(td, t, (unsigned)k);
        t = LLVMStructGetTypeAtIndex(t, (unsigned)k);
        continue;
      }
      if (i > 1) {
        if (LLVMGetTypeKind(t) != LLVMArrayTypeKind && LLVMGetTypeKind(t) != LLVMVectorTypeKind)
          return NULL;
        t = LLVMGetElementType(t);
      }
      *off += k * (long long)LLVMABISizeOfType(td, t);
    }
    p = LLVMGetOperand(p, 0);
  }
  return NULL;
}

static int same_slot(LLVMTargetDataRef td, LLVMValueRef a, LLVMValueRef b) {
  long long oa, ob;
  LLVMValueRef ba = slot_of(td, a, &oa), bb = slot_of(td, b, &ob);
  return a == b || (ba && ba == bb && oa == ob);
}

typedef struct {
  ct_vmap set;
  LLVMValueRef *work;
  unsigned n, cap, count;
} chain;

static void chain_add(chain *c, LLVMValueRef v) {
  if (!v || LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMPointerTypeKind)
    return;
  v = ir_base_object(v);
  if ((!LLVMIsAInstruction(v) && !LLVMIsAArgument(v)) || vmap_get(&c->set, v) || c->count >= 1024)
    return;
  vmap_set(&c->set, v, v);
  ++c->count;
  if (c->n == c->cap)
    c->work = realloc(c->work, (c->cap = c->cap ? 2 * c->cap : 16) * sizeof *c->work);
  c->work[c->n++] = v;
}

/* The pointers stored at, and loaded from, the slot `addr` (a pointer
 * field the block's pointer goes through). */
static void chain_add_slot(ct_gen *g, chain *c, LLVMValueRef addr) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (LLVMIsALoadInst(inst) && same_slot(td, LLVMGetOperand(inst, 0), addr))
        chain_add(c, inst);
      else if (LLVMIsAStoreInst(inst) && same_slot(td, LLVMGetOperand(inst, 1), addr))
        chain_add(c, LLVMGetOperand(inst, 0));
    }
}

/* Whether every use of the merge `v` only frees it (directly or through
 * further merges): SimplifyCFG sinks the free() calls of two branches into
 * one, so a phi of a block and an unrelated struct tells nothing about
 * what either holds. */
static int only_freed(LLVMValueRef v, int depth) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsACallInst(user) && alloc_freed_pointer(user) == v)
      continue;
    if (depth < 8 && (LLVMIsAPHINode(user) || LLVMIsASelectInst(user)) && only_freed(user, depth + 1))
      continue;
    return 0;
  }
  return 1;
}

/* The values that may point to the realloc'd memory: the realloc, the
 * blocks it and its neighbours move, merges of them, and what goes
 * through the pointer fields they are stored in. */
static void collect_chain(ct_gen *g, LLVMValueRef call, chain *c) {
  chain_add(c, call);
  while (c->n) {
    LLVMValueRef v = c->work[--c->n];
    ct_alloc_info info;
    if (LLVMIsACallInst(v) && alloc_call_info(v, &info) && info.old >= 0)
      chain_add(c, LLVMGetOperand(v, (unsigned)info.old));
    if (LLVMIsAPHINode(v) || LLVMIsASelectInst(v))
      for (int i = LLVMIsASelectInst(v) ? 1 : 0; i < LLVMGetNumOperands(v); ++i)
        chain_add(c, LLVMGetOperand(v, (unsigned)i));
    if (LLVMIsALoadInst(v))
      chain_add_slot(g, c, LLVMGetOperand(v, 0));
    for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if ((LLVMIsAPHINode(user) || (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) &&
          !only_freed(user, 0))
        chain_add(c, user);
      else if (LLVMIsACallInst(user) && alloc_call_info(user, &info) && info.old >= 0 &&
               LLVMGetOperand(user, (unsigned)info.old) == v)
        chain_add(c, user);
      else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 0) == v)
        chain_add_slot(g, c, LLVMGetOperand(user, 1));
    }
  }
}

/* What an access of `ptr` moves: a floating-point type, or pointers. */
static void note_access(const chain *c, LLVMValueRef ptr, LLVMTypeRef ty, LLVMTypeRef *fp, int *pointers, int *mixed) {
  if (!vmap_get(&c->set, ir_base_object(ptr)))
    return;
  if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind)
    ty = LLVMGetElementType(ty);
  if (LLVMGetTypeKind(ty) == LLVMPointerTypeKind)
    *pointers = 1;
  else if (type_is_fp_scalar(ty)) {
    if (*fp && *fp != ty)
      *mixed = 1;
    *fp = ty;
  }
}

/* The floating-point type a memcpy/memmove copies (layout.c): double or
 * float, also as the fields of records whose other fields hold integers or
 * pointers (pointers show in the loads and stores); NULL for integers and
 * pointers only or an unknown layout. Fields of both types set *mixed. */
static LLVMTypeRef copied_type(ct_gen *g, LLVMValueRef copy, int *mixed) {
  ct_layout layout;
  layout_of_copy(copy, &layout);
  int size = layout.kind == CT_LAYOUT_UNIFORM ? layout.uniform : 0;
  for (unsigned i = 0; layout.kind == CT_LAYOUT_FIELDS && i < layout.nfields; ++i) {
    int field = layout.fields[i] & 1 ? 8 : 4;
    if (size && size != field)
      *mixed = 1;
    size = field;
  }
  layout_free(&layout);
  return size == 8 ? LLVMDoubleTypeInContext(g->m->ctx) : size == 4 ? LLVMFloatTypeInContext(g->m->ctx) : NULL;
}

/* The bytes of one element whose adjoints move (8 or 4; 0 when none) and
 * whether pointers move, for the block a realloc moves; 0 when that cannot
 * be told (*why says what). */
static int realloc_layout(ct_gen *g, LLVMValueRef call, unsigned *element, int *pointers, const char **why) {
  chain c = {0};
  vmap_init(&c.set);
  collect_chain(g, call, &c);
  LLVMTypeRef fp = NULL;
  int mixed = 0, unknown = 0;
  *pointers = 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      const char *masked = ir_masked_intrinsic(inst);
      if (LLVMIsALoadInst(inst))
        note_access(&c, LLVMGetOperand(inst, 0), LLVMTypeOf(inst), &fp, pointers, &mixed);
      else if (LLVMIsAStoreInst(inst))
        note_access(&c, LLVMGetOperand(inst, 1), LLVMTypeOf(LLVMGetOperand(inst, 0)), &fp, pointers, &mixed);
      else if (masked)
        note_access(&c, LLVMGetOperand(inst, !strcmp(masked, "load") ? 0 : 1),
                    !strcmp(masked, "load") ? LLVMTypeOf(inst) : LLVMTypeOf(LLVMGetOperand(inst, 0)), &fp, pointers,
                    &mixed);
      else if (LLVMIsACallInst(inst)) {
        ct_alloc_info info;
        int is_realloc = alloc_call_info(inst, &info) && info.old >= 0;
        const char *mem = ir_mem_intrinsic(inst);
        for (int k = 0; k < (int)LLVMGetNumArgOperands(inst); ++k) {
          LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
          if (LLVMGetTypeKind(LLVMTypeOf(op)) != LLVMPointerTypeKind || !vmap_get(&c.set, ir_base_object(op)) ||
              (is_realloc && k == info.old) || alloc_freed_pointer(inst) == op || classify_is_inactive_call(inst) ||
              (mem && !strcmp(mem, "memset")))
            continue;
          LLVMTypeRef copied = mem ? copied_type(g, inst, &mixed) : NULL; /* a copy of the block */
          if (copied)
            note_access(&c, op, copied, &fp, pointers, &mixed);
          else
            unknown = 1; /* a copy or a call: Cotangent does not see what moves */
        }
      }
    }
  vmap_free(&c.set);
  free(c.work);
  *element = fp ? (unsigned)LLVMABISizeOfType(LLVMGetModuleDataLayout(g->m->mod), fp) : 0;
  if (mixed || (fp && *pointers)) {
    *why = "moves memory holding pointers and floating-point values together (or values of two floating-point "
           "types)";
    return 0;
  }
  if (!fp && !*pointers && unknown) {
    *why = "moves memory whose element type Cotangent cannot deduce (no float, double or pointer load or store of "
           "that memory)";
    return 0;
  }
  return 1;
}

/* ---- the stages ---- */

void heap_plan(ct_gen *g, ct_block *b, LLVMValueRef inst, void (*need)(ct_gen *, ct_block *, LLVMValueRef, ct_need_kind)) {
  ct_alloc_info info;
  alloc_call_info(inst, &info);
  need(g, b, inst, NEED_SHADOW);
  for (int k = 0; k < 2; ++k) /* the size too: a kept reverse zeroes the shadow */
    if (info.size[k] >= 0)
      need(g, b, LLVMGetOperand(inst, (unsigned)info.size[k]), NEED_VALUE);
  if (info.old < 0)
    return;
  if (is_nvptx(g) || g->atomic_shadow_adds || g->spec->concurrent) {
    gen_fail(g, inst, "moves differentiable memory in code that runs on many threads at once (a GPU kernel or "
                      "parallel region)",
             "allocate the final size before the parallel code");
    return;
  }
  unsigned element;
  int pointers;
  const char *why = NULL;
  if (!realloc_layout(g, inst, &element, &pointers, &why)) {
    gen_fail(g, inst, why, "keep pointers and values in separate arrays, and access the data as double or float "
                           "in the function");
    return;
  }
  LLVMValueRef old = LLVMGetOperand(inst, (unsigned)info.old);
  if (element && vmap_get(&g->active, old)) {
    need(g, b, old, NEED_SHADOW);
    if (stored_pointers_maybe_self(g, old)) /* a constant block: no adjoint goes back */
      need(g, b, old, NEED_VALUE);
  }
}

/* realloc: a new zeroed shadow, made before the primal realloc (the old
 * block's size is read while it lives), the pointers copied over. */
static ct_shadow_step realloc_shadow(ct_gen *g, LLVMValueRef inst, const ct_alloc_info *info, LLVMValueRef copy,
                                     LLVMValueRef *s) {
  LLVMValueRef old = LLVMGetOperand(inst, (unsigned)info->old);
  LLVMValueRef sold = vmap_get(&g->shadow, old);
  if (!sold && vmap_get(&g->active, old))
    return SHADOW_PENDING;
  if (!sold) /* NULL, or a block without differentiable data */
    sold = LLVMConstNull(g->ptr_ty);
  unsigned element;
  int pointers;
  const char *why;
  if (!realloc_layout(g, inst, &element, &pointers, &why))
    pointers = 0; /* reported when planned */
  LLVMBuilderRef b = g->m->b;
  LLVMPositionBuilderBefore(b, copy);
  LLVMTypeRef params[4] = {g->ptr_ty, g->ptr_ty, g->i64_ty, g->i32_ty};
  /* forward mode: the old shadow's tangents move with the elements too */
  LLVMValueRef args[4] = {forward_value(g, old), sold, block_bytes(g, inst, info, forward_value),
                          LLVMConstInt(g->i32_ty, (unsigned)(pointers || g->tangent), 0)};
  *s = ir_build_call(b, g->m->mod, "__ct_shadow_realloc", LLVMFunctionType(g->ptr_ty, params, 4, 0), args, 4,
                     "shadow");
  return SHADOW_MADE;
}

/* A shadow block that reaches the user (heap_reverse leaves it to them: a
 * std::vector argument grown by push_back, its shadow vector holding the
 * shadow block) is allocated by the primal's own function, zeroed, so that
 * the user's deallocator (operator delete, a CT_ALLOCATOR's) matches it. */
static LLVMValueRef users_shadow_block(ct_gen *g, LLVMValueRef copy, LLVMValueRef bytes) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef s = LLVMInstructionClone(copy);
  LLVMInsertIntoBuilderWithName(b, s, "shadow");
  LLVMValueRef failed = LLVMBuildAnd(b, LLVMBuildIsNull(b, s, ""), LLVMBuildIsNotNull(b, copy, ""), "");
  LLVMTypeRef voidt = LLVMVoidTypeInContext(g->m->ctx), cparams[3] = {g->i32_ty, g->i64_ty, g->i64_ty};
  LLVMValueRef cargs[3] = {LLVMBuildZExt(b, failed, g->i32_ty, ""), LLVMConstInt(g->i64_ty, 1, 0), bytes};
  ir_build_call(b, g->m->mod, "__ct_check_shadow_alloc", LLVMFunctionType(voidt, cparams, 3, 0), cargs, 3, "");
  LLVMBuildMemSet(b, s, LLVMConstInt(LLVMInt8TypeInContext(g->m->ctx), 0, 0), bytes, 1);
  return s;
}

ct_shadow_step heap_forward_shadow(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  ct_alloc_info info;
  alloc_call_info(inst, &info);
  if (info.old >= 0)
    return realloc_shadow(g, inst, &info, copy, s);
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef count, size;
  block_size(g, inst, &info, forward_value, &count, &size);
  if (!g->spec->owns_escaping && stored_pointers_escapes(g, inst) && !is_nvptx(g)) {
    *s = users_shadow_block(g, copy, tape_bytes_mul(g, count, size));
    return SHADOW_MADE;
  }
  if ((info.align >= 0 || info.align_bytes > 16) && !is_nvptx(g)) {
    LLVMValueRef align = info.align >= 0 ? LLVMBuildZExtOrBitCast(b, forward_value(g, LLVMGetOperand(inst, (unsigned)info.align)),
                                                                  g->i64_ty, "")
                                         : LLVMConstInt(g->i64_ty, info.align_bytes, 0);
    LLVMTypeRef params[3] = {g->i64_ty, g->i64_ty, g->ptr_ty};
    LLVMValueRef args[3] = {align, tape_bytes_mul(g, count, size), copy};
    *s = ir_build_call(b, g->m->mod, "__ct_shadow_alloc_aligned", LLVMFunctionType(g->ptr_ty, params, 3, 0), args,
                       3, "shadow");
  } else {
    *s = heap_shadow_calloc(g, b, count, size, copy, "shadow");
  }
  return SHADOW_MADE;
}

void heap_reverse(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  ct_alloc_info info;
  alloc_call_info(inst, &info);
  LLVMValueRef bytes = block_bytes(g, inst, &info, rev_value);
  unsigned element = 0;
  int pointers;
  const char *why;
  LLVMValueRef old = info.old >= 0 ? LLVMGetOperand(inst, (unsigned)info.old) : NULL;
  if (old && realloc_layout(g, inst, &element, &pointers, &why) && element && vmap_get(&g->active, old)) {
    LLVMValueRef sold = rev_shadow(g, old);
    if (stored_pointers_maybe_self(g, old)) /* freed with the primal: nothing to add into */
      sold = LLVMBuildSelect(m->b, LLVMBuildICmp(m->b, LLVMIntEQ, sold, rev_value(g, old), ""),
                             LLVMConstNull(g->ptr_ty), sold, "");
    LLVMTypeRef params[4] = {g->ptr_ty, g->ptr_ty, g->i64_ty, g->i32_ty};
    LLVMValueRef args[4] = {sold, rev_shadow(g, inst), bytes, LLVMConstInt(g->i32_ty, element, 0)};
    ir_build_call(m->b, m->mod, "__ct_realloc_adjoint", LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), params, 4, 0),
                  args, 4, "");
  }
  if (!g->spec->owns_escaping && stored_pointers_escapes(g, inst))
    return; /* the user's */
  heap_release_shadow(g, rev_shadow(g, inst), bytes);
  if (vmap_get(&g->deferred_free, inst))
    alloc_build_free(m->b, m->mod, inst, rev_value(g, inst));
}

/* Is v used only as a table of pointers and integers (a hash table's
 * bucket array): loads and stores of pointers or integers through it,
 * comparisons, deallocation, being stored into `slot` (the field that
 * holds the table), merges (phi, select) used so too? */
static int pointer_table_uses(LLVMValueRef v, LLVMValueRef slot, int depth, ct_vmap *seen) {
  if (vmap_get(seen, v))
    return 1;
  vmap_set(seen, v, v);
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    LLVMTypeKind k = LLVMGetTypeKind(LLVMTypeOf(LLVMIsAStoreInst(user) ? LLVMGetOperand(user, 0) : user));
    int word = k == LLVMPointerTypeKind || k == LLVMIntegerTypeKind, base = depth == 0 || !LLVMIsAGetElementPtrInst(v);
    if ((alloc_freed_pointer(user) == v && base) || LLVMIsAICmpInst(user) || (LLVMIsALoadInst(user) && word) ||
        (LLVMIsAStoreInst(user) && word && (LLVMGetOperand(user, 0) != v || (base && LLVMGetOperand(user, 1) == slot))))
      continue;
    if (depth < 8 &&
        ((LLVMIsAGetElementPtrInst(user) && LLVMGetOperand(user, 0) == v) || LLVMIsAPHINode(user) ||
         (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) &&
        pointer_table_uses(user, slot, depth + 1, seen))
      continue;
    return 0;
  }
  return 1;
}

/* Is the field `slot` (in the caller's memory: based on an argument) one
 * that only ever holds tables of pointers: every value loaded from it or
 * stored into it, anywhere in the function, used only as such? */
static int caller_table_slot(ct_gen *g, LLVMValueRef slot) {
  if (!LLVMIsAArgument(ir_base_object(slot)))
    return 0;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      int load = LLVMIsALoadInst(inst) != NULL;
      if (!load && !LLVMIsAStoreInst(inst))
        continue;
      LLVMValueRef addr = LLVMGetOperand(inst, load ? 0 : 1), val = load ? inst : LLVMGetOperand(inst, 0);
      if (ir_base_object(addr) != ir_base_object(slot) || !ir_same_slot(td, addr, 8, slot, 8))
        continue; /* (the field, at the same offset of the same argument) */
      ct_vmap seen;
      vmap_init(&seen);
      int table = LLVMGetTypeKind(LLVMTypeOf(val)) == LLVMPointerTypeKind && pointer_table_uses(val, slot, 0, &seen);
      vmap_free(&seen);
      if (!table)
        return 0;
    }
  return 1;
}

void heap_free_table_shadows(ct_gen *g) {
  if (g->tangent || g->vector_shadow || g->spec->owns_escaping)
    return; /* forward mode frees shadows with their blocks (tangent_inst.c); owns_escaping: the reverse
               releases the shadows of the function's blocks, a table's included */
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef p = alloc_freed_pointer(inst), copy = vmap_get(&g->fwd, inst);
      LLVMValueRef sp = p ? vmap_get(&g->shadow, p) : NULL;
      size_t len = 0;
      const char *name = util_callee_name(inst, &len);
      if (!copy || LLVMIsAInvokeInst(copy) || !sp || !LLVMIsALoadInst(p) || ir_points_nowhere(sp) || !name ||
          len < 6 || strncmp(name, "_ZdlPv", 6) || !caller_table_slot(g, LLVMGetOperand(p, 0)))
        continue; /* operator delete only: a C++ container's table, whose shadow the same operator new made (the
                     caller's copy, or users_shadow_block); C's pointer tables may hold Cotangent's shadow blocks */
      LLVMBuilderRef b = g->m->b;
      LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(copy));
      LLVMValueRef fp = vmap_get(&g->fwd, p) ? vmap_get(&g->fwd, p) : p;
      LLVMValueRef own = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntNE, sp, fp, ""), LLVMBuildIsNotNull(b, sp, ""), "");
      LLVMValueRef del = LLVMInstructionClone(copy); /* the same deallocator, its size too (NULL: no-op) */
      LLVMSetOperand(del, 0, LLVMBuildSelect(b, own, sp, LLVMConstNull(g->ptr_ty), ""));
      LLVMInsertIntoBuilder(b, del);
    }
}
