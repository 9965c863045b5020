/* The differential operators: finding their calls, reading the activity of
 * each argument, and replacing each call with a call of the generated
 * gradient function.
 *
 * Enzyme's C ABI: __enzyme_autodiff*(f, [marker] arg, [shadow]...), markers
 * are the int globals enzyme_out/const/dup/dupnoneed; default activity by
 * type (floating point active, integers constant, pointers duplicated); the
 * result holds the derivatives of the active scalars in argument order.
 *
 * Cotangent's own (include/cotangent.h): __ct_gradient(f, args...) and
 * __ct_value_with_gradient(f, args...), where every floating-point argument
 * is followed by a pointer that receives its derivative, pointers are
 * followed by their shadow, and __ct_const_marker before a floating-point
 * argument makes it constant. */
#include "enzyme.h"
#include "operators.h"
#include "unwind.h"

#include <stdlib.h>
#include <string.h>

/* The gradient is generated after LLVM's inliner ran, so it is inlined
 * here when it is small enough, letting LLVM optimize it together with its
 * caller (hoisting, vectorization). The budget is shared by the gradient's
 * calls: a large gradient called from several places stays one function
 * (inlining it everywhere multiplies the compile time and gains nothing
 * measurable). Not into optnone (-O0) callers, except on NVPTX. */
enum { INLINE_BUDGET = 2000 };

static unsigned count_calls_of(LLVMValueRef fn) {
  unsigned n = 0;
  for (LLVMUseRef u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u))
    n += LLVMIsACallInst(LLVMGetUser(u)) != NULL;
  return n;
}

static void maybe_inline(ct_module *m, LLVMValueRef call) {
  if (!strncmp(LLVMGetTarget(m->mod), "nvptx", 5)) {
    /* always on NVPTX, at -O0 too: PTX cannot return the empty result
       struct of a gradient without active scalars, and device calls are
       costly */
    ct_bridge_inline_call(call);
    return;
  }
  const char *env = ct_switch(CT_SWITCH_INLINE_GRADIENTS); /* "0": keep the calls (IR tests) */
  if (env && !strcmp(env, "0"))
    return;
  LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(call));
  if (LLVMGetEnumAttributeAtIndex(caller, LLVMAttributeFunctionIndex, LLVMGetEnumAttributeKindForName("optnone", 7)))
    return;
  LLVMValueRef grad = LLVMGetCalledValue(call);
  unsigned calls = count_calls_of(grad);
  unsigned budget = INLINE_BUDGET / (calls ? calls : 1);
  unsigned size = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(grad); bb && size <= budget; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
      ++size;
  if (size <= budget)
    ct_bridge_inline_call(call);
}

/* ---- one operator call ---- */

static int lower_site(ct_module *m, const ct_site *s, LLVMValueRef *gradient_call) {
  ct_op_call c;
  switch (operators_parse(m, s, &c)) {
  case PARSE_ERROR: return 0;
  case PARSE_RUNTIME_POINTER: return operators_lower_runtime_pointer(m, &c);
  case PARSE_OK: break;
  }
  if (s->kind == OP_ENZYME_AUGMENTSIZE) /* nothing is differentiated */
    return operators_lower_augmentsize(m, &c);
  if (operator_is_forward(s->kind)) /* forward derivatives serve here */
    return operators_lower_derivative(m, &c, gradient_call);
  if (!enzyme_check_forward_only(m, c.fn, s->caller, s->call, operator_name(s->kind)))
    return 0;
  switch (s->kind) {
  case OP_CT_GRADIENT_OF: return operators_lower_gradient_of(m, &c);
  case OP_ENZYME_AUGMENT:
  case OP_ENZYME_REVERSE: return operators_lower_split(m, &c);
  case OP_CT_PULLBACK:
  case OP_CT_VALUE_WITH_PULLBACK: return operators_lower_pullback(m, &c);
  default: return operators_lower_gradient(m, &c, gradient_call);
  }
}

static void remove_dead_markers(ct_module *m) {
  for (unsigned k = 0; k < MARKER_COUNT; ++k) {
    LLVMValueRef g = LLVMGetNamedGlobal(m->mod, marker_name(k));
    if (!g)
      continue;
    for (LLVMUseRef u = LLVMGetFirstUse(g); u;) {
      LLVMValueRef user = LLVMGetUser(u);
      u = LLVMGetNextUse(u);
      if (LLVMIsALoadInst(user) && !LLVMGetFirstUse(user))
        LLVMInstructionEraseFromParent(user);
    }
    if (!LLVMGetFirstUse(g))
      LLVMDeleteGlobal(g);
  }
}

