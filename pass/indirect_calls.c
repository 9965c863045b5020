/* Calls through function pointers on the differentiated path (C callbacks,
 * tables of functions, structs holding a callback, C++ virtual calls,
 * std::function): run-time dispatch among the functions the call may reach.
 *
 * In a prepared primal (prepare.c), each indirect call that may carry
 * derivatives compares its pointer with its targets: the functions of the
 * call's type whose derivative Cotangent knows (a body here, a rule, a
 * custom derivative, a CT_DIFFERENTIABLE declaration) and whose address may
 * reach the call (see "where a function's address goes"). It calls the one
 * it equals directly; the direct calls are inlined (prepare.c), and their
 * own indirect calls dispatched in turn, except a target that may call
 * itself through a pointer, which stays a call (IR_DISPATCH_KEPT) whose
 * gradient serves every level. The indirect call stays, tagged
 * (IR_DISPATCH_FALLBACK), for other pointers (a function of another file,
 * of a library): where the gradient needs that call's derivative (it gets
 * or returns differentiable values), the forward stops the program with a
 * message naming the call and the function before running it
 * (__ct_indirect_call_unknown, lib/registry.c); where it does not, the call
 * runs as is. A call with no target stays an indirect call, reported at
 * compile time when it is on the differentiated path (classify.c, with
 * indirect_explain). */
#include "gen.h"
#include "operator_names.h"

#include <llvm-c/DebugInfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most targets one call dispatches among; beyond, the call stays
 * indirect (an error on the differentiated path, indirect_explain). */
enum { MAX_TARGETS = 64 };

static int has_prefix(const char *s, size_t len, const char *p) {
  size_t n = strlen(p);
  return len >= n && !memcmp(s, p, n);
}

/* ---- where a function's address goes ----
 * A function is a target of a call only if its address may reach the
 * call's pointer: a use that lets it escape (stored, in a global's
 * initializer, returned, compared, passed to code that may keep it) makes
 * it a target of any call of its type whose pointer comes from memory or
 * from a parameter; a function passed to a parameter that its function
 * only calls (a finite-difference checker's `f`) is a target only of calls
 * through that very parameter. */

typedef enum { USE_IGNORED, USE_CONTAINED, USE_ESCAPES } use_kind;

/* A function of the user's (not one Cotangent made, not an intrinsic). */
static int is_user_function(LLVMValueRef f) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(f, &len);
  return len && !has_prefix(name, len, "llvm.") && !has_prefix(name, len, "__ct_") && !strstr(name, ".ct_") &&
         !strstr(name, ".ct.");
}

/* Is the pointer v (a parameter, or a load of the local it was saved in at
 * -O0) only ever called? */
static int only_called(LLVMValueRef v, int depth) {
  if (depth > 4)
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsACallInst(user) || LLVMIsAInvokeInst(user)) {
      for (int k = 0, n = LLVMGetNumArgOperands(user); k < n; ++k)
        if (LLVMGetOperand(user, (unsigned)k) == v)
          return 0;
      continue; /* the callee */
    }
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 0) != v || !LLVMIsAAllocaInst(LLVMGetOperand(user, 1)))
      return 0;
    LLVMValueRef slot = LLVMGetOperand(user, 1);
    for (LLVMUseRef w = LLVMGetFirstUse(slot); w; w = LLVMGetNextUse(w)) {
      LLVMValueRef su = LLVMGetUser(w);
      size_t len = 0;
      const char *name = util_callee_name(su, &len);
      if ((LLVMIsAStoreInst(su) && LLVMGetOperand(su, 1) == slot && LLVMGetOperand(su, 0) != slot) ||
          (name && has_prefix(name, len, "llvm.lifetime.")))
        continue;
      if (!LLVMIsALoadInst(su) || !only_called(su, depth + 1))
        return 0;
    }
  }
  return 1;
}

/* The kind of a call's use of f (*into, *param: the parameter a contained
 * f is passed to). */
