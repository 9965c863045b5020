/* The forward part of a gradient: after the primal's blocks are copied,
 * this adds shadow pointers for active pointers, shadow stores of pointers,
 * calls of differentiated callees' augmented forwards, and one tape record
 * per block execution holding what the block's reverse needs. */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void forward_add_heap_shadow(ct_gen *g, LLVMValueRef p, unsigned long long bytes) {
  g->heap_shadows = realloc(g->heap_shadows, (g->nheap_shadows + 1) * sizeof *g->heap_shadows);
  g->heap_shadow_bytes = realloc(g->heap_shadow_bytes, (g->nheap_shadows + 1) * sizeof *g->heap_shadow_bytes);
  g->heap_shadow_bytes[g->nheap_shadows] = bytes;
  g->heap_shadows[g->nheap_shadows++] = p;
}

/* A pointer into a global variable met in a merge (select, phi) with
 * pointers to differentiable data gets a shadow too: a zeroed copy made
 * for this call (on the stack when small, on the heap otherwise or in
 * split mode), at the same offset. NULL if `p` does not point into a
 * global. */
static LLVMValueRef global_shadow_of(ct_gen *g, LLVMValueRef p) {
  LLVMValueRef gv = ir_base_object(p);
  if (!gv || !LLVMIsAGlobalVariable(gv))
    return NULL;
  ct_module *m = g->m;
  LLVMValueRef shadow = vmap_get(&g->global_shadows, gv);
  if (!shadow) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
    unsigned long long bytes = LLVMABISizeOfType(td, LLVMGlobalGetValueType(gv));
    if (!bytes)
      bytes = 1;
    LLVMValueRef size = LLVMConstInt(g->i64_ty, bytes, 0);
    if (bytes <= 4096 && !g->spec->split) {
      shadow = LLVMBuildArrayAlloca(g->sb, LLVMInt8TypeInContext(m->ctx), size, "shadow.global");
      LLVMSetAlignment(shadow, 16);
      LLVMBuildMemSet(g->sb, shadow, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), size, 16);
    } else {
      shadow = heap_shadow_calloc(g, g->sb, LLVMConstInt(g->i64_ty, 1, 0), size, NULL, "shadow.global");
      forward_add_heap_shadow(g, shadow, bytes);
    }
    vmap_set(&g->global_shadows, gv, shadow);
  }
  if (p == gv)
    return shadow;
  /* the same offset into the shadow (constant expressions fold) */
  LLVMValueRef off = LLVMBuildSub(g->sb, LLVMBuildPtrToInt(g->sb, p, g->i64_ty, ""),
                                  LLVMBuildPtrToInt(g->sb, gv, g->i64_ty, ""), "");
  return LLVMBuildGEP2(g->sb, LLVMInt8TypeInContext(m->ctx), shadow, &off, 1, "");
}

/* An alloca's shadow: in the alloca block, zeroed there (on the heap in
 * split mode: the reverse runs in another function; freed when it ends). */
static ct_shadow_step shadow_of_alloca(ct_gen *g, LLVMValueRef inst, LLVMValueRef *s) {
  ct_module *m = g->m;
  LLVMTypeRef aty = LLVMGetAllocatedType(inst);
  LLVMValueRef count = LLVMGetOperand(inst, 0);
  if (!LLVMIsAConstantInt(count)) {
    gen_fail(g, inst, "allocates a variable-size array holding differentiable values", "use a fixed size or malloc");
    return SHADOW_FAILED;
  }
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  unsigned long long bytes = LLVMABISizeOfType(td, aty) * LLVMConstIntGetZExtValue(count);
  if (g->spec->split) {
    *s = heap_shadow_calloc(g, g->sb, LLVMConstInt(g->i64_ty, 1, 0), LLVMConstInt(g->i64_ty, bytes ? bytes : 1, 0), NULL,
                       "shadow");
    forward_add_heap_shadow(g, *s, bytes ? bytes : 1);
  } else {
    *s = LLVMBuildArrayAlloca(g->sb, aty, count, "shadow");
    LLVMSetAlignment(*s, LLVMGetAlignment(inst));
    LLVMBuildMemSet(g->sb, *s, LLVMConstInt(LLVMInt8TypeInContext(m->ctx), 0, 0), LLVMConstInt(g->i64_ty, bytes, 0),
                    LLVMGetAlignment(inst));
  }
  return SHADOW_MADE;
}