/* The operator a function is, by its name. */
static ct_op_kind op_kind_of(LLVMValueRef f) {
  size_t len = 0;
  const char *name = f && LLVMIsAFunction(f) ? LLVMGetValueName2(f, &len) : NULL;
  return name ? operator_kind_of_name(name, len) : OP_NONE;
}

/* The operand holding the function an operator call differentiates (the
 * first, after an sret pointer). */
static unsigned function_operand(LLVMValueRef call, ct_op_kind k) {
  return operator_is_enzyme(k) && LLVMGetNumArgOperands(call) > 0 &&
         LLVMGetCallSiteEnumAttribute(call, 1, LLVMGetEnumAttributeKindForName("sret", 4));
}

/* The function an operator call differentiates, or NULL. */
static LLVMValueRef site_function(const ct_site *s) {
  unsigned i = function_operand(s->call, s->kind);
  LLVMValueRef fn = i < (unsigned)LLVMGetNumArgOperands(s->call) ? LLVMGetOperand(s->call, i) : NULL;
  return fn && LLVMIsAFunction(fn) && !LLVMIsDeclaration(fn) ? fn : NULL;
}

/* ---- second derivatives ----
 * An operator inside code another operator differentiates is lowered
 * first; the outer one then differentiates its gradient. That works for
 * gradients whose code is arithmetic and memory, and fails where the inner
 * gradient keeps differentiable values on the runtime's tape, allocates
 * shadow memory or makes a pullback: the generator then reports one of the
 * runtime's calls, and the failure is explained at the outer operator. A
 * gradient looked up at run time (an operator on a function pointer) is
 * called through a pointer, which the outer one would take as constant:
 * that is refused before. */
static const struct {
  const char *prefix, *what;
} RUNTIME_CALLS[] = {
    /* the most telling first */
    {"__ct_lookup_", NULL}, /* refused before (__ct_lookup_entry, __ct_lookup_gradient) */
    {"__ct_pullback_new", "makes a pullback"},
    {"ct_pullback_", "applies a pullback"},
    {"__ct_pullback_apply", "applies a pullback"}, /* the header's ct_pullback_apply */
    {"__ct_omp_", "runs a parallel region"},
    {"__ct_release_shadow", "allocates shadow memory"},
    {"__ct_check_shadow_alloc", "allocates shadow memory"},
    {"__ct_copy_adjoint_", "copies adjoints in the runtime"},
    {"__ct_tape_", "keeps a tape"},
};
enum { NRUNTIME_CALLS = sizeof RUNTIME_CALLS / sizeof RUNTIME_CALLS[0] };

/* Which entry of RUNTIME_CALLS the code fn runs (through direct calls of
 * bodies) calls (the lookup when there is one), or -1. */
static int runtime_call_in(LLVMValueRef fn) {
  ct_vmap seen;
  vmap_init(&seen);
  size_t cap = 16, n = 0;
  LLVMValueRef *work = malloc(cap * sizeof *work);
  work[n++] = fn;
  vmap_set(&seen, fn, fn);
  int found = -1;
  while (n && found != 0) {
    LLVMValueRef f = work[--n];
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        LLVMValueRef callee = LLVMIsACallInst(inst) ? LLVMGetCalledValue(inst) : NULL;
        if (!callee || !LLVMIsAFunction(callee))
          continue;
        size_t len = 0;
        const char *name = LLVMGetValueName2(callee, &len);
        for (int k = 0; k < NRUNTIME_CALLS; ++k)
          if (len >= strlen(RUNTIME_CALLS[k].prefix) &&
              !strncmp(name, RUNTIME_CALLS[k].prefix, strlen(RUNTIME_CALLS[k].prefix)) && (found < 0 || k < found))
            found = k;
        if (LLVMIsDeclaration(callee) || vmap_get(&seen, callee) ||
            LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-no-derivative", 16))
          continue;
        vmap_set(&seen, callee, callee);
        if (n == cap)
          work = realloc(work, (cap *= 2) * sizeof *work);
        work[n++] = callee;
      }
  }
  free(work);
  vmap_free(&seen);
  return found;
}

/* Site s differentiates fn, which contains the lowered site t (in its code
 * or in a function it calls). A gradient t looked up at run time is an
 * error at s; one that uses the runtime otherwise is remembered in *inner,
 * to explain a failure of s. */