static use_kind call_use(LLVMValueRef f, LLVMValueRef call, LLVMValueRef *into, unsigned *param) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
  if (has_prefix(name, len, "__ct_register") || has_prefix(name, len, "llvm."))
    return USE_IGNORED;
  /* an operator's function (after Enzyme's sret) is differentiated, not
     passed on; its other arguments are passed on */
  int op = operator_kind_of_name(name, len) != OP_NONE;
  unsigned fn_arg = !op ? ~0u
                    : LLVMGetNumArgOperands(call) > 0 &&
                            LLVMGetCallSiteEnumAttribute(call, 1, LLVMGetEnumAttributeKindForName("sret", 4))
                        ? 1u
                        : 0u;
  use_kind kind = USE_IGNORED; /* only called */
  for (unsigned k = 0, n = (unsigned)LLVMGetNumArgOperands(call); k < n; ++k) {
    if (LLVMGetOperand(call, k) != f || k == fn_arg)
      continue;
    if (op || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) || k >= LLVMCountParams(callee) ||
        LLVMIsFunctionVarArg(LLVMGlobalGetValueType(callee)) || !only_called(LLVMGetParam(callee, k), 0) ||
        kind == USE_CONTAINED)
      return USE_ESCAPES;
    kind = USE_CONTAINED;
    *into = callee;
    *param = k;
  }
  return kind;
}

static use_kind use_of(LLVMValueRef f, LLVMValueRef user, LLVMValueRef *into, unsigned *param, int depth) {
  if (depth > 8)
    return USE_ESCAPES;
  if (LLVMIsAInstruction(user)) {
    if (!is_user_function(LLVMGetBasicBlockParent(LLVMGetInstructionParent(user))))
      return USE_IGNORED; /* Cotangent's copies and dispatches */
    return LLVMIsACallInst(user) || LLVMIsAInvokeInst(user) ? call_use(f, user, into, param) : USE_ESCAPES;
  }
  if (LLVMIsAGlobalVariable(user)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(user, &len);
    return has_prefix(name, len, "llvm.") ? USE_IGNORED : USE_ESCAPES; /* llvm.used, annotations, ctors */
  }
  if (LLVMIsAGlobalValue(user)) /* an alias */
    return USE_ESCAPES;
  if (LLVMIsAConstant(user)) /* inside a struct, array or expression */
    for (LLVMUseRef u = LLVMGetFirstUse(user); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef in = NULL;
      unsigned k = 0;
      if (use_of(user, LLVMGetUser(u), &in, &k, depth + 1) != USE_IGNORED)
        return USE_ESCAPES;
    }
  return USE_IGNORED;
}

/* Where an indirect call's pointer comes from: the functions it may be
 * when they can be listed (phis and selects of functions, loads from
 * constant tables), or an open origin: memory or computed values, or
 * parameters of the prepared function (a mask). */
typedef struct {
  LLVMValueRef *fns;
  unsigned nfns, cap;
  int open_memory;
  unsigned long long open_params;
  LLVMValueRef orig; /* the user's function the prepared copy is of */
} ct_origin;

static void add_listed(ct_origin *o, LLVMValueRef f) {
  for (unsigned i = 0; i < o->nfns; ++i)
    if (o->fns[i] == f)
      return;
  if (o->nfns == o->cap)
    o->fns = realloc(o->fns, (o->cap = o->cap ? 2 * o->cap : 8) * sizeof *o->fns);
  o->fns[o->nfns++] = f;
}

/* The functions in a constant (a table's initializer). */
static void add_functions_in(ct_origin *o, LLVMValueRef c, int depth) {
  if (LLVMIsAFunction(c)) {
    add_listed(o, c);
    return;
  }
  if (depth > 6 || LLVMIsAGlobalValue(c) || !(LLVMIsAConstantStruct(c) || LLVMIsAConstantArray(c) ||
                                             LLVMIsAConstantVector(c) || LLVMIsAConstantExpr(c)))
    return;
  for (int i = 0, n = LLVMGetNumOperands(c); i < n; ++i)
    add_functions_in(o, LLVMGetOperand(c, (unsigned)i), depth + 1);
}

static void origin_of(ct_origin *o, LLVMValueRef v, int depth) {
  if (depth > 16) {
    o->open_memory = 1;
    return;
  }
  if (LLVMIsAFunction(v)) {
    add_listed(o, v);
  } else if (LLVMIsAConstantPointerNull(v) || LLVMIsAUndefValue(v) || LLVMIsAPoisonValue(v)) {
    /* no function */
  } else if (LLVMIsAPHINode(v)) {
    for (unsigned i = 0, n = LLVMCountIncoming(v); i < n; ++i)
      if (LLVMGetIncomingValue(v, i) != v)
        origin_of(o, LLVMGetIncomingValue(v, i), depth + 1);
  } else if (LLVMIsASelectInst(v)) {
    origin_of(o, LLVMGetOperand(v, 1), depth + 1);
    origin_of(o, LLVMGetOperand(v, 2), depth + 1);
  } else if (LLVMIsAArgument(v) && ir_param_index(v) >= 0 && ir_param_index(v) < 64) {
    o->open_params |= 1ull << ir_param_index(v);
  } else if (LLVMIsALoadInst(v)) {
    LLVMValueRef base = ir_base_object(LLVMGetOperand(v, 0));
    if (base && LLVMIsAGlobalVariable(base) && LLVMIsGlobalConstant(base) && LLVMGetInitializer(base))
      add_functions_in(o, LLVMGetInitializer(base), 0);
    else
      o->open_memory = 1;
  } else {
    o->open_memory = 1;
  }
}