/* A GEP, cast or select of pointers: the same instruction on the operands'
 * shadows (a shared array's, or a global's met in a merge). */
static ct_shadow_step shadow_of_derived(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  ct_module *m = g->m;
  int base = LLVMIsASelectInst(inst) ? 1 : 0;
  int nops = LLVMIsASelectInst(inst) ? 3 : 1;
  for (int k = base; k < nops; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
    if (vmap_get(&g->active, op) && !vmap_get(&g->shadow, op))
      return SHADOW_PENDING;
  }
  *s = LLVMInstructionClone(copy);
  LLVMInsertIntoBuilderWithName(m->b, *s, "shadow");
  for (int k = base; k < nops; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, (unsigned)k);
    LLVMValueRef sh = vmap_get(&g->shadow, op);
    if (!sh && ir_points_nowhere(op))
      sh = op; /* c ? p : NULL, or NULL + n (an empty std::vector's end of
                  storage at -O0): NULL is its own shadow, as in a phi */
    if (!sh)
      sh = gpu_shadow_of_constant(g, op, m->b); /* a shared array of a kernel */
    if (!sh && !LLVMIsAGetElementPtrInst(inst) && !LLVMIsACastInst(inst))
      sh = global_shadow_of(g, op); /* a merge with a pointer into a global */
    if (!sh && LLVMIsAGlobalVariable(op)) {
      size_t len = 0;
      const char *gname = LLVMGetValueName2(op, &len);
      char what[300];
      snprintf(what, sizeof what, "writes differentiable values into the global variable '%.*s', which has no shadow",
               (int)len, gname);
      gen_fail_plain(g, inst, what, "pass the array as a pointer argument with a shadow, or use a local variable");
      return SHADOW_FAILED;
    }
    if (!sh) {
      gen_fail(g, inst, "mixes memory with and without a shadow", "pass every pointer to differentiable data with a shadow");
      return SHADOW_FAILED;
    }
    LLVMSetOperand(*s, (unsigned)k, sh);
  }
  return SHADOW_MADE;
}

/* inttoptr of integer arithmetic on an address: shadow(source) + (address -
 * source address). */
static ct_shadow_step shadow_of_inttoptr(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  ct_module *m = g->m;
  LLVMValueRef src = activity_ptrtoint_source(&g->active, LLVMGetOperand(inst, 0), 0);
  LLVMValueRef ssrc = src ? vmap_get(&g->shadow, src) : NULL;
  if (!ssrc) {
    if (src && vmap_get(&g->active, src))
      return SHADOW_PENDING;
    gen_fail(g, inst, "makes a pointer to differentiable data from an integer Cotangent cannot follow", NULL);
    return SHADOW_FAILED;
  }
  LLVMValueRef fsrc = vmap_get(&g->fwd, src) ? vmap_get(&g->fwd, src) : src;
  LLVMValueRef off = LLVMBuildSub(m->b, LLVMBuildPtrToInt(m->b, copy, g->i64_ty, ""),
                                  LLVMBuildPtrToInt(m->b, fsrc, g->i64_ty, ""), "");
  LLVMTypeRef i8 = LLVMInt8TypeInContext(m->ctx);
  *s = LLVMBuildGEP2(m->b, i8, ssrc, &off, 1, "shadow");
  return SHADOW_MADE;
}

/* A pointer loaded from memory with a shadow: loaded from the shadow; from
 * memory without one, the shadow of what the function stored there. */
