/* Control-flow constructs outside plain branches, in the prepared primal.
 *
 * A computed goto (`goto *p`, IR indirectbr) becomes a switch: its address
 * is compared with the block addresses of the original function (the ones
 * the program stores in its label tables), so the reverse pass replays the
 * taken successor as for any switch. Constructs the reverse pass cannot
 * replay are reported here, before anything is generated: code that may
 * throw a C++ exception (invoke) and setjmp (a call that returns twice). */
#include "core.h"

#include <llvm-c/DebugInfo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The blockaddress constant of `bb` (a block of `fn`) when the program
 * takes it, else NULL: a block whose address is never taken cannot be the
 * target of a computed goto. Taking it here would mark the user's block as
 * address-taken. */
static LLVMValueRef taken_address(LLVMValueRef fn, LLVMBasicBlockRef bb) {
  for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u; u = LLVMGetNextUse(u))
    if (LLVMIsABlockAddress(LLVMGetUser(u)))
      return LLVMBlockAddress(fn, bb);
  return NULL;
}

/* Replaces the copy of `orig` (an indirectbr of `from`) with
 *   switch (index of the destination whose address the operand equals)
 * whose cases keep the destinations' order and count, so the phis of the
 * destinations stay valid; the last destination is the default. */
static void lower_indirect_branch(ct_module *m, LLVMValueRef from, LLVMValueRef orig, LLVMValueRef copy) {
  unsigned n = LLVMGetNumSuccessors(orig);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderBefore(b, copy);
  LLVMSetCurrentDebugLocation2(b, LLVMInstructionGetDebugLoc(copy));
  LLVMTypeRef i32 = LLVMInt32TypeInContext(m->ctx);
  if (n == 0) {
    LLVMBuildUnreachable(b);
  } else {
    LLVMValueRef addr = LLVMGetOperand(copy, 0);
    LLVMValueRef index = LLVMConstInt(i32, n - 1, 0);
    for (unsigned k = n - 1; k-- > 0;) {
      LLVMValueRef target = taken_address(from, LLVMGetSuccessor(orig, k));
      if (target)
        index = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, addr, target, ""), LLVMConstInt(i32, k, 0), index,
                                "ct.goto");
    }
    LLVMValueRef sw = LLVMBuildSwitch(b, index, LLVMGetSuccessor(copy, n - 1), n - 1);
    for (unsigned k = 0; k + 1 < n; ++k)
      LLVMAddCase(sw, LLVMConstInt(i32, k, 0), LLVMGetSuccessor(copy, k));
  }
  LLVMDisposeBuilder(b);
  LLVMInstructionEraseFromParent(copy);
}

void constructs_lower_indirect_branches(ct_module *m, LLVMValueRef from, const ct_vmap *map) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(from); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    LLVMValueRef copy = term && LLVMIsAIndirectBrInst(term) ? vmap_get(map, term) : NULL;
    if (copy)
      lower_indirect_branch(m, from, term, copy);
  }
}

static const char *const SETJMP_FUNCTIONS[] = {"setjmp", "_setjmp", "__setjmp", "sigsetjmp", "__sigsetjmp",
                                               "savectx", "vfork", "getcontext", NULL};

/* A call that may return twice: setjmp and its relatives, or a function
 * (or call) marked returns_twice. */
static int returns_twice(LLVMValueRef call) {
  unsigned kind = LLVMGetEnumAttributeKindForName("returns_twice", 13);
  if (LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, kind))
    return 1;
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  if (LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, kind))
    return 1;
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  for (const char *const *s = SETJMP_FUNCTIONS; *s; ++s)
    if (strlen(*s) == len && !memcmp(*s, name, len))
      return 1;
  return 0;
}

/* ---- C++ exceptions ----
 * The gradient is built for the normal path. An invoke whose landing pad
 * only cleans up (destructors of locals) or terminates (a noexcept
 * function's guard) becomes a call: should the callee throw during the
 * forward pass, the exception leaves the gradient call, to the operator
 * call's own handlers (unwind.c), without those cleanups; so does one
 * whose handler always rethrows. A landing pad that catches and goes on
 * (try/catch in the differentiated code) changes what the function
 * computes, so it is an error (constructs_check). */

/* Does the landing pad block call std::terminate (a noexcept guard)? */
static int pad_terminates(LLVMBasicBlockRef pad) {
  static const char *const TERMINATE[] = {"__clang_call_terminate", "_ZSt9terminatev", NULL};
  for (LLVMValueRef i = LLVMGetFirstInstruction(pad); i; i = LLVMGetNextInstruction(i))
    if (LLVMIsACallInst(i) && ir_callee_is(i, TERMINATE))
      return 1;
  return 0;
}

/* Can control reach a `ret` from `pad`, through normal and unwind edges?
 * A handler that cannot (every path rethrows, resumes or ends unreachable:
 * the standard library's `catch (...) { destroy what was built; throw; }`
 * in its uninitialized copies) lets the exception leave the function like
 * a cleanup does, so the normal path is the function's whole value. */
