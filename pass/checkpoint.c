/* Recomputed calls (checkpointing of a call).
 *
 * A call of a function marked CT_CHECKPOINT, or written
 * ct_recompute(f, args...), keeps none of f's internals on the tape: the
 * forward pass runs f itself (the primal call) and keeps only what f reads,
 * its arguments and a snapshot of the memory its pointer arguments point
 * to; the reverse pass copies each snapshot into scratch memory, runs f's
 * augmented forward on the scratch copies (with a tape of its own), at once
 * f's reverse (which frees that tape; adjoints go into the real shadows),
 * and frees the copies: the program's memory is not touched. The tape then
 * holds one call's internals at a time instead of every call's. Pointer
 * arguments whose memory overlaps stop the program at run time (the copies
 * would not overlap).
 *
 * That is sound when f reads and writes only memory its arguments point
 * to, of a size the pass knows (a parameter `T p[static N]`, which clang
 * marks dereferenceable, or CT_ACCESS with lengths and type), and does
 * nothing that running it again would repeat visibly. checkpoint_check_call
 * reports every other shape at the call, naming what f does.
 *
 * At pipeline start, ct_recompute's marker (__ct_recompute_mark(f) before
 * the call: cotangent.h) becomes the call-site attribute "ct-recompute"
 * (and noinline), and CT_CHECKPOINT ("ct.checkpoint") the function
 * attribute "ct-checkpoint" (and noinline): the call stays a call. */
#include "gen.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_NAME "__ct_recompute_mark"

static LLVMValueRef strip_casts(LLVMValueRef v) {
  while (v && LLVMIsAConstantExpr(v) &&
         (LLVMGetConstOpcode(v) == LLVMBitCast || LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
    v = LLVMGetOperand(v, 0);
  return v;
}

static int fn_has_attr(LLVMValueRef fn, const char *name) {
  return fn && LLVMIsAFunction(fn) &&
         LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, name, (unsigned)strlen(name)) != NULL;
}

int checkpoint_is_recompute_call(LLVMValueRef call) {
  if (!call || !LLVMIsACallInst(call))
    return 0;
  if (LLVMGetCallSiteStringAttribute(call, LLVMAttributeFunctionIndex, "ct-recompute", 12))
    return 1;
  return fn_has_attr(strip_casts(LLVMGetCalledValue(call)), "ct-checkpoint");
}

int checkpoint_is_loop_schedule(LLVMValueRef fn) {
  return fn_has_attr(fn, "ct-loop-steps") || fn_has_attr(fn, "ct-loop-while");
}

int checkpoint_reruns_with_count(LLVMValueRef call) {
  return checkpoint_is_recompute_call(call) && fn_has_attr(strip_casts(LLVMGetCalledValue(call)), "ct-loop-while");
}

static void add_noinline(LLVMContextRef ctx, LLVMValueRef fn_or_call, int call) {
  LLVMAttributeRef a = LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0);
  if (call)
    LLVMAddCallSiteAttribute(fn_or_call, LLVMAttributeFunctionIndex, a);
  else
    LLVMAddAttributeAtIndex(fn_or_call, LLVMAttributeFunctionIndex, a);
}

/* The call of f that ct_recompute's marker stands before: the first call of
 * f from the marker on, in its block or the blocks after it (an argument
 * with ?: or && splits the block); NULL when none. */
static LLVMValueRef marked_call(LLVMValueRef mark, LLVMValueRef f) {
  enum { MAX_BLOCKS = 64 };
  LLVMBasicBlockRef work[MAX_BLOCKS];
  unsigned n = 0, seen = 0;
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(mark);
  for (LLVMValueRef inst = LLVMGetNextInstruction(mark);;) {
    for (; inst; inst = LLVMGetNextInstruction(inst))
      if (LLVMIsACallInst(inst) && strip_casts(LLVMGetCalledValue(inst)) == f)
        return inst;
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    for (unsigned s = 0; term && s < LLVMGetNumSuccessors(term) && n < MAX_BLOCKS; ++s)
      work[n++] = LLVMGetSuccessor(term, s);
    if (seen == n)
      return NULL;
    bb = work[seen++];
    inst = LLVMGetFirstInstruction(bb);
  }
}

/* fn carries global metadata of kind `kind` (an annotation lower.c made). */
static int has_metadata(LLVMValueRef fn, unsigned kind) {
  size_t n = 0;
  LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(fn, &n);
  int found = 0;
  for (size_t i = 0; i < n; ++i)
    found |= LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) == kind;
  if (entries)
    LLVMDisposeValueMetadataEntries(entries);
  return found;
}