static int second_order_ok(const ct_site *s, LLVMValueRef fn, const ct_site *t, const ct_site **inner) {
  int k = runtime_call_in(t->caller);
  if (k > 0 && !*inner)
    *inner = t;
  if (k != 0)
    return 1;
  size_t len = 0, tlen = 0;
  const char *name = LLVMGetValueName2(fn, &len), *tname = LLVMGetValueName2(t->caller, &tlen);
  operators_error(s, "%s: cannot differentiate '%.*s': it computes a gradient itself (the %s%s%s in '%.*s') of a "
                     "function pointer known only at run time, calling that gradient through a pointer; "
                     "differentiating it again (second derivatives) is not supported: apply the inner operator to "
                     "the function itself",
                  operator_name(s->kind), (int)len, name, operator_name(t->kind), *t->where ? " at " : "", t->where,
                  (int)tlen, tname);
  return 0;
}

/* An instruction of t's caller at t's source location (what t was lowered
 * to), or NULL. */
static LLVMValueRef at_inner_site(const ct_site *t) {
  if (!*t->where)
    return NULL;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(t->caller); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      char where[160];
      diag_location(i, where, sizeof where);
      if (!strcmp(where, t->where))
        return i;
    }
  return NULL;
}

/* After the generator failed on s: the gradient t computed inside uses the
 * runtime, which is what s could not differentiate. Reported at the inner
 * operator t (where the fix goes) and at s; `held` is the generator's first
 * error (muted meanwhile), added where it is not about the runtime's
 * calls. */
static void explain_second_order(const ct_site *s, LLVMValueRef fn, const ct_site *t, const char *held) {
  int k = runtime_call_in(t->caller);
  size_t len = 0, tlen = 0;
  const char *name = LLVMGetValueName2(fn, &len), *tname = LLVMGetValueName2(t->caller, &tlen);
  int inner_forward = operator_is_forward(t->kind);
  const char *what = RUNTIME_CALLS[k > 0 ? k : NRUNTIME_CALLS - 1].what;
  LLVMValueRef at = at_inner_site(t);
  if (at)
    diag_report(t->caller, at, CT_SEV_ERROR,
                "%s: this %s cannot be differentiated again by the %s%s%s (%s over %s): its code %s%s",
                operator_name(t->kind), inner_forward ? "derivative" : "gradient", operator_name(s->kind),
                *s->where ? " at " : "", s->where, operator_is_forward(s->kind) ? "forward" : "reverse",
                inner_forward ? "forward" : "reverse", what,
                inner_forward ? "" : "; take this derivative in forward mode (ct_derivative or __enzyme_fwddiff, "
                                     "whose code keeps no tape), or use ct_hessian_vector_product");
  if (held && !strstr(held, "__ct_") && !strstr(held, "ct_pullback"))
    operators_error(s, "%s: %s", operator_name(s->kind), held);
  operators_error(s, "%s: cannot differentiate '%.*s' (second derivatives): it computes a %s itself (the %s%s%s "
                     "in '%.*s'), whose code %s; differentiating such a %s again (%s over %s) is not supported yet%s; "
                     "second derivatives work where the inner %s is straight-line code or its loops' values are "
                     "recomputed, with no memory allocated",
                  operator_name(s->kind), (int)len, name, inner_forward ? "derivative" : "gradient",
                  operator_name(t->kind), *t->where ? " at " : "", t->where, (int)tlen, tname,
                  what, inner_forward ? "derivative" : "gradient",
                  operator_is_forward(s->kind) ? "forward" : "reverse", inner_forward ? "forward" : "reverse",
                  inner_forward ? "" : " (reverse over forward works: take the inner derivative in forward mode, "
                                       "ct_derivative or __enzyme_fwddiff, whose code keeps no tape)",
                  inner_forward ? "derivative" : "gradient");
}

/* Lowers site s after the sites inside the code it differentiates (state:
 * 0 pending, 1 in progress, 2 done): their calls become gradient calls
 * before that code is copied, instead of operator calls nobody lowers. */
