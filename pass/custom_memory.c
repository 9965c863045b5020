/* Custom derivatives and memory: a pullback runs in the reverse pass and
 * reads the arrays it is given as they are then. That is only right if
 * nothing writes them between the call and the end of the forward pass.
 * For a call whose arrays the pullback reads (CT_ACCESS 'r' and 'u'; every
 * pointer when f does not say) and that may be written again after it (on
 * any path, including the next iteration of a loop around it):
 *  - when CT_ACCESS gives the array's size and type, the forward pass
 *    copies the array onto the tape right after the call, and the reverse
 *    pass hands the pullback that copy (the runtime kernels are declared
 *    so);
 *  - otherwise the call is rejected with the place of the write, rather
 *    than differentiated wrongly.
 *
 * Objects are told apart by their base: distinct allocas, heap blocks,
 * globals and arguments of the differentiated function are taken as
 * distinct (arrays passed as different arguments must not overlap, as
 * for their shadows); any other pointer (loaded, selected) may be any. */
#include "alloc.h"
#include "blas.h"
#include "gen.h"
#include "mpi.h"

#include <llvm-c/Target.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_object(LLVMValueRef v) {
  return LLVMIsAAllocaInst(v) || LLVMIsAGlobalVariable(v) || LLVMIsAArgument(v) ||
         ir_is_allocation(v);
}

static int may_alias(LLVMValueRef a, LLVMValueRef b) {
  return a == b || !is_object(a) || !is_object(b);
}

static int is_pointer(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMPointerTypeKind; }

/* Does the callee promise not to write memory (memory(read) or none)? */
static int call_writes_nothing(LLVMValueRef call) {
  return !ct_bridge_call_may_write(call, CT_MEM_ARGUMENT | CT_MEM_INACCESSIBLE | CT_MEM_OTHER);
}

/* A call of the OpenMP runtime or of Cotangent's parallel-region runtime
 * (critical sections as ticket locks): they write their own loop bounds
 * and locks, never the program's arrays. */
static int is_parallel_runtime(LLVMValueRef call) {
  size_t len = 0;
  const char *name = util_callee_name(call, &len);
  return name && ((len > 7 && !strncmp(name, "__kmpc_", 7) && strncmp(name, "__kmpc_fork_call", 16) &&
                   strncmp(name, "__kmpc_reduce", 13)) ||
                  (len > 9 && !strncmp(name, "__ct_omp_", 9)));
}

/* May instruction w write the object `base`? With `frees`, freeing it
 * counts (the allocator reuses the block's memory). */
static int writes(ct_gen *g, LLVMValueRef w, LLVMValueRef base, int frees) {
  const char *masked = ir_masked_intrinsic(w);
  LLVMValueRef dst = NULL;
  if (LLVMIsAStoreInst(w))
    dst = LLVMGetOperand(w, 1);
  else if (ir_mem_intrinsic(w))
    dst = LLVMGetOperand(w, 0);
  else if (masked && !strcmp(masked, "store"))
    dst = LLVMGetOperand(w, 1);
  else if (LLVMIsAAtomicRMWInst(w) || LLVMIsAAtomicCmpXchgInst(w))
    dst = LLVMGetOperand(w, 0);
  if (dst)
    return may_alias(ir_base_object(dst), base);
  if (frees && LLVMIsACallInst(w) && alloc_freed_pointer(w) && may_alias(ir_base_object(alloc_freed_pointer(w)), base))
    return 1;
  if (!LLVMIsACallInst(w) || masked || classify_rule(w) || classify_is_inactive_call(w) || call_writes_nothing(w) ||
      is_parallel_runtime(w))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(w);
  int custom = custom_derivative_of(g->m, callee) != NULL;
  unsigned n = (unsigned)LLVMGetNumArgOperands(w);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(w, k);
    if (!is_pointer(op) || LLVMIsAConstantPointerNull(op))
      continue;
    char acc = custom ? custom_access(callee, k) : 'u';
    if ((acc == 'w' || acc == 'u') && may_alias(ir_base_object(op), base) &&
        !(custom && custom_body_only_reads(g->m, callee, k)))
      return 1;
  }
  return 0;
}