static ct_shadow_step shadow_of_load(ct_gen *g, LLVMValueRef inst, LLVMValueRef *s) {
  LLVMValueRef p = LLVMGetOperand(inst, 0);
  LLVMValueRef sp = vmap_get(&g->shadow, p);
  if (!sp) {
    if (vmap_get(&g->active, p))
      return SHADOW_PENDING;
    return shadow_slots_lookup(g, inst, s) ? SHADOW_MADE : SHADOW_FAILED; /* memory without a shadow */
  }
  if (ir_points_nowhere(sp)) { /* a std::string a library function returned: no shadow memory */
    *s = LLVMConstNull(LLVMTypeOf(inst));
    return SHADOW_MADE;
  }
  *s = LLVMBuildLoad2(g->m->b, LLVMTypeOf(inst), sp, "shadow");
  return SHADOW_MADE;
}

/* A differentiated call: the forward copy of the call becomes a call of the
 * callee's augmented forward, whose tape goes into this block's record; a
 * returned pointer's shadow comes back with it. SHADOW_PENDING while an
 * argument's shadow is not made yet. */
static ct_shadow_step build_call(ct_gen *g, LLVMValueRef inst) {
  ct_module *m = g->m;
  LLVMValueRef aug = vmap_get(&g->call_aug, inst);
  ct_spec spec;
  classify_call_spec(g, inst, &spec);
  LLVMValueRef args[2 * CT_MAX_PARAMS + 1];
  unsigned n = 0;
  for (unsigned k = 0; k < spec.nparams; ++k) {
    LLVMValueRef op = LLVMGetOperand(inst, k);
    LLVMValueRef fv = vmap_get(&g->fwd, op);
    args[n++] = fv ? fv : op;
    if (spec.act[k] == ACT_DUP && !(args[n++] = vmap_get(&g->shadow, op)))
      return SHADOW_PENDING;
  }
  if (signature_shares_tape(aug)) /* it pushes onto our tape */
    args[n++] = g->tape;
  LLVMValueRef copy = vmap_get(&g->fwd, inst);
  LLVMPositionBuilderBefore(m->b, copy);
  LLVMValueRef res = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(aug), aug, args, n, "");
  vmap_set(&g->call_tape, inst, LLVMBuildExtractValue(m->b, res, 0, "ct.calltape"));
  if (LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMVoidTypeKind) {
    LLVMValueRef ret = LLVMBuildExtractValue(m->b, res, 1, "");
    LLVMReplaceAllUsesWith(copy, ret);
    vmap_set(&g->fwd, inst, ret);
  }
  if (spec.ret_shadow)
    vmap_set(&g->shadow, inst, LLVMBuildExtractValue(m->b, res, 2, "shadow"));
  LLVMInstructionEraseFromParent(copy);
  return SHADOW_MADE;
}

/* The shadow of an active pointer instruction (not a phi), built at m->b
 * after its copy `copy`. */
static ct_shadow_step shadow_of(ct_gen *g, LLVMValueRef inst, LLVMValueRef copy, LLVMValueRef *s) {
  if (g->vector_shadow) /* vector forward mode: one shadow per direction */
    return (ct_shadow_step)g->vector_shadow(g, inst, copy, s);
  if (LLVMIsAAllocaInst(inst))
    return shadow_of_alloca(g, inst, s);
  if (LLVMIsAGetElementPtrInst(inst) || LLVMIsABitCastInst(inst) || LLVMIsAAddrSpaceCastInst(inst) ||
      LLVMIsASelectInst(inst))
    return shadow_of_derived(g, inst, copy, s);
  if (ir_is_allocation(inst))
    return heap_forward_shadow(g, inst, copy, s);
  if (LLVMIsAIntToPtrInst(inst))
    return shadow_of_inttoptr(g, inst, copy, s);
  if (LLVMIsALoadInst(inst))
    return shadow_of_load(g, inst, s);
  if (g->tangent_call_shadow && LLVMIsACallInst(inst) && classify(g, inst) == REV_CALL)
    return (ct_shadow_step)g->tangent_call_shadow(g, inst, s); /* forward mode: the callee's tangent */
  if (vmap_get(&g->call_aug, inst) && !ir_is_omp_fork(inst)) {
    /* a pointer a differentiated callee returns, with its shadow */
    ct_shadow_step step = build_call(g, inst);
    *s = vmap_get(&g->shadow, inst);
    if (step == SHADOW_MADE && !*s) {
      gen_fail(g, inst, "returns a pointer to differentiable data whose shadow its gradient does not return", NULL);
      return SHADOW_FAILED;
    }
    return step;
  }
  if (activity_is_inactive_library_call(inst)) {
    ct_shadow_step step = integer_mirror_replay(g, inst, s);
    if (step != SHADOW_MADE || *s) /* a std::string's buffer made again for its shadow string */
      return step;
    /* memory a library function without derivative returns (a std::string's
       new char buffer, met in a phi with the string's buffer inside a map
       node) holds no derivative: no shadow memory, a NULL shadow (a copy of
       constant data into it clears nothing: reverse.c) */
    *s = LLVMConstNull(LLVMTypeOf(inst));
    return SHADOW_MADE;
  }
  if (alloc_is_sizeless_allocator(inst)) {
    gen_fail(g, inst, "returns new memory (__attribute__((malloc))) of a size Cotangent cannot tell",
             "declare it with __attribute__((alloc_size(N))) too, or with CT_ALLOCATOR (cotangent.h)");
    return SHADOW_FAILED;
  }
  gen_fail(g, inst, "produces a pointer to differentiable data in a way Cotangent cannot follow", NULL);
  return SHADOW_FAILED;
}