/* May f be what the open origin o holds? */
static int may_reach(const ct_origin *o, LLVMValueRef f) {
  for (LLVMUseRef u = LLVMGetFirstUse(f); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef into = NULL;
    unsigned param = 0;
    use_kind k = use_of(f, LLVMGetUser(u), &into, &param, 0);
    if (k == USE_ESCAPES || (k == USE_CONTAINED && into == o->orig && param < 64 && (o->open_params >> param & 1)))
      return 1;
  }
  return 0;
}

/* Does Cotangent know f's derivative (or that it has none)? */
static int knows_derivative(ct_module *m, LLVMValueRef f) {
  if (!LLVMIsDeclaration(f))
    return 1;
  size_t len = 0;
  const char *name = LLVMGetValueName2(f, &len);
  ct_spec spec;
  return rules_for_callee(name, len) || custom_derivative_of(m, f) || contract_canonical_spec(m, f, &spec) ||
         LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-no-derivative", 16);
}

static int is_target(ct_module *m, LLVMValueRef call, LLVMValueRef f) {
  return LLVMGlobalGetValueType(f) == LLVMGetCalledFunctionType(call) && is_user_function(f) &&
         knows_derivative(m, f);
}

/* The targets of `call`, a call of the prepared copy of `orig` (up to max,
 * into out; NULL: count only); returns how many there are in all. */
static unsigned targets_of(ct_module *m, LLVMValueRef orig, LLVMValueRef call, LLVMValueRef *out, unsigned max) {
  ct_origin o = {.orig = orig};
  origin_of(&o, LLVMGetCalledValue(call), 0);
  unsigned n = 0;
  for (unsigned i = 0; i < o.nfns; ++i)
    if (is_target(m, call, o.fns[i])) {
      if (out && n < max)
        out[n] = o.fns[i];
      ++n;
    }
  if (o.open_memory || o.open_params)
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
      int listed = 0;
      for (unsigned i = 0; i < o.nfns && !listed; ++i)
        listed = o.fns[i] == f;
      if (listed || !is_target(m, call, f) || !may_reach(&o, f))
        continue;
      if (out && n < max)
        out[n] = f;
      ++n;
    }
  free(o.fns);
  return n;
}

/* Can t reach a call of itself through direct calls of bodies and the
 * targets of the indirect calls on the way (a composite model calling its
 * parts through the vtable, one of which may be a composite)? Past
 * MAX_VISITED functions: taken as yes. */
enum { MAX_VISITED = 64 };
static int pointer_recursive(ct_module *m, LLVMValueRef t) {
  LLVMValueRef work[MAX_VISITED], targets[MAX_TARGETS];
  unsigned n = 0, done = 0;
  work[n++] = t;
  while (done < n) {
    LLVMValueRef f = work[done++];
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
          continue;
        LLVMValueRef callee = LLVMGetCalledValue(inst);
        unsigned nt = 0;
        if (callee && LLVMIsAFunction(callee)) {
          targets[0] = callee;
          nt = 1;
        } else if (callee && !LLVMIsAInlineAsm(callee)) {
          nt = targets_of(m, f, inst, targets, MAX_TARGETS);
          if (nt > MAX_TARGETS)
            return 1;
        }
        for (unsigned i = 0; i < nt; ++i) {
          if (targets[i] == t)
            return 1;
          int seen = LLVMIsDeclaration(targets[i]);
          for (unsigned j = 0; j < n && !seen; ++j)
            seen = work[j] == targets[i];
          if (seen)
            continue;
          if (n == MAX_VISITED)
            return 1;
          work[n++] = targets[i];
        }
      }
  }
  return 0;
}