/* The blocks reachable from the successors of `from` (flags by index). */
static void reachable_after(ct_gen *g, LLVMBasicBlockRef from, char *seen) {
  unsigned *stack = malloc(g->nblocks * sizeof *stack), top = 0;
  LLVMBasicBlockRef bb = from;
  for (;;) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
    for (unsigned s = 0; s < ns; ++s) {
      ct_block *b = cfg_block_of(g, LLVMGetSuccessor(term, s));
      unsigned i = b ? (unsigned)(b - g->blocks) : g->nblocks;
      if (i < g->nblocks && !seen[i]) {
        seen[i] = 1;
        stack[top++] = i;
      }
    }
    if (!top)
      break;
    bb = g->blocks[stack[--top]].bb;
  }
  free(stack);
}

/* The first instruction that may write `base` after `call`, or NULL. */
static LLVMValueRef written_after(ct_gen *g, LLVMValueRef call, LLVMValueRef base, const char *seen, int frees) {
  for (LLVMValueRef w = LLVMGetNextInstruction(call); w; w = LLVMGetNextInstruction(w))
    if (writes(g, w, base, frees))
      return w;
  for (unsigned i = 0; i < g->nblocks; ++i)
    if (seen[i])
      for (LLVMValueRef w = LLVMGetFirstInstruction(g->blocks[i].bb); w; w = LLVMGetNextInstruction(w))
        if (writes(g, w, base, frees))
          return w;
  return NULL;
}

/* The pullback reads the local array `base` in the reverse pass: its
 * lifetime must not end in the forward part (the code generator would give
 * its stack slot to another array). */
static void keep_alloca_alive(ct_gen *g, LLVMValueRef base) {
  static const char *const END[] = {"llvm.lifetime.end.p0", NULL};
  if (!LLVMIsAAllocaInst(base))
    return;
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef copy = vmap_get(&g->fwd, inst);
      if (copy && LLVMIsACallInst(inst) && ir_callee_is(inst, END) && ir_base_object(LLVMGetOperand(inst, 1)) == base) {
        LLVMInstructionEraseFromParent(copy);
        vmap_set(&g->fwd, inst, NULL);
      }
    }
}

void custom_check_memory(ct_gen *g, LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  char *seen = NULL;
  /* first what cannot be differentiated wherever the memory is written:
     the pullbacks of the region's threads adding into one shadow (the
     same error as the reverse's, reported before any other about this
     call) */
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, k);
    if (is_pointer(op) && vmap_get(&g->active, op) && gpu_needs_atomic(g, op)) {
      gen_fail(g, call, "passes shared differentiable memory to a custom derivative inside a parallel region",
               "its pullback's adjoint additions would race; call it outside the region, or on a private copy");
      return;
    }
  }
  if (!blas_check_call(g, call))
    return;
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, k);
    char acc = custom_access(callee, k);
    if (k < 64 && is_pointer(op) && !ir_points_nowhere(op) && (mpi_reads_old(callee, k) || mpi_keeps_after(callee, k))) {
      /* MPI requests and reduction inputs: always copied (before a wait,
         after a non-blocking call or a reduction) */
      LLVMValueRef old = vmap_get(&g->kept, call);
      unsigned long long mask = (old ? LLVMConstIntGetZExtValue(old) : 0) | 1ull << k;
      vmap_set(&g->kept, call, LLVMConstInt(g->i64_ty, mask, 0));
      g->nkept += !old;
      continue;
    }
    if (!is_pointer(op) || ir_points_nowhere(op) || (acc != 'r' && acc != 'u'))
      continue; /* (a constant address, MPI_IN_PLACE, holds nothing to keep) */
    if (k < 64 && blas_reads_old(callee, k)) { /* always copied, before the call */
      LLVMValueRef old = vmap_get(&g->kept, call);
      unsigned long long mask = (old ? LLVMConstIntGetZExtValue(old) : 0) | 1ull << k;
      vmap_set(&g->kept, call, LLVMConstInt(g->i64_ty, mask, 0));
      g->nkept += !old;
      continue;
    }
    keep_alloca_alive(g, ir_base_object(op));
    if (!seen) {
      seen = calloc(g->nblocks ? g->nblocks : 1, 1);
      reachable_after(g, LLVMGetInstructionParent(call), seen);
    }
    /* a free after the call counts where a copy can be kept (BLAS calls:
       their arrays are often scratch the function frees) */
    unsigned sizes[8];
    int table = blas_is(callee) || mpi_is(callee); /* extents from the runtime */
    int keepable = k < 64 && (table || custom_array_size(callee, k, sizes));
    LLVMValueRef w = written_after(g, call, ir_base_object(op), seen, table);
    if (!w)
      continue;
    if (keepable) { /* keep a copy */
      LLVMValueRef old = vmap_get(&g->kept, call);
      unsigned long long mask = (old ? LLVMConstIntGetZExtValue(old) : 0) | 1ull << k;
      vmap_set(&g->kept, call, LLVMConstInt(g->i64_ty, mask, 0));
      g->nkept += !old;
      continue;
    }
    char what[1024], where[256], desc[128], name[256];
    diag_function_name(callee, name, sizeof name);
    diag_location(w, where, sizeof where);
    diag_describe(w, desc, sizeof desc);
    snprintf(what, sizeof what,
             "passes array argument %u, which the derivative of '%s' reads in the reverse pass, but "
             "the %s%s%s may overwrite it afterwards",
             k + 1, name, desc, *where ? " at " : "", where);
    gen_fail(g, call, what,
             "write the new values to another array (or copy the argument before the call), so that "
             "the values the call used are still there; or give the array's size and type with "
             "CT_ACCESS on the function, and Cotangent keeps a copy");
    break;
  }
  free(seen);
}