/* The incoming shadows of the shadow phis (made first, so loops close). */
static void close_shadow_phis(ct_gen *g) {
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
          if (ir_points_nowhere(iv)) /* NULL, or a constant address such as MPI_IN_PLACE: its own shadow */
            sv = g->vector_shadow ? LLVMConstNull(LLVMTypeOf(sphi)) : iv;
          else if (g->vector_shadow) {
            if (g->vector_shadow(g, iv, NULL, &sv) != SHADOW_MADE) { /* a pointer into a global: its shadows */
              gen_fail(g, inst, "merges pointers with and without a shadow",
                       "pass every pointer to differentiable data with a shadow");
              return;
            }
          } else if ((sv = gpu_shadow_of_constant(g, iv, g->sb)) != NULL || (sv = global_shadow_of(g, iv)) != NULL) {
            /* a pointer into a global: its per-call shadow */
          } else if (LLVMIsAFunction(iv)) {
            /* a function's address (std::function's invoker, met in a phi
               with the one loaded back from the object): code holds no
               derivative, the address is its own shadow */
            sv = iv;
          } else {
            gen_fail(g, inst, "merges pointers with and without a shadow",
                     "pass every pointer to differentiable data with a shadow");
            return;
          }
        }
        LLVMBasicBlockRef ib =
            LLVMValueAsBasicBlock(vmap_get(&g->fwd, LLVMBasicBlockAsValue(LLVMGetIncomingBlock(inst, k))));
        LLVMAddIncoming(sphi, &sv, &ib, 1);
      }
    }
}

/* Shadow pointers for every active pointer instruction, built next to the
 * primal instruction's copy. Phis are created first so loops close; the
 * others in an order where operands come first (repeated until done). */
static void build_shadows(ct_gen *g) {
  ct_module *m = g->m;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && LLVMIsAPHINode(inst);
         inst = LLVMGetNextInstruction(inst))
      if (vmap_get(&g->active, inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind) {
        LLVMPositionBuilderBefore(m->b, vmap_get(&g->fwd, inst));
        vmap_set(&g->shadow, inst,
                 LLVMBuildPhi(m->b, g->vector_shadow ? LLVMVectorType(g->ptr_ty, g->spec->width) : LLVMTypeOf(inst),
                              "shadow"));
      }
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
        LLVMPositionBuilderBefore(m->b, LLVMGetNextInstruction(copy));
        LLVMValueRef s = NULL;
        ct_shadow_step step = shadow_of(g, inst, copy, &s);
        if (step == SHADOW_FAILED)
          return;
        if (step == SHADOW_PENDING) {
          pending = 1;
          continue;
        }
        vmap_set(&g->shadow, inst, s);
        progress = 1;
      }
    if (!pending)
      break;
  }
  /* what is still pending depends on a pointer that has no shadow: a
     constant argument merged with differentiable memory */
  for (unsigned i = 0; i < g->nblocks && !g->failed; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst && !g->failed;
         inst = LLVMGetNextInstruction(inst))
      if (!LLVMIsAPHINode(inst) && vmap_get(&g->active, inst) &&
          LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind && !vmap_get(&g->shadow, inst) &&
          !gpu_is_shared_global(ir_base_object(inst))) /* shared arrays: shadow globals */
        gen_fail(g, inst, "mixes memory with and without a shadow (a pointer that may point into a constant argument)",
                 "pass every pointer to differentiable data with a shadow");
  close_shadow_phis(g);
}