/* Does f's body catch C++ exceptions or call a function that returns twice
 * (setjmp)? Inlined into the differentiated function, either would make
 * all of it an error (constructs.c), where the call may not even reach f. */
static int has_unreplayable_construct(LLVMValueRef f) {
  unsigned rt = LLVMGetEnumAttributeKindForName("returns_twice", 13);
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      if (LLVMGetInstructionOpcode(inst) == LLVMLandingPad && LLVMGetNumClauses(inst) > 0)
        return 1;
      LLVMValueRef callee = LLVMIsACallInst(inst) || LLVMIsAInvokeInst(inst) ? LLVMGetCalledValue(inst) : NULL;
      if (callee && LLVMIsAFunction(callee) && LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, rt))
        return 1;
    }
  return 0;
}

/* An indirect call that may carry derivatives (a floating-point or pointer
 * argument or result). */
static int is_dispatchable(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst) || LLVMGetTailCallKind(inst) == LLVMTailCallKindMustTail)
    return 0;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || LLVMIsAFunction(callee) || LLVMIsAInlineAsm(callee) || LLVMIsAGlobalAlias(callee))
    return 0;
  /* its block is split: not one whose address is taken */
  for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(LLVMGetInstructionParent(inst))); u; u = LLVMGetNextUse(u))
    if (!LLVMIsAInstruction(LLVMGetUser(u)))
      return 0;
  if (activity_carries_derivative(LLVMTypeOf(inst)))
    return 1;
  for (int k = 0, n = LLVMGetNumArgOperands(inst); k < n; ++k)
    if (activity_carries_derivative(LLVMTypeOf(LLVMGetOperand(inst, (unsigned)k))))
      return 1;
  return 0;
}

/* The call's attributes at index idx, onto `to`. */
static void copy_call_attributes(LLVMValueRef from, LLVMValueRef to, LLVMAttributeIndex idx) {
  unsigned n = LLVMGetCallSiteAttributeCount(from, idx);
  if (!n)
    return;
  LLVMAttributeRef *attrs = malloc(n * sizeof *attrs);
  LLVMGetCallSiteAttributes(from, idx, attrs);
  for (unsigned i = 0; i < n; ++i)
    LLVMAddCallSiteAttribute(to, idx, attrs[i]);
  free(attrs);
}

/* A direct call of `target` at b with call's arguments and attributes. */
static LLVMValueRef build_direct_call(LLVMBuilderRef b, LLVMValueRef call, LLVMValueRef target) {
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  LLVMValueRef *args = malloc((n ? n : 1) * sizeof *args);
  for (unsigned k = 0; k < n; ++k)
    args[k] = LLVMGetOperand(call, k);
  LLVMValueRef d = LLVMBuildCall2(b, LLVMGetCalledFunctionType(call), target, args, n, "");
  free(args);
  LLVMSetInstructionCallConv(d, LLVMGetInstructionCallConv(call));
  copy_call_attributes(call, d, LLVMAttributeFunctionIndex);
  copy_call_attributes(call, d, LLVMAttributeReturnIndex);
  for (unsigned k = 1; k <= n; ++k)
    copy_call_attributes(call, d, k);
  LLVMInstructionSetDebugLoc(d, LLVMInstructionGetDebugLoc(call));
  return d;
}

/* Moves the instructions of call's block before it into a new block in
 * front (which the block's predecessors now branch to); returns it. */
static LLVMBasicBlockRef split_before(ct_module *m, LLVMValueRef call) {
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(call);
  LLVMBasicBlockRef head = LLVMInsertBasicBlockInContext(m->ctx, bb, "ct.dispatch");
  /* the predecessors' terminators branch to head (not by replacing bb's
     uses: that would move the phis of bb's successors too, whose edges
     still come from bb, which keeps the terminator) */
  size_t n = 0, cap = 4;
  LLVMValueRef *terms = malloc(cap * sizeof *terms);
  for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u; u = LLVMGetNextUse(u)) {
    if (n == cap)
      terms = realloc(terms, (cap *= 2) * sizeof *terms);
    terms[n++] = LLVMGetUser(u);
  }
  for (size_t i = 0; i < n; ++i)
    for (unsigned k = 0, ns = LLVMGetNumSuccessors(terms[i]); k < ns; ++k)
      if (LLVMGetSuccessor(terms[i], k) == bb)
        LLVMSetSuccessor(terms[i], k, head);
  free(terms);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, head);
  LLVMValueRef inst;
  while ((inst = LLVMGetFirstInstruction(bb)) != call) {
    LLVMInstructionRemoveFromParent(inst);
    LLVMInsertIntoBuilder(b, inst);
  }
  LLVMDisposeBuilder(b);
  return head;
}