int checkpoint_lower(ct_module *m) {
  int changed = 0;
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "ct.checkpoint", 13);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn; fn = LLVMGetNextFunction(fn))
    if (has_metadata(fn, kind) && !fn_has_attr(fn, "ct-checkpoint")) {
      LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                              LLVMCreateStringAttribute(m->ctx, "ct-checkpoint", 13, "", 0));
      add_noinline(m->ctx, fn, 0);
      changed = 1;
    }
  LLVMValueRef markfn = LLVMGetNamedFunction(m->mod, MARK_NAME);
  if (!markfn)
    return changed;
  for (LLVMUseRef u = LLVMGetFirstUse(markfn), next; u; u = next) {
    next = LLVMGetNextUse(u);
    LLVMValueRef mark = LLVMGetUser(u);
    if (!LLVMIsACallInst(mark) || LLVMGetCalledValue(mark) != markfn)
      continue;
    LLVMValueRef f = strip_casts(LLVMGetOperand(mark, 0));
    LLVMValueRef call = f && LLVMIsAFunction(f) ? marked_call(mark, f) : NULL;
    if (!call)
      diag_report(LLVMGetBasicBlockParent(LLVMGetInstructionParent(mark)), mark, CT_SEV_ERROR,
                  "ct_recompute: the first argument must name a function (not a function pointer), called with "
                  "the arguments after it; write ct_recompute(f, args...)");
    else {
      LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                               LLVMCreateStringAttribute(m->ctx, "ct-recompute", 12, "", 0));
      add_noinline(m->ctx, call, 1);
    }
    LLVMInstructionEraseFromParent(mark);
    changed = 1;
  }
  if (!LLVMGetFirstUse(markfn))
    LLVMDeleteFunction(markfn);
  return changed;
}

/* ---- planning: what a recomputed call may do ---- */

typedef struct {
  LLVMValueRef at;   /* the first instruction running the call again would get wrong */
  const char *what;  /* what it does */
  char name[256];    /* the callee or global it names */
} ct_rerun_problem;

static int is_local_memory(LLVMValueRef p) {
  LLVMValueRef base = ir_base_object(p);
  return base && LLVMIsAAllocaInst(base);
}

static int rerunnable_declaration(LLVMValueRef inst, LLVMValueRef callee) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  return (len > 5 && !strncmp(name, "llvm.", 5)) || (len > 5 && !strncmp(name, "__ct_", 5)) ||
         classify_rule(inst) || ir_is_allocation(inst) || alloc_freed_pointer(inst);
}

/* The problem with one instruction of the callee (or a function it calls),
 * into *p; 0 when it may run again. */
static int instruction_problem(LLVMValueRef inst, ct_rerun_problem *p) {
  if (LLVMIsACallInst(inst) || LLVMIsAInvokeInst(inst)) {
    LLVMValueRef callee = strip_casts(LLVMGetCalledValue(inst));
    if (!callee || !LLVMIsAFunction(callee)) {
      p->what = "calls a function through a pointer";
      return 1;
    }
    if (LLVMIsDeclaration(callee) && !rerunnable_declaration(inst, callee)) {
      diag_function_name(callee, p->name, sizeof p->name);
      p->what = "calls a function of another file or library, whose effects would happen again";
      return 1;
    }
  }
  unsigned nops = (unsigned)LLVMGetNumOperands(inst);
  for (unsigned k = 0; k < nops; ++k) {
    LLVMValueRef base = ir_base_object(LLVMGetOperand(inst, k));
    if (base && LLVMIsAGlobalVariable(base) && !LLVMIsGlobalConstant(base) && !LLVMIsAFunction(base)) {
      size_t len = 0;
      const char *name = LLVMGetValueName2(base, &len);
      snprintf(p->name, sizeof p->name, "%.*s", (int)len, name);
      p->what = "uses a global variable, whose memory is not kept for the run again";
      return 1;
    }
  }
  if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind &&
      !is_local_memory(LLVMGetOperand(inst, 0))) {
    p->what = "reads a pointer from memory (the memory it points to is not kept for the run again)";
    return 1;
  }
  if (LLVMIsAStoreInst(inst) && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, 0))) == LLVMPointerTypeKind &&
      !is_local_memory(LLVMGetOperand(inst, 1))) {
    p->what = "stores a pointer into memory";
    return 1;
  }
  return 0;
}