/* Pointers stored into memory that has a shadow get their shadow stored into
 * the shadow memory, so later loads of the pointer find its shadow (copied
 * with the memory by a struct assignment); integers are stored there as
 * they are (integer_mirror.c). */
static void shadow_pointer_stores(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      int copies = classify(g, inst) == REV_MEMCPY && stored_pointers_copies_pointers(g, inst);
      if (copies && !g->vector_shadow)
        stored_pointers_copy_shadows(g, inst); /* a struct assignment */
      if (!g->vector_shadow)
        integer_mirror_stores(g, inst); /* integers into shadowed memory */
      LLVMValueRef val = LLVMIsAStoreInst(inst) ? LLVMGetOperand(inst, 0) : NULL;
      if (!copies && (!val || LLVMGetTypeKind(LLVMTypeOf(val)) != LLVMPointerTypeKind))
        continue;
      LLVMValueRef ptr = val ? LLVMGetOperand(inst, 1) : NULL, sptr = ptr ? vmap_get(&g->shadow, ptr) : NULL;
      if (g->vector_shadow && (copies || (!sptr && vmap_get(&g->active, val)))) {
        gen_fail(g, inst,
                 copies ? "copies memory holding pointers to differentiable data, which vector forward mode does not "
                          "follow yet"
                        : "stores a pointer to differentiable data into memory without a shadow, which vector "
                          "forward mode does not follow yet",
                 "assign the members one by one, or use one direction at a time (ct_derivative)");
        return;
      }
      if (copies || g->vector_shadow)
        continue; /* vector mode: the N shadows are stored with the tangents (tangent_vector.c) */
      if (!sptr) { /* memory without a shadow: its table */
        shadow_slots_store(g, inst);
        continue;
      }
      if (ir_points_nowhere(sptr)) /* a library function's std::string: no shadow memory */
        continue;
      LLVMValueRef sval = vmap_get(&g->shadow, val);
      if (!sval) /* a pointer to constant data: its shadow is itself (stored_pointers.c) */
        sval = vmap_get(&g->fwd, val) ? vmap_get(&g->fwd, val) : val;
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      LLVMPositionBuilderBefore(g->m->b, LLVMGetNextInstruction(copy));
      LLVMBuildStore(g->m->b, sval, sptr);
    }
}

