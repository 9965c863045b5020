/* The runtime tape (lib/tape.h) as generated code uses it: calls of its
 * push and pop, saturating byte counts, and the layout of the record each
 * block execution leaves on it (which predecessor came before, the values
 * its reverse needs, and at a loop's exit the loop's record arrays). */
#include "gen.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

LLVMValueRef tape_call(ct_gen *g, const char *fn, LLVMValueRef tape, LLVMValueRef bytes, unsigned long long align) {
  LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i64_ty};
  LLVMValueRef args[3] = {tape, bytes, LLVMConstInt(g->i64_ty, align, 0)};
  return ir_build_call(g->m->b, g->m->mod, fn, LLVMFunctionType(g->ptr_ty, params, 3, 0), args, 3, "");
}

LLVMValueRef tape_bytes_mul(ct_gen *g, LLVMValueRef a, LLVMValueRef b) {
  LLVMBuilderRef bld = g->m->b;
  if (LLVMIsAConstantInt(a) && LLVMIsAConstantInt(b)) {
    unsigned long long x = LLVMConstIntGetZExtValue(a), y = LLVMConstIntGetZExtValue(b), r;
    return LLVMConstInt(g->i64_ty, __builtin_mul_overflow(x, y, &r) ? ~0ULL : r, 0);
  }
  const char *name = "llvm.umul.with.overflow";
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->m->mod, LLVMLookupIntrinsicID(name, strlen(name)), &g->i64_ty, 1);
  LLVMValueRef args[2] = {a, b};
  LLVMValueRef r = LLVMBuildCall2(bld, LLVMGlobalGetValueType(f), f, args, 2, "");
  return LLVMBuildSelect(bld, LLVMBuildExtractValue(bld, r, 1, ""), LLVMConstAllOnes(g->i64_ty),
                         LLVMBuildExtractValue(bld, r, 0, ""), "ct.bytes");
}

/* A push or pop of `ty`'s size. */
static LLVMValueRef call_for_type(ct_gen *g, const char *fn, LLVMTypeRef ty, LLVMValueRef tape) {
  unsigned long long size = LLVMABISizeOfType(LLVMGetModuleDataLayout(g->m->mod), ty);
  return tape_call(g, fn, tape, LLVMConstInt(g->i64_ty, size ? size : 1, 0), 16);
}

void tape_push(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef slot = call_for_type(g, "__ct_tape_push", LLVMTypeOf(v), g->tape);
  scopes_tag_tape(g, LLVMBuildStore(g->m->b, v, slot));
}

LLVMValueRef tape_pop(ct_gen *g, LLVMTypeRef ty) {
  LLVMValueRef slot = call_for_type(g, "__ct_tape_pop", ty, g->rev_tape);
  LLVMValueRef v = LLVMBuildLoad2(g->m->b, ty, slot, "");
  scopes_tag_tape(g, v);
  return v;
}

/* The record a block execution leaves on the tape: which predecessor it
 * came from (join blocks) and the values its reverse needs. One push per
 * block execution. NULL when the block needs nothing. */
LLVMTypeRef tape_record_type(ct_gen *g, ct_block *b) {
  ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
  unsigned narrays = tape_exit_arrays(g, b, arrays, TAPE_MAX_EXIT_ARRAYS);
  LLVMTypeRef *fields = malloc((1 + b->nneeds + narrays) * sizeof *fields);
  unsigned n = 0;
  if (BLOCK_RECORDS_PRED(b))
    fields[n++] = g->i32_ty;
  for (unsigned k = 0; k < b->nneeds; ++k)
    if (need_on_tape(b->needs[k].kind))
      /* a shadow has its pointer's type (address space included) */
      fields[n++] = b->needs[k].kind == NEED_CALL_TAPE ? g->ptr_ty : LLVMTypeOf(b->needs[k].value);
  for (unsigned k = 0; k < narrays; ++k) /* a loop exit: the loop's record arrays */
    fields[n++] = g->ptr_ty;
  LLVMTypeRef t = n ? LLVMStructTypeInContext(g->m->ctx, fields, n, 0) : NULL;
  free(fields);
  return t;
}

/* A loop exit's record carries the record arrays of its loop's batched
 * blocks (batch.c). */
static int by_block(const void *a, const void *b) {
  const ct_block *x = *(ct_block *const *)a, *y = *(ct_block *const *)b;
  return (x > y) - (x < y);
}

unsigned tape_exit_arrays(ct_gen *g, ct_block *b, ct_block **out, unsigned max) {
  /* the batched blocks of the loops leaving through b, in block order:
     those loops' blocks looked at, not every block */
  const unsigned *loops;
  unsigned nl = cfg_exit_loops(g, b->bb, &loops), n = 0, cap = 0;
  for (unsigned k = 0; k < nl; ++k)
    cap += g->loops[loops[k]].nblocks;
  if (!cap)
    return 0;
  ct_block **found = malloc(cap * sizeof *found);
  for (unsigned k = 0; k < nl; ++k) {
    const ct_bridge_loop *l = &g->loops[loops[k]];
    for (unsigned j = 0; j < l->nblocks; ++j) {
      ct_block *c = cfg_block_of(g, g->loop_blocks[l->first_block + j]);
      if (c->batch == (int)loops[k] + 1)
        found[n++] = c;
    }
  }
  qsort(found, n, sizeof *found, by_block);
  n = n < max ? n : max;
  memcpy(out, found, n * sizeof *out);
  free(found);
  return n;
}
