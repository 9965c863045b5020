/* Custom derivatives and memory: a pullback runs in the reverse pass and
 * reads the arrays it is given as they are then. That is only right if
 * nothing writes them between the call and the end of the forward pass, so
 * a call whose arrays the pullback reads (CT_ACCESS 'r' and 'u'; every
 * pointer when f does not say) and that are written again after it (on any
 * path, including the next iteration of a loop around it) is rejected with
 * the place of the write, rather than differentiated wrongly.
 *
 * Objects are told apart by their base: distinct allocas, heap blocks,
 * globals and arguments of the differentiated function are taken as
 * distinct (arrays passed as different arguments must not overlap, as
 * for their shadows); any other pointer (loaded, selected) may be any. */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_object(LLVMValueRef v) {
  return LLVMIsAAllocaInst(v) || LLVMIsAGlobalVariable(v) || LLVMIsAArgument(v) ||
         (LLVMIsACallInst(v) && classify_callee_is(v, CLASSIFY_ALLOC_FUNCTIONS));
}

static int may_alias(LLVMValueRef a, LLVMValueRef b) {
  return a == b || !is_object(a) || !is_object(b);
}

static int is_pointer(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMPointerTypeKind; }

/* Does the callee promise not to write memory (memory(read) or none)? */
static int call_writes_nothing(LLVMValueRef call) {
  unsigned kind = LLVMGetEnumAttributeKindForName("memory", 6);
  LLVMValueRef callee = LLVMGetCalledValue(call);
  LLVMAttributeRef a = LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, kind);
  if (!a && callee && LLVMIsAFunction(callee))
    a = LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, kind);
  /* two bits (ref, mod) per location; no mod bit set: no writes */
  return a && (LLVMGetEnumAttributeValue(a) & 0x2A) == 0;
}

/* May instruction w write the object `base`? */
static int writes(ct_gen *g, LLVMValueRef w, LLVMValueRef base) {
  const char *masked = activity_masked_intrinsic(w);
  LLVMValueRef dst = NULL;
  if (LLVMIsAStoreInst(w))
    dst = LLVMGetOperand(w, 1);
  else if (activity_mem_intrinsic(w))
    dst = LLVMGetOperand(w, 0);
  else if (masked && !strcmp(masked, "store"))
    dst = LLVMGetOperand(w, 1);
  else if (LLVMIsAAtomicRMWInst(w) || LLVMIsAAtomicCmpXchgInst(w))
    dst = LLVMGetOperand(w, 0);
  if (dst)
    return may_alias(activity_base_object(dst), base);
  if (!LLVMIsACallInst(w) || masked || classify_rule(w) || classify_is_inactive_call(w) || call_writes_nothing(w))
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(w);
  int custom = custom_derivative_of(g->m, callee) != NULL;
  unsigned n = (unsigned)LLVMGetNumArgOperands(w);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(w, k);
    if (!is_pointer(op) || LLVMIsAConstantPointerNull(op))
      continue;
    char acc = custom ? custom_access(callee, k) : 'u';
    if ((acc == 'w' || acc == 'u') && may_alias(activity_base_object(op), base))
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
static LLVMValueRef written_after(ct_gen *g, LLVMValueRef call, LLVMValueRef base, const char *seen) {
  for (LLVMValueRef w = LLVMGetNextInstruction(call); w; w = LLVMGetNextInstruction(w))
    if (writes(g, w, base))
      return w;
  for (unsigned i = 0; i < g->nblocks; ++i)
    if (seen[i])
      for (LLVMValueRef w = LLVMGetFirstInstruction(g->blocks[i].bb); w; w = LLVMGetNextInstruction(w))
        if (writes(g, w, base))
          return w;
  return NULL;
}

void custom_check_memory(ct_gen *g, LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  char *seen = NULL;
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef op = LLVMGetOperand(call, k);
    char acc = custom_access(callee, k);
    if (!is_pointer(op) || LLVMIsAConstantPointerNull(op) || (acc != 'r' && acc != 'u'))
      continue;
    if (!seen) {
      seen = calloc(g->nblocks ? g->nblocks : 1, 1);
      reachable_after(g, LLVMGetInstructionParent(call), seen);
    }
    LLVMValueRef w = written_after(g, call, activity_base_object(op), seen);
    if (!w)
      continue;
    char what[512], where[256], desc[128];
    size_t len = 0;
    const char *name = LLVMGetValueName2(callee, &len);
    diag_location(w, where, sizeof where);
    diag_describe(w, desc, sizeof desc);
    snprintf(what, sizeof what,
             "passes array argument %u, which the derivative of '%.*s' reads in the reverse pass, but "
             "the %s%s%s may overwrite it afterwards",
             k + 1, (int)len, name, desc, *where ? " at " : "", where);
    gen_fail(g, call, what,
             "write the new values to another array (or copy the argument before the call), so that "
             "the values the call used are still there; if the derivative does not read the array, "
             "say so with CT_ACCESS on the function");
    break;
  }
  free(seen);
}