/* Pushes each block's record at the end of its forward copy. */
static void build_pushes(ct_gen *g) {
  ct_module *m = g->m;
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    LLVMTypeRef rec_ty = tape_record_type(g, b);
    if (!rec_ty)
      continue;
    LLVMValueRef rec = LLVMGetUndef(rec_ty);
    unsigned f = 0;
    if (BLOCK_RECORDS_PRED(b)) {
      LLVMPositionBuilderBefore(m->b, LLVMGetFirstInstruction(b->fwd));
      LLVMValueRef idx = LLVMBuildPhi(m->b, g->i32_ty, "ct.from");
      for (unsigned k = 0; k < b->npreds; ++k) {
        LLVMValueRef c = LLVMConstInt(g->i32_ty, k, 0);
        LLVMBasicBlockRef pb = cfg_block_of(g, b->preds[k])->fwd;
        /* one entry per edge: a switch may reach b twice from one block */
        LLVMValueRef term = LLVMGetBasicBlockTerminator(b->preds[k]);
        unsigned ns = LLVMGetNumSuccessors(term);
        for (unsigned e = 0; e < ns; ++e)
          if (LLVMGetSuccessor(term, e) == b->bb)
            LLVMAddIncoming(idx, &c, &pb, 1);
      }
      LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(b->fwd));
      rec = LLVMBuildInsertValue(m->b, rec, idx, f++, "");
    }
    LLVMPositionBuilderBefore(m->b, LLVMGetBasicBlockTerminator(b->fwd));
    for (unsigned k = 0; k < b->nneeds; ++k) {
      ct_need *nd = &b->needs[k];
      if (!need_on_tape(nd->kind))
        continue;
      LLVMValueRef v = nd->kind == NEED_SHADOW      ? vmap_get(&g->shadow, nd->value)
                       : nd->kind == NEED_CALL_TAPE ? vmap_get(&g->call_tape, nd->value)
                                                    : vmap_get(&g->fwd, nd->value);
      rec = LLVMBuildInsertValue(m->b, rec, v, f++, "");
    }
    ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
    unsigned narrays = tape_exit_arrays(g, b, arrays, TAPE_MAX_EXIT_ARRAYS);
    for (unsigned k = 0; k < narrays; ++k)
      rec = LLVMBuildInsertValue(m->b, rec, arrays[k]->batch_fwd, f++, "");
    if (b->batch) {
      batch_store_record(g, b, rec);
    } else if (b->once) { /* one record per call: a stack slot (SROA makes it SSA) */
      b->rec_slot = LLVMBuildAlloca(g->sb, rec_ty, "ct.rec");
      LLVMBuildStore(m->b, rec, b->rec_slot);
    } else {
      tape_push(g, rec);
    }
  }
}

/* The differentiated calls not built with the shadows (build_call). */
static void build_calls(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (!vmap_get(&g->call_aug, inst) || vmap_get(&g->call_tape, inst))
        continue;
      if (checkpoint_is_recompute_call(inst)) /* the primal call stays; its memory is kept */
        checkpoint_save(g, inst);
      else if (ir_is_omp_fork(inst))
        omp_forward_fork(g, inst);
      else
        build_call(g, inst);
    }
}

/* Math functions with a rule are pure as far as the gradient is concerned
 * (their errno writes are not part of the program's derivative): marking
 * the forward copies memory(none) lets LLVM drop those whose result only
 * the derivative needed. Those that write through a pointer argument
 * (frexp, modf, remquo, lgamma_r) are marked memory(argmem: write). */
static void mark_math_calls_pure(ct_gen *g) {
  LLVMContextRef ctx = g->m->ctx;
  unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
  enum { ARGMEM_WRITE = 2 }; /* LLVM's MemoryEffects: Mod (2) for argument memory (bits 0-1) */
  LLVMAttributeRef none = LLVMCreateEnumAttribute(ctx, memory, 0);
  LLVMAttributeRef argmem_write = LLVMCreateEnumAttribute(ctx, memory, ARGMEM_WRITE);
  LLVMAttributeRef attrs[2] = {LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0),
                               LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("willreturn", 10), 0)};
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (!LLVMIsACallInst(inst) || !classify_rule(inst))
        continue;
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      LLVMAddCallSiteAttribute(copy, LLVMAttributeFunctionIndex,
                               rules_call_writes_memory(inst) ? argmem_write : none);
      for (int k = 0; k < 2; ++k)
        LLVMAddCallSiteAttribute(copy, LLVMAttributeFunctionIndex, attrs[k]);
    }
}

/* A checkpointed loop's schedule (checkpoint_loop.c): what one iteration
 * tapes goes into <steps>.tape, where the loop reads it for the tape
 * budget, when the whole body is in this gradient (no call of another
 * function with a body, whose tape this count would miss). */