/* call becomes a comparison chain over its n targets, each calling one
 * directly, and the call itself (tagged) for any other pointer; the
 * results meet in a phi where the call was. */
static void dispatch(ct_module *m, LLVMValueRef call, LLVMValueRef *targets, unsigned n) {
  LLVMBasicBlockRef join = LLVMGetInstructionParent(call);
  LLVMBasicBlockRef head = split_before(m, call);
  LLVMValueRef fnptr = LLVMGetCalledValue(call);
  int has_result = LLVMGetTypeKind(LLVMTypeOf(call)) != LLVMVoidTypeKind;
  LLVMValueRef *results = malloc((n + 1) * sizeof *results);
  LLVMBasicBlockRef *from = malloc((n + 1) * sizeof *from);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMMetadataRef loc = LLVMInstructionGetDebugLoc(call);
  LLVMBasicBlockRef test = head;
  for (unsigned i = 0; i < n; ++i) {
    LLVMBasicBlockRef hit = LLVMInsertBasicBlockInContext(m->ctx, join, "ct.dispatch.call");
    LLVMBasicBlockRef next = LLVMInsertBasicBlockInContext(m->ctx, join, "ct.dispatch.next");
    LLVMPositionBuilderAtEnd(b, test);
    LLVMValueRef eq = LLVMBuildICmp(b, LLVMIntEQ, fnptr, targets[i], "");
    LLVMValueRef br = LLVMBuildCondBr(b, eq, hit, next);
    LLVMInstructionSetDebugLoc(br, loc);
    LLVMPositionBuilderAtEnd(b, hit);
    results[i] = build_direct_call(b, call, targets[i]);
    if (!LLVMIsDeclaration(targets[i]) &&
        (pointer_recursive(m, targets[i]) || has_unreplayable_construct(targets[i])))
      /* stays a call (its gradient is made once, for every level; one it
         cannot have is reported only where the call needs it) */
      LLVMSetMetadata(results[i], LLVMGetMDKindIDInContext(m->ctx, IR_DISPATCH_KEPT, sizeof IR_DISPATCH_KEPT - 1),
                      LLVMMetadataAsValue(m->ctx, LLVMMDNodeInContext2(m->ctx, NULL, 0)));
    LLVMInstructionSetDebugLoc(LLVMBuildBr(b, join), loc);
    from[i] = hit;
    test = next;
  }
  /* any other pointer: the call as it was */
  LLVMInstructionRemoveFromParent(call);
  LLVMPositionBuilderAtEnd(b, test);
  LLVMInsertIntoBuilder(b, call);
  LLVMSetMetadata(call, LLVMGetMDKindIDInContext(m->ctx, IR_DISPATCH_FALLBACK, sizeof IR_DISPATCH_FALLBACK - 1),
                  LLVMMetadataAsValue(m->ctx, LLVMMDNodeInContext2(m->ctx, NULL, 0)));
  LLVMInstructionSetDebugLoc(LLVMBuildBr(b, join), loc);
  results[n] = call;
  from[n] = test;
  if (has_result) {
    LLVMValueRef first = LLVMGetFirstInstruction(join);
    if (first)
      LLVMPositionBuilderBefore(b, first);
    else
      LLVMPositionBuilderAtEnd(b, join);
    LLVMValueRef phi = LLVMBuildPhi(b, LLVMTypeOf(call), "ct.dispatched");
    /* every use of the call is in join or after it (the call dominated
       them, join holds what followed it) */
    LLVMReplaceAllUsesWith(call, phi);
    LLVMAddIncoming(phi, results, from, n + 1);
  }
  LLVMDisposeBuilder(b);
  free(results);
  free(from);
}

/* The indirect calls of fn to dispatch, into a new array (*count of them). */
static LLVMValueRef *dispatchable_calls(LLVMValueRef fn, size_t *count) {
  size_t cap = 8;
  LLVMValueRef *calls = malloc(cap * sizeof *calls);
  *count = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst))
      if (is_dispatchable(inst) && !ir_is_dispatch_fallback(inst)) {
        if (*count == cap)
          calls = realloc(calls, (cap *= 2) * sizeof *calls);
        calls[(*count)++] = inst;
      }
  return calls;
}