static void lower_in_order(ct_module *m, ct_site *sites, size_t n, size_t s, unsigned char *state,
                           LLVMValueRef *gradient_calls) {
  if (state[s])
    return;
  state[s] = 1;
  LLVMValueRef fn = site_function(&sites[s]);
  int ok = 1;
  const ct_site *inner = NULL; /* a gradient computed inside, using the runtime */
  for (size_t t = 0; t < n && fn && ok; ++t) {
    if (t == s || !operators_reaches(m, fn, sites[t].caller))
      continue; /* (a site lowered before is checked too: its runtime use is explained here as well) */
    if (state[t] == 1) { /* t differentiates code containing s, and s code containing t */
      size_t len = 0;
      const char *name = LLVMGetValueName2(fn, &len);
      operators_error(&sites[s], "%s: cannot differentiate '%.*s' here: its code contains an operator call "
                                 "that differentiates the function containing this one (operators applied to "
                                 "each other)", operator_name(sites[s].kind), (int)len, name);
      ok = 0;
    } else if (state[t] == 0)
      lower_in_order(m, sites, n, t, state, gradient_calls);
    ok = ok && second_order_ok(&sites[s], fn, &sites[t], &inner);
  }
  LLVMPositionBuilderBefore(m->b, sites[s].call);
  ct_vmap before;
  if (sites[s].unwind)
    unwind_snapshot(sites[s].caller, &before);
  /* a gradient inside that uses the runtime: the generator's errors about
     the runtime's code are held back, the failure explained instead */
  if (inner)
    diag_mute(1);
  int lowered = ok && lower_site(m, &sites[s], &gradient_calls[s]);
  char *held = inner && diag_muted_first() ? strdup(diag_muted_first()) : NULL;
  if (inner)
    diag_mute(0);
  if (ok && !lowered && inner)
    explain_second_order(&sites[s], fn, inner, held);
  else if (held) /* an error, yet lowered: reported after all */
    operators_error(&sites[s], "%s", held);
  free(held);
  if (!lowered) {
    /* keep the IR valid after an error: the compilation fails anyway */
    LLVMTypeRef t = LLVMTypeOf(sites[s].call);
    if (LLVMGetTypeKind(t) != LLVMVoidTypeKind)
      LLVMReplaceAllUsesWith(sites[s].call, LLVMGetUndef(t));
  }
  LLVMInstructionEraseFromParent(sites[s].call);
  if (sites[s].unwind) {
    unwind_restore(sites[s].unwind, sites[s].caller, &before, &gradient_calls[s]);
    vmap_free(&before);
  }
  m->changed = 1;
  state[s] = 2;
}

/* Wrappers that pass their own function parameter to an operator (C++'s
 * ct::gradient in cotangent.hpp, a user's always_inline helper) are
 * inlined into their callers first, where the function is known: at -O0
 * this pass runs before LLVM's always-inliner. Wrappers nothing calls any
 * more (inline, internal) go. Returns whether any was inlined. */
static int inline_operator_wrappers(ct_module *m) {
  unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
  int any = 0, again = 1;
  while (again) {
    again = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
      next = LLVMGetNextFunction(f);
      if (LLVMIsDeclaration(f) || !LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, always))
        continue;
      int wraps = 0;
      for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb && !wraps; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i && !wraps; i = LLVMGetNextInstruction(i))
          if ((LLVMIsACallInst(i) || LLVMIsAInvokeInst(i)) && op_kind_of(LLVMGetCalledValue(i)) != OP_NONE) {
            unsigned k = function_operand(i, op_kind_of(LLVMGetCalledValue(i)));
            wraps = k < (unsigned)LLVMGetNumArgOperands(i) && LLVMIsAArgument(LLVMGetOperand(i, k));
          }
      if (!wraps)
        continue;
      for (LLVMUseRef u = LLVMGetFirstUse(f), nu; u; u = nu) {
        nu = LLVMGetNextUse(u);
        LLVMValueRef user = LLVMGetUser(u);
        if ((LLVMIsACallInst(user) || LLVMIsAInvokeInst(user)) && LLVMGetCalledValue(user) == f &&
            ct_bridge_inline_call(user))
          any = again = 1;
      }
      LLVMLinkage l = LLVMGetLinkage(f);
      if (!LLVMGetFirstUse(f) && (l == LLVMInternalLinkage || l == LLVMPrivateLinkage ||
                                  l == LLVMLinkOnceODRLinkage || l == LLVMLinkOnceAnyLinkage)) {
        if (next == f)
          next = LLVMGetNextFunction(f);
        LLVMDeleteFunction(f);
      }
    }
  }
  return any;
}

/* The value a local variable holds, when it is stored once, with no other
 * write or escape (at -O0 an inlined wrapper's parameters live in allocas),
 * else NULL; *store is that store. */
static LLVMValueRef value_in_local(LLVMValueRef v, LLVMValueRef *store) {
  if (!v || !LLVMIsALoadInst(v) || LLVMGetVolatile(v) || !LLVMIsAAllocaInst(LLVMGetOperand(v, 0)))
    return NULL; /* a volatile variable is opaque on purpose */
  LLVMValueRef slot = LLVMGetOperand(v, 0), held = NULL;
  for (LLVMUseRef u = LLVMGetFirstUse(slot); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsALoadInst(user))
      continue;
    if (LLVMIsAIntrinsicInst(user) && !ir_mem_intrinsic(user))
      continue; /* lifetime markers, debug records */
    if (!LLVMIsAStoreInst(user) || LLVMGetOperand(user, 1) != slot || LLVMGetVolatile(user))
      return NULL; /* escapes or is written some other way */
    if (held)
      return NULL;
    held = LLVMGetOperand(user, 0);
    *store = user;
  }
  return held;
}