static LLVMValueRef fwd_value(ct_gen *g, LLVMValueRef v);

LLVMValueRef custom_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k,
                               LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (blas_is(callee))
    return blas_kept_bytes(g, call, k, value);
  if (mpi_is(callee))
    return mpi_kept_bytes(g, call, k, value, value == fwd_value);
  unsigned sizes[8], n = custom_array_size(callee, k, sizes);
  LLVMTypeRef elem = custom_element_type(callee);
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->m->mod);
  LLVMValueRef bytes = LLVMConstInt(g->i64_ty, LLVMABISizeOfType(td, elem), 0);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef v = value(g, LLVMGetOperand(call, sizes[i]));
    if (LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMIntegerTypeKind)
      return LLVMConstInt(g->i64_ty, 0, 0);
    v = LLVMBuildSExtOrBitCast(b, v, g->i64_ty, "");
    /* a negative count is an empty array */
    v = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, v, LLVMConstInt(g->i64_ty, 0, 0), ""),
                        LLVMConstInt(g->i64_ty, 0, 0), v, "");
    bytes = tape_bytes_mul(g, bytes, v);
  }
  return bytes;
}

static LLVMValueRef fwd_value(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef f = vmap_get(&g->fwd, v);
  return f ? f : v;
}

/* Right after each kept call in the forward pass: push a copy of each kept
 * array onto the tape (the reverse pops them, last first); an array whose
 * old contents the pullback reads (blas.c's 'o') right before it. */
void custom_build_kept(ct_gen *g) {
  if (!g->nkept)
    return;
  LLVMBuilderRef b = g->m->b;
  LLVMTypeRef params[3] = {g->ptr_ty, g->i64_ty, g->i64_ty};
  LLVMTypeRef push_ty = LLVMFunctionType(g->ptr_ty, params, 3, 0);
  LLVMValueRef push = ir_declare_function(g->m->mod, "__ct_tape_push", push_ty, NULL);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef kept = LLVMIsACallInst(inst) ? vmap_get(&g->kept, inst) : NULL;
      if (!kept)
        continue;
      unsigned long long mask = LLVMConstIntGetZExtValue(kept);
      LLVMValueRef at = fwd_value(g, inst), after = LLVMGetNextInstruction(at);
      for (unsigned k = 0; k < 64; ++k)
        if (mask >> k & 1) {
          LLVMValueRef callee = LLVMGetCalledValue(inst);
          LLVMPositionBuilderBefore(b, blas_reads_old(callee, k) || mpi_reads_old(callee, k) ? at : after);
          LLVMValueRef bytes = custom_kept_bytes(g, inst, k, fwd_value);
          LLVMValueRef args[3] = {g->tape, bytes, LLVMConstInt(g->i64_ty, 16, 0)};
          LLVMValueRef slot = LLVMBuildCall2(b, push_ty, push, args, 3, "");
          LLVMBuildMemCpy(b, slot, 16, fwd_value(g, LLVMGetOperand(inst, k)), 1, bytes);
        }
    }
}