/* Does fn invoke through a pointer (C++ with exceptions: std::function's
 * invoker, a virtual call while locals have destructors)? */
static int has_indirect_invoke(LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(bb);
    LLVMValueRef callee = t && LLVMIsAInvokeInst(t) ? LLVMGetCalledValue(t) : NULL;
    if (callee && !LLVMIsAFunction(callee) && !LLVMIsAInlineAsm(callee))
      return 1;
  }
  return 0;
}

int indirect_dispatch_calls(ct_module *m, LLVMValueRef orig, LLVMValueRef fn) {
  if (has_indirect_invoke(fn))
    constructs_drop_cleanups(fn); /* those whose landing pads only clean up become calls, as later */
  size_t count = 0;
  LLVMValueRef *calls = dispatchable_calls(fn, &count);
  if (count) {
    /* at -O0 a pointer held in a local is a direct call once simplified */
    free(calls);
    ct_bridge_simplify_function(fn);
    calls = dispatchable_calls(fn, &count);
  }
  LLVMValueRef targets[MAX_TARGETS];
  int any = 0;
  for (size_t i = 0; i < count; ++i) {
    unsigned n = targets_of(m, orig, calls[i], targets, MAX_TARGETS);
    if (n > 0 && n <= MAX_TARGETS) {
      dispatch(m, calls[i], targets, n);
      any = 1;
    }
  }
  free(calls);
  return any;
}

char *indirect_explain(ct_module *m, LLVMValueRef orig, LLVMValueRef call) {
  unsigned n = targets_of(m, orig, call, NULL, 0);
  if (n > MAX_TARGETS)
    return util_format("%u functions of its type whose derivative Cotangent knows may be what the pointer holds, "
                       "more than the %d a call through a pointer dispatches among; call the function directly",
                       n, MAX_TARGETS);
  return util_format("no function of its type whose derivative Cotangent knows may be what the pointer holds "
                     "(calls through pointers dispatch at run time among the functions of this file, libm "
                     "functions and CT_DIFFERENTIABLE declarations whose address is stored, in a table or "
                     "passed on where the call may read it)");
}

/* Does the gradient need the derivative of call: does it get an active
 * value or pointer, or return one? */
static int carries_derivative(ct_gen *g, LLVMValueRef call) {
  if (vmap_get(&g->active, call))
    return 1;
  for (int k = 0, n = LLVMGetNumArgOperands(call); k < n; ++k)
    if (vmap_get(&g->active, LLVMGetOperand(call, (unsigned)k)))
      return 1;
  return 0;
}

void indirect_guard_fallbacks(ct_gen *g) {
  ct_module *m = g->m;
  int gpu = !strncmp(LLVMGetTarget(m->mod), "nvptx", 5) || !strncmp(LLVMGetTarget(m->mod), "amdgcn", 6);
  for (unsigned i = 0; i < g->nblocks; ++i)
    for (LLVMValueRef inst = LLVMGetFirstInstruction(g->blocks[i].bb); inst; inst = LLVMGetNextInstruction(inst)) {
      LLVMValueRef copy = ir_is_dispatch_fallback(inst) && carries_derivative(g, inst) ? vmap_get(&g->fwd, inst) : NULL;
      if (!copy || !LLVMIsACallInst(copy))
        continue;
      LLVMPositionBuilderBefore(m->b, copy);
      LLVMTypeRef voidt = LLVMVoidTypeInContext(m->ctx);
      if (gpu) {
        ir_build_call(m->b, m->mod, "llvm.trap", LLVMFunctionType(voidt, NULL, 0, 0), NULL, 0, "");
        continue;
      }
      char where[600], fname[400];
      diag_location(inst, where, sizeof where);
      diag_function_name(g->user_fn, fname, sizeof fname);
      char *text = util_format("%s%sin '%s'", where, *where ? ": " : "", fname);
      LLVMValueRef args[2] = {LLVMGetCalledValue(copy), LLVMBuildGlobalStringPtr(m->b, text, "ct.where")};
      free(text);
      LLVMTypeRef params[2] = {g->ptr_ty, g->ptr_ty};
      int declared = 0;
      LLVMTypeRef fty = LLVMFunctionType(voidt, params, 2, 0);
      LLVMValueRef stop = ir_declare_function(m->mod, "__ct_indirect_call_unknown", fty, &declared);
      if (declared)
        LLVMAddAttributeAtIndex(stop, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
      LLVMBuildCall2(m->b, fty, stop, args, 2, "");
    }
}