/* value_in_local through a chain of such locals (wrappers that pass their
 * parameters on to wrappers: cotangent.hpp's span arguments); *store is the
 * store of the value itself. */
static LLVMValueRef value_through_locals(LLVMValueRef v, LLVMValueRef *store) {
  LLVMValueRef held = value_in_local(v, store), inner = NULL;
  for (int depth = 0; held && depth < 64; ++depth) {
    LLVMValueRef deeper = value_in_local(held, &inner);
    if (!deeper)
      break;
    held = deeper;
    *store = inner;
  }
  return held;
}

/* An operator's operands that are locals holding a function or a marker
 * (ct_const, enzyme_dup, ...) become that function or a load of the marker:
 * what a wrapper passed on is read as if written at the call. */
static void see_through_locals(ct_module *m, LLVMValueRef call) {
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  for (unsigned k = 0; k < n; ++k) {
    LLVMValueRef store = NULL, held = value_through_locals(LLVMGetOperand(call, k), &store);
    if (held && LLVMIsAFunction(held)) {
      LLVMSetOperand(call, k, held);
      continue;
    }
    LLVMValueRef g = held && LLVMIsALoadInst(held) ? LLVMGetOperand(held, 0) : NULL;
    size_t len = 0;
    const char *name = g && LLVMIsAGlobalVariable(g) ? LLVMGetValueName2(g, &len) : NULL;
    if (!name || marker_of_name(name, len) == MARK_NONE)
      continue;
    LLVMPositionBuilderBefore(m->b, call);
    LLVMSetOperand(call, k, LLVMBuildLoad2(m->b, LLVMTypeOf(held), g, ""));
    /* the marker is no variable: nothing may read it at run time */
    LLVMSetOperand(store, 0, LLVMGetUndef(LLVMTypeOf(held)));
    if (!LLVMGetFirstUse(held))
      LLVMInstructionEraseFromParent(held);
  }
}

void operators_lower_all(ct_module *m) {
  m->changed |= inline_operator_wrappers(m);
  m->changed |= hessian_rewrite_all(m);
  size_t cap = 16, n = 0;
  ct_site *sites = malloc(cap * sizeof *sites);
  ct_vmap all_facts;
  vmap_init(&all_facts);
  facts_collect(m, &all_facts);
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
          continue;
        ct_op_kind k = op_kind_of(LLVMGetCalledValue(inst));
        if (k == OP_NONE)
          continue;
        /* C++ with locals that have destructors invokes the operator: it
           becomes a call and a branch; the calls it is lowered to are
           invoked again (unwind.c) */
        struct ct_unwind *unwind = NULL;
        if (LLVMIsAInvokeInst(inst))
          inst = unwind_remember(&unwind, inst);
        if (n == cap)
          sites = realloc(sites, (cap *= 2) * sizeof *sites);
        see_through_locals(m, inst);
        LLVMValueRef facts = vmap_get(&all_facts, LLVMGetCalledValue(inst));
        int repeated = 0; /* copies of one call (inlined) have the same */
        for (size_t t = 0; t < n && facts && !repeated; ++t)
          repeated = sites[t].facts == facts;
        sites[n] = (ct_site){inst, f, k, facts, repeated, unwind, ""};
        diag_location(inst, sites[n].where, sizeof sites[n].where);
        ++n;
      }
  LLVMValueRef *gradient_calls = calloc(n ? n : 1, sizeof *gradient_calls);
  unsigned char *state = calloc(n ? n : 1, 1);
  for (size_t s = 0; s < n; ++s)
    lower_in_order(m, sites, n, s, state, gradient_calls);
  free(state);
  /* after all sites: each gradient's calls are known */
  for (size_t s = 0; s < n; ++s)
    if (gradient_calls[s])
      maybe_inline(m, gradient_calls[s]);
  free(gradient_calls);
  for (size_t s = 0; s < n; ++s)
    unwind_free(sites[s].unwind);
  free(sites);
  operators_lower_pullback_applies(m);
  m->changed |= differential_lower_all(m); /* after the operators inside f */
  vmap_free(&all_facts);
  facts_remove(m);
  if (n)
    remove_dead_markers(m);
  /* operator declarations nobody calls any more */
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
    next = LLVMGetNextFunction(f);
    if (LLVMIsDeclaration(f) && !LLVMGetFirstUse(f) && op_kind_of(f) != OP_NONE)
      LLVMDeleteFunction(f);
  }
}