/* ir_calls_reach's step: checks inst, follows calls into bodies. */
static LLVMValueRef check_step(LLVMValueRef inst, void *data) {
  ct_rerun_problem *p = data;
  if (!p->at && instruction_problem(inst, p))
    p->at = inst;
  if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
    return NULL;
  LLVMValueRef callee = strip_casts(LLVMGetCalledValue(inst));
  return callee && LLVMIsAFunction(callee) ? callee : NULL;
}

/* Bytes known at compile time that pointer parameter k points to
 * (dereferenceable, from `T p[static N]`), or 0. */
static unsigned long long known_bytes(LLVMValueRef call, LLVMValueRef callee, unsigned k) {
  unsigned kind = LLVMGetEnumAttributeKindForName("dereferenceable", 15);
  LLVMAttributeRef a = LLVMGetEnumAttributeAtIndex(callee, k + 1, kind);
  if (!a)
    a = LLVMGetCallSiteEnumAttribute(call, k + 1, kind);
  return a ? LLVMGetEnumAttributeValue(a) : 0;
}

static int is_pointer_param(LLVMValueRef call, unsigned k) {
  return LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, k))) == LLVMPointerTypeKind;
}

/* The parameter holding the byte size of pointer parameter k at run time
 * (checkpoint_loop.c's "ct-bytes-arg" on <f>.ct_steps: malloc'd state), or
 * -1. */
static int bytes_arg(LLVMValueRef callee, unsigned k) {
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(callee, k + 1, "ct-bytes-arg", 12);
  unsigned len = 0;
  const char *v = a ? LLVMGetStringAttributeValue(a, &len) : NULL;
  return v && len ? atoi(v) : -1;
}

/* The memory parameter k points to has a size the pass can tell: constant,
 * or CT_ACCESS's product of integer parameters with an element type. */
static int has_size(LLVMValueRef call, LLVMValueRef callee, unsigned k) {
  if (known_bytes(call, callee, k) || bytes_arg(callee, k) >= 0)
    return 1;
  unsigned sizes[8], n = custom_array_size(callee, k, sizes);
  if (!n || !custom_element_type(callee))
    return 0;
  for (unsigned i = 0; i < n; ++i)
    if (sizes[i] >= (unsigned)LLVMGetNumArgOperands(call) ||
        LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(call, sizes[i]))) != LLVMIntegerTypeKind)
      return 0;
  return 1;
}

static void fail_rerun(ct_gen *g, LLVMValueRef call, const char *fname, const ct_rerun_problem *p) {
  if (p->at && checkpoint_is_loop_schedule(strip_casts(LLVMGetCalledValue(call)))) {
    /* a checkpointed loop's schedule (checkpoint_loop.c): at the body's instruction */
    diag_report(g->user_fn, p->at, CT_SEV_ERROR,
                "cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): its body %s%s%s%s; its "
                "iterations run again in the reverse pass, so the body may read and write only the loop's state "
                "(its locals, arrays and malloc'd buffers) and must not have effects outside it",
                p->what, *p->name ? " ('" : "", p->name, *p->name ? "')" : "");
    g->failed = 1;
    return;
  }
  char where[160] = "";
  diag_location(p->at, where, sizeof where);
  char *detail = *p->name && *where ? util_format(" ('%s' at %s)", p->name, where)
                 : *p->name            ? util_format(" ('%s')", p->name)
                 : *where              ? util_format(" (at %s)", where)
                                       : util_format("%s", "");
  char *what = util_format("is recomputed in the reverse pass (CT_CHECKPOINT or ct_recompute), but '%s' %s%s", fname,
                           p->what, detail);
  free(detail);
  gen_fail(g, call, what,
           "a recomputed call may read and write only the memory its pointer arguments point to, and "
           "must not have effects outside it; call it without ct_recompute");
  free(what);
}