static int pad_reaches_return(LLVMBasicBlockRef pad) {
  ct_vmap seen;
  vmap_init(&seen);
  size_t cap = 16, n = 0;
  LLVMBasicBlockRef *todo = malloc(cap * sizeof *todo);
  todo[n++] = pad;
  vmap_set(&seen, LLVMBasicBlockAsValue(pad), LLVMBasicBlockAsValue(pad));
  int found = 0;
  while (n && !found) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(todo[--n]);
    if (!t || LLVMIsAReturnInst(t)) {
      found = 1;
      break;
    }
    unsigned ns = LLVMGetNumSuccessors(t);
    for (unsigned k = 0; k < ns; ++k) {
      LLVMBasicBlockRef s = LLVMGetSuccessor(t, k);
      if (vmap_get(&seen, LLVMBasicBlockAsValue(s)))
        continue;
      vmap_set(&seen, LLVMBasicBlockAsValue(s), LLVMBasicBlockAsValue(s));
      if (n == cap)
        todo = realloc(todo, (cap *= 2) * sizeof *todo);
      todo[n++] = s;
    }
  }
  free(todo);
  vmap_free(&seen);
  return found;
}

/* May the invoke's landing pad catch the exception (a catch or filter
 * clause that is not a terminate guard, in a handler that may go on to
 * return)? */
static int pad_catches(LLVMValueRef invoke) {
  LLVMBasicBlockRef pad = LLVMGetUnwindDest(invoke);
  LLVMValueRef lp = LLVMGetFirstInstruction(pad);
  while (lp && LLVMIsAPHINode(lp))
    lp = LLVMGetNextInstruction(lp);
  if (!lp || !LLVMIsALandingPadInst(lp))
    return 1; /* another scheme (catchswitch): not understood, so not dropped */
  unsigned n = LLVMGetNumClauses(lp);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef clause = LLVMGetClause(lp, k);
    int catch_all = LLVMIsNull(clause) && LLVMGetTypeKind(LLVMTypeOf(clause)) == LLVMPointerTypeKind;
    if (!catch_all || !pad_terminates(pad))
      return pad_reaches_return(pad);
  }
  return 0;
}

int constructs_drop_cleanups(LLVMValueRef copy) {
  size_t cap = 16, n = 0;
  LLVMValueRef *invokes = malloc(cap * sizeof *invokes);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(copy); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
    if (t && LLVMIsAInvokeInst(t) && !pad_catches(t)) {
      if (n == cap)
        invokes = realloc(invokes, (cap *= 2) * sizeof *invokes);
      invokes[n++] = t;
    }
  }
  for (size_t k = 0; k < n; ++k)
    ct_bridge_invoke_to_call(invokes[k]);
  free(invokes);
  return n > 0;
}

static void report_invoke(LLVMValueRef user_fn, const char *fname, LLVMValueRef inst) {
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  char what[512];
  if (callee && LLVMIsAFunction(callee)) {
    char cname[400];
    diag_function_name(callee, cname, sizeof cname);
    snprintf(what, sizeof what, "invoke of '%s'", cname);
  } else if (callee && LLVMIsAInlineAsm(callee))
    snprintf(what, sizeof what, "inline assembly that may unwind");
  else
    snprintf(what, sizeof what, "invoke through a function pointer");
  /* at the line of the differentiated function that the inlined library
     code comes from (std::vector's push_back, not the header's throw) */
  LLVMMetadataRef loc = LLVMInstructionGetDebugLoc(inst), outer = loc;
  while (outer && LLVMDILocationGetInlinedAt(outer))
    outer = LLVMDILocationGetInlinedAt(outer);
  LLVMInstructionSetDebugLoc(inst, outer);
  diag_report(user_fn, inst, CT_SEV_ERROR,
              "cannot differentiate '%s': it catches C++ exceptions (a try/catch around an %s); the gradient "
              "follows the normal path only; move the try/catch out of the differentiated function (an "
              "exception may pass through differentiated code: it leaves the gradient call)",
              fname, what);
  LLVMInstructionSetDebugLoc(inst, loc);
}

int constructs_check(ct_module *m, LLVMValueRef user_fn, LLVMValueRef copy) {
  (void)m;
  char fname[400];
  diag_function_name(user_fn, fname, sizeof fname);
  int invoke_reported = 0, setjmp_reported = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(copy); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (LLVMIsAInvokeInst(inst) && !invoke_reported) {
        report_invoke(user_fn, fname, inst);
        invoke_reported = 1;
      } else if ((LLVMIsACallInst(inst) || LLVMIsAInvokeInst(inst)) && returns_twice(inst) && !setjmp_reported) {
        char cname[400] = "a function";
        LLVMValueRef callee = LLVMGetCalledValue(inst);
        if (callee && LLVMIsAFunction(callee))
          diag_function_name(callee, cname, sizeof cname);
        diag_report(user_fn, inst, CT_SEV_ERROR,
                    "cannot differentiate '%s': call to '%s' may return twice (setjmp/longjmp); the reverse "
                    "pass cannot replay a jump back into the function; report errors through return "
                    "values instead",
                    fname, cname);
        setjmp_reported = 1;
      }
    }
  return !invoke_reported && !setjmp_reported;
}