static void record_iteration_tape(ct_gen *g, unsigned long long bytes) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(g->user_fn, &len);
  char *gname = util_format("%.*s.tape", (int)len, name);
  LLVMValueRef slot = LLVMGetNamedGlobal(g->m->mod, gname);
  free(gname);
  if (!slot)
    return;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(g->pc); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef callee = LLVMIsACallInst(inst) ? LLVMGetCalledValue(inst) : NULL;
      if (callee && LLVMIsAFunction(callee) && !LLVMIsDeclaration(callee) && callee != g->user_fn &&
          !LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-loop-steps", 13))
        return;
    }
  LLVMValueRef init = LLVMGetInitializer(slot);
  if (init && LLVMIsAConstantInt(init) && LLVMConstIntGetZExtValue(init) >= bytes)
    return;
  LLVMSetInitializer(slot, LLVMConstInt(g->i64_ty, bytes, 0));
}

/* Remarks (-Rpass=cotangent): the tape bytes each source line costs per
 * execution, and the values used directly without the tape. */
static void remark_tape_use(ct_gen *g) {
  struct line {
    unsigned line;
    int once; /* in a stack slot: the block runs at most once */
    unsigned long long bytes;
    unsigned values;
    LLVMValueRef at;
  } *lines = NULL;
  unsigned nlines = 0, cap = 0;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  for (unsigned i = 0; i < g->nblocks; ++i) {
    ct_block *b = &g->blocks[i];
    for (unsigned k = 0; k < b->nneeds; ++k) {
      LLVMValueRef v = b->needs[k].value;
      if (!need_on_tape(b->needs[k].kind))
        continue;
      if (ct_switch(CT_SWITCH_DEBUG)) {
        char *txt = LLVMPrintValueToString(v);
        fprintf(stderr, "cotangent: tape[%u] kind %d: %s\n", i, (int)b->needs[k].kind, txt);
        LLVMDisposeMessage(txt);
      }
      unsigned line = LLVMIsAInstruction(v) ? LLVMGetDebugLocLine(v) : 0;
      unsigned long long bytes = b->needs[k].kind == NEED_VALUE ? LLVMABISizeOfType(td, LLVMTypeOf(v)) : 8;
      unsigned j = 0;
      while (j < nlines && (lines[j].line != line || lines[j].once != b->once))
        ++j;
      if (j == nlines) {
        if (nlines == cap)
          lines = realloc(lines, (cap = cap ? 2 * cap : 16) * sizeof *lines);
        lines[nlines].line = line;
        lines[nlines].once = b->once;
        lines[nlines].bytes = 0;
        lines[nlines].values = 0;
        lines[nlines++].at = v;
      }
      lines[j].bytes += bytes;
      lines[j].values++;
    }
  }
  size_t len = 0;
  const char *fname = LLVMGetValueName2(g->user_fn, &len);
  LLVMAttributeRef loop = LLVMGetStringAttributeAtIndex(g->user_fn, LLVMAttributeFunctionIndex, "ct-loop-steps", 13);
  if (loop && nlines) { /* a checkpointed loop's schedule (checkpoint_loop.c): what one iteration tapes */
    unsigned long long per_iteration = 0;
    for (unsigned j = 0; j < nlines; ++j)
      per_iteration += lines[j].once ? 0 : lines[j].bytes;
    unsigned where_len = 0;
    const char *where = LLVMGetStringAttributeValue(loop, &where_len);
    record_iteration_tape(g, per_iteration);
    diag_report(g->user_fn, lines[0].at, CT_SEV_REMARK,
                "checkpointed loop%s%.*s: one iteration tapes %llu bytes (each block of the body once; loops "
                "inside it repeat theirs), and the tape holds the iterations between two snapshots at a time",
                where_len ? " at " : "", (int)where_len, where, per_iteration);
  }
  for (unsigned j = 0; j < nlines; ++j)
    diag_report(g->user_fn, lines[j].at, CT_SEV_REMARK,
                "gradient of '%.*s': %u value(s) from this line cached %s, %llu bytes per execution", (int)len,
                fname, lines[j].values, lines[j].once ? "in a stack slot (the block runs at most once)" : "on the tape",
                lines[j].bytes);
  free(lines);
  unsigned direct = 0;
  for (unsigned i = 0; i < g->nblocks; ++i)
    direct += g->blocks[i].stable;
  if (direct)
    diag_report(g->user_fn, NULL, CT_SEV_REMARK,
                "gradient of '%.*s': %u block(s) run once before the return; their values are reused "
                "by the reverse pass without the tape",
                (int)len, fname, direct);
}