int checkpoint_check_call(ct_gen *g, LLVMValueRef call, const ct_spec *spec) {
  LLVMValueRef callee = strip_casts(LLVMGetCalledValue(call));
  char fname[256];
  diag_function_name(callee, fname, sizeof fname);
  if (LLVMIsDeclaration(callee) || spec->concurrent || g->atomic_shadow_adds) {
    char *what = util_format("is recomputed in the reverse pass (CT_CHECKPOINT or ct_recompute), but %s",
                             LLVMIsDeclaration(callee) ? "the function's body is not in this file"
                                                       : "it runs in a parallel region");
    gen_fail(g, call, what, "call it without ct_recompute, or define the function in this file");
    free(what);
    return 0;
  }
  ct_rerun_problem p = {0};
  if (LLVMGetTypeKind(LLVMTypeOf(call)) == LLVMPointerTypeKind) {
    p.what = "returns a pointer";
    fail_rerun(g, call, fname, &p);
    return 0;
  }
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  for (unsigned k = 0; k < n; ++k)
    if (is_pointer_param(call, k) && !has_size(call, callee, k)) {
      char *what = util_format("is recomputed in the reverse pass (CT_CHECKPOINT or ct_recompute), but the size of "
                               "the memory parameter %u of '%s' points to is unknown, so it cannot be kept",
                               k + 1, fname);
      gen_fail(g, call, what,
               "declare the parameter as an array of constant size (T p[static N]), or give its length "
               "and type with CT_ACCESS on the function (cotangent.h)");
      free(what);
      return 0;
    }
  ir_calls_reach(callee, NULL, check_step, &p);
  if (p.at) {
    fail_rerun(g, call, fname, &p);
    return 0;
  }
  return 1;
}

int checkpoint_keeps_memory(LLVMValueRef call) {
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  for (unsigned k = 0; k < n; ++k)
    if (is_pointer_param(call, k))
      return 1;
  return 0;
}

void checkpoint_remark(ct_gen *g, LLVMValueRef call) {
  if (checkpoint_is_loop_schedule(strip_casts(LLVMGetCalledValue(call))))
    return; /* a checkpointed loop's schedule: checkpoint_loop.c reported the loop */
  char fname[256];
  diag_function_name(strip_casts(LLVMGetCalledValue(call)), fname, sizeof fname);
  diag_report(g->user_fn, call, CT_SEV_REMARK,
              "call to '%s' is checkpointed: the tape keeps its arguments%s, and the reverse pass runs it again "
              "to differentiate it (its internals are not taped)",
              fname, checkpoint_keeps_memory(call) ? " and a copy of the memory they point to" : "");
}

/* ---- generating ---- */

/* The byte size of pointer argument k, in terms of `value` (the forward or
 * reverse value of a primal operand). */
static LLVMValueRef arg_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef)) {
  LLVMValueRef callee = strip_casts(LLVMGetCalledValue(call));
  unsigned long long known = known_bytes(call, callee, k);
  if (known)
    return LLVMConstInt(g->i64_ty, known, 0);
  int from = bytes_arg(callee, k);
  if (from >= 0)
    return value(g, LLVMGetOperand(call, (unsigned)from));
  return custom_kept_bytes(g, call, k, value);
}

static LLVMValueRef fwd_value(ct_gen *g, LLVMValueRef v) {
  LLVMValueRef f = vmap_get(&g->fwd, v);
  return f ? f : v;
}

/* Forward: at run time, two pointer arguments whose memory overlaps stop
 * the program (the reverse pass runs the call on separate copies). */
static void check_overlap(ct_gen *g, LLVMValueRef call, LLVMValueRef *ptr, LLVMValueRef *bytes, unsigned n) {
  if (n < 2)
    return;
  LLVMBuilderRef b = g->m->b;
  LLVMValueRef any = LLVMConstInt(LLVMInt1TypeInContext(g->m->ctx), 0, 0);
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = i + 1; j < n; ++j) {
      LLVMValueRef pi = LLVMBuildPtrToInt(b, ptr[i], g->i64_ty, ""), pj = LLVMBuildPtrToInt(b, ptr[j], g->i64_ty, "");
      LLVMValueRef a = LLVMBuildICmp(b, LLVMIntULT, pi, LLVMBuildAdd(b, pj, bytes[j], ""), "");
      LLVMValueRef c = LLVMBuildICmp(b, LLVMIntULT, pj, LLVMBuildAdd(b, pi, bytes[i], ""), "");
      any = LLVMBuildOr(b, any, LLVMBuildAnd(b, a, c, ""), "");
    }
  char fname[256];
  diag_function_name(strip_casts(LLVMGetCalledValue(call)), fname, sizeof fname);
  LLVMValueRef args[2] = {LLVMBuildZExt(b, any, g->i32_ty, ""), LLVMBuildGlobalStringPtr(b, fname, "ct.fname")};
  LLVMTypeRef params[2] = {g->i32_ty, g->ptr_ty};
  ir_build_call(b, g->m->mod, "__ct_check_recompute_overlap",
                LLVMFunctionType(LLVMVoidTypeInContext(g->m->ctx), params, 2, 0), args, 2, "");
}

void checkpoint_save(ct_gen *g, LLVMValueRef call) {
  LLVMBuilderRef b = g->m->b;
  LLVMPositionBuilderBefore(b, fwd_value(g, call));
  LLVMValueRef ptr[CT_MAX_PARAMS], bytes[CT_MAX_PARAMS];
  unsigned n = (unsigned)LLVMGetNumArgOperands(call), np = 0;
  for (unsigned k = 0; k < n && np < CT_MAX_PARAMS; ++k)
    if (is_pointer_param(call, k)) {
      bytes[np] = arg_bytes(g, call, k, fwd_value);
      ptr[np] = fwd_value(g, LLVMGetOperand(call, k));
      LLVMValueRef slot = tape_call(g, "__ct_tape_push", g->tape, bytes[np], 16);
      LLVMBuildMemCpy(b, slot, 16, ptr[np], 1, bytes[np]);
      ++np;
    }
  check_overlap(g, call, ptr, bytes, np);
}

struct ct_rerun {
  unsigned n;
  LLVMValueRef scratch[CT_MAX_PARAMS];
};

/* Tags a call of the run again (release.c drops it from a pullback's
 * release twin, which only walks the tape). */
static LLVMValueRef mark_rerun(ct_gen *g, LLVMValueRef call) {
  LLVMSetMetadata(call, LLVMGetMDKindIDInContext(g->m->ctx, CT_RERUN_MD, sizeof CT_RERUN_MD - 1),
                  LLVMMetadataAsValue(g->m->ctx, LLVMMDNodeInContext2(g->m->ctx, NULL, 0)));
  return call;
}

static LLVMValueRef libc_call(ct_gen *g, const char *name, LLVMTypeRef ret, LLVMValueRef arg) {
  LLVMTypeRef param = LLVMTypeOf(arg);
  return mark_rerun(g, ir_build_call(g->m->b, g->m->mod, name, LLVMFunctionType(ret, &param, 1, 0), &arg, 1, ""));
}

LLVMValueRef checkpoint_rerun(ct_gen *g, LLVMValueRef call, LLVMValueRef *args, unsigned nargs,
                              struct ct_rerun **out) {
  LLVMBuilderRef b = g->m->b;
  ct_spec spec;
  classify_call_spec(g, call, &spec);
  /* where each parameter's value is in args (a shadow follows a dup) */
  unsigned at[CT_MAX_PARAMS], pos = 0;
  for (unsigned k = 0; k < spec.nparams; ++k) {
    at[k] = pos++;
    pos += spec.act[k] == ACT_DUP;
  }
  /* the snapshots, last pushed first, each into memory of its own (the
     tape's copy stays for a pullback applied again); the callee runs on
     those, so the primal memory is left alone */
  struct ct_rerun *r = calloc(1, sizeof *r);
  for (unsigned k = spec.nparams; k-- > 0;)
    if (is_pointer_param(call, k) && at[k] < nargs) {
      LLVMValueRef bytes = arg_bytes(g, call, k, rev_value);
      LLVMValueRef snap = tape_call(g, "__ct_tape_pop", g->rev_tape, bytes, 16);
      LLVMValueRef scratch = libc_call(g, "malloc", g->ptr_ty, bytes);
      mark_rerun(g, LLVMBuildMemCpy(b, scratch, 16, snap, 16, bytes));
      args[at[k]] = r->scratch[r->n++] = scratch;
    }
  *out = r;
  if (checkpoint_reruns_with_count(call) && spec.nparams) /* a while loop's: the count its forward run returned */
    args[at[0]] = rev_value(g, call);
  LLVMValueRef aug = vmap_get(&g->call_aug, call);
  LLVMValueRef res = mark_rerun(g, LLVMBuildCall2(b, LLVMGlobalGetValueType(aug), aug, args, nargs, ""));
  return LLVMBuildExtractValue(b, res, 0, "ct.rerun.tape");
}

void checkpoint_put_back(ct_gen *g, struct ct_rerun *r, LLVMValueRef rev_call) {
  mark_rerun(g, rev_call);
  for (unsigned i = 0; i < r->n; ++i)
    libc_call(g, "free", LLVMVoidTypeInContext(g->m->ctx), r->scratch[i]);
  free(r);
}