/* Loops whose trip count is known before they run reserve their tape
 * records at once (one slot per block per iteration) instead of growing
 * the tape chunk by chunk. */
static void reserve_loop_records(ct_gen *g) {
  if (!g->tape)
    return;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  for (unsigned l = 0; l < g->nloops; ++l) {
    ct_bridge_loop *loop = &g->loops[l];
    unsigned long long per_iteration = 0;
    for (unsigned k = 0; k < loop->nblocks; ++k) {
      ct_block *b = cfg_block_of(g, g->loop_blocks[loop->first_block + k]);
      LLVMTypeRef rec = b && !b->batch ? tape_record_type(g, b) : NULL;
      if (rec)
        per_iteration += (LLVMABISizeOfType(td, rec) + 15) / 16 * 16;
    }
    ct_block *pre = loop->preheader ? cfg_block_of(g, loop->preheader) : NULL;
    LLVMValueRef count = loop->trip_count ? vmap_get(&g->fwd, loop->trip_count) : NULL;
    if (!per_iteration || !pre || !count || !loop->trip_count)
      continue;
    LLVMPositionBuilderBefore(g->m->b, LLVMGetBasicBlockTerminator(pre->fwd));
    LLVMValueRef bytes = tape_bytes_mul(g, count, LLVMConstInt(g->i64_ty, per_iteration, 0));
    LLVMTypeRef params[2] = {g->ptr_ty, g->i64_ty};
    LLVMValueRef args[2] = {g->tape, bytes};
    ir_build_call(g->m->b, g->m->mod, "__ct_tape_reserve", LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), params, 2, 0),
                  args, 2, "");
  }
}

/* free() of memory the reverse pass still reads: the reverse of its
 * malloc frees it instead. */
static void drop_deferred_frees(ct_gen *g) {
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst;
         inst = LLVMGetNextInstruction(inst))
      if (alloc_freed_pointer(inst) && vmap_get(&g->deferred_free, ir_base_object(alloc_freed_pointer(inst)))) {
        LLVMValueRef copy = vmap_get(&g->fwd, inst);
        if (copy) {
          LLVMInstructionEraseFromParent(copy);
          vmap_set(&g->fwd, inst, NULL);
        }
      }
}

/* Stores whose old value the reverse pass puts back (memory.c): their
 * forward copies load it first (the blocks run once: the reverse part, in
 * the same function, uses it directly). */
static void save_undone_values(ct_gen *g) {
  memory_store_undone(g, NULL);
  for (size_t i = 0; i < g->undone_stores.cap; ++i) {
    LLVMValueRef s = g->undone_stores.keys[i];
    LLVMValueRef copy = s ? vmap_get(&g->fwd, s) : NULL;
    if (!copy)
      continue;
    LLVMPositionBuilderBefore(g->m->b, copy);
    LLVMValueRef old = LLVMBuildLoad2(g->m->b, LLVMTypeOf(LLVMGetOperand(s, 0)), LLVMGetOperand(copy, 1), "ct.old");
    LLVMSetAlignment(old, LLVMGetAlignment(copy));
    scopes_tag_primal(g, old);
    vmap_set(&g->undo_old, s, old);
  }
}

void forward_build_shadows(ct_gen *g) {
  mark_math_calls_pure(g);
  build_shadows(g);
  if (!g->failed)
    shadow_pointer_stores(g);
}

void forward_build(ct_gen *g) {
  drop_deferred_frees(g);
  save_undone_values(g);
  remark_tape_use(g);
  forward_build_shadows(g);
  if (g->failed)
    return;
  heap_free_table_shadows(g);
  build_calls(g);
  indirect_guard_fallbacks(g);
  custom_build_kept(g);
  batch_build_pushes(g);
  build_pushes(g);
  reserve_loop_records(g);
  scopes_tag_forward(g);
}
