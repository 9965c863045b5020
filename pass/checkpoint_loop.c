/* Loop checkpointing: CT_CHECKPOINT_LOOP(snapshots) (and #pragma ct
 * checkpoint) before a loop.
 *
 * A long loop's tape grows with its trip count; binomial checkpointing
 * (Griewank's Revolve) bounds it by a number of snapshots of the loop's
 * state, for iterations run again in the reverse pass. Rather than give the
 * generator a second way to sweep, this file rewrites the marked loop at
 * pipeline start, before any optimisation (locals still live in allocas),
 * into calls that the recomputed-call machinery (checkpoint.c) already
 * differentiates:
 *
 *   the body  -> <f>.ct_loop(state...)     one iteration (LLVM's
 *                CodeExtractor); what it reads and writes outside itself,
 *                the loop's state, comes in as pointers: locals, arrays,
 *                malloc'd buffers (the carried state, found here: every
 *                local the body uses that is not written before it is read
 *                in the same iteration)
 *   the loop  -> <f>.ct_steps(k, s, state..., sizes...)  k iterations with
 *                at most s snapshots:
 *                  while k > 1 and s > 0:
 *                    m = __ct_revolve_split(k, s)       (lib/revolve.c)
 *                    ct_recompute(<f>.ct_steps, m, s, ...)
 *                    k -= m, s -= 1
 *                  the k iterations left (at most one unless s was 0), taped
 *
 * The recomputed call keeps a snapshot of the state at the start of the
 * first m iterations, runs them untaped, and tapes the rest with one
 * snapshot less; its reverse restores the snapshot and does the same to the
 * first m. With Revolve's split (the smallest repetition number for k and
 * s) that is the binomial schedule: about s snapshots of the state, each
 * iteration run at most r + 1 times where C(s + r, s) >= k.
 *
 * That needs the trip count when the loop starts: `for (i = a; i OP b;
 * i++ or i--)` with b and the counter written nowhere else in the loop.
 * Any other loop (a while loop, a break, a condition that calls) has its
 * whole loop, condition included, moved into <f>.ct_loop, which returns
 * whether the loop goes on, and becomes one recomputed call of
 *   <f>.ct_while(n, s, ...)  n < 0: iterations until one leaves, counted
 *                            (the forward pass, untaped); n >= 0: the
 *                            reverse pass's run again, given the count
 *                            the call returned (checkpoint.c), runs
 *                            <f>.ct_steps(n, s', ...) as above
 * so that its gradient keeps one snapshot of the loop's start and the
 * binomial schedule's snapshots, bounded whatever the count; each
 * iteration runs once more than in a counted loop of as many iterations.
 * (The online schedules of Stumm and Walther place the snapshots while the
 * forward pass runs and save that extra run, but move snapshots the
 * recomputed calls' tape cannot.) What this file cannot rewrite soundly (a
 * loop left for two places, a return out of the body, memory of a size it
 * cannot tell, a global variable) is an error at the loop saying why. */
#include "checkpoint_loop.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOP_MARK "__ct_checkpoint_loop"

/* ---- rewriting ---- */

static LLVMValueRef declare(ct_module *m, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n) {
  LLVMTypeRef fty = LLVMFunctionType(ret, params, n, 0);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  if (!f) { /* the runtime's integer answers: no derivative */
    f = LLVMAddFunction(m->mod, name, fty);
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, "ct-no-derivative", 16, "", 0));
  }
  return f;
}

static LLVMValueRef call_named(ct_module *m, const char *name, LLVMTypeRef ret, LLVMValueRef *args, unsigned n) {
  LLVMTypeRef params[4];
  for (unsigned i = 0; i < n; ++i)
    params[i] = LLVMTypeOf(args[i]);
  LLVMValueRef f = declare(m, name, ret, params, n);
  return LLVMBuildCall2(m->b, LLVMFunctionType(ret, params, n, 0), f, args, n, "");
}

/* The sizes of the state pointers, parameters first..first + nin - 1 of
 * fn (a schedule): dereferenceable where constant, else (malloc'd) the
 * index of the parameter holding their bytes at run time, "ct-bytes-arg"
 * (checkpoint.c keeps that much). */
static void state_sizes(LLVMContextRef ctx, LLVMValueRef fn, unsigned first, const unsigned long long *bytes,
                        const int *heap, unsigned nin) {
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    if (bytes[i])
      LLVMAddAttributeAtIndex(fn, first + 1 + i,
                              LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("dereferenceable", 15),
                                                      bytes[i]));
    else if (heap[i]) {
      char idx[16];
      snprintf(idx, sizeof idx, "%u", first + nin + h++);
      LLVMAddAttributeAtIndex(fn, first + 1 + i,
                              LLVMCreateStringAttribute(ctx, "ct-bytes-arg", 12, idx, (unsigned)strlen(idx)));
    }
  }
}

/* <f>.ct_steps(i64 k, i32 s, the body's inputs..., i64 heap bytes...):
 * the schedule above; recursive only through the recomputed calls. */
static LLVMValueRef build_steps(ct_module *m, cloop_shape *s, LLVMValueRef iter, const unsigned long long *bytes,
                                const int *heap, unsigned nin, unsigned nheap) {
  LLVMContextRef ctx = m->ctx;
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  unsigned np = 2 + nin + nheap;
  LLVMTypeRef *params = malloc(np * sizeof *params);
  params[0] = i64;
  params[1] = i32;
  LLVMValueRef p = LLVMGetFirstParam(iter);
  for (unsigned i = 0; i < nin; ++i, p = LLVMGetNextParam(p))
    params[2 + i] = LLVMTypeOf(p);
  for (unsigned i = 0; i < nheap; ++i)
    params[2 + nin + i] = i64;
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), params, np, 0);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(s->fn, &len);
  char *name = util_format("%.*s.ct_steps", (int)len, fname);
  LLVMValueRef steps = LLVMAddFunction(m->mod, name, fty);
  free(name);
  LLVMSetLinkage(steps, LLVMInternalLinkage);
  util_list_edit(m, "llvm.compiler.used", steps, 1); /* keeps its signature: the sizes are unused in code */
  char where[160] = ""; /* for the remark of its gradient (forward.c) */
  diag_location(LLVMGetBasicBlockTerminator(s->header), where, sizeof where);
  LLVMAddAttributeAtIndex(steps, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(ctx, "ct-loop-steps", 13, where, (unsigned)strlen(where)));
  ir_copy_attributes(s->fn, steps, LLVMAttributeFunctionIndex);
  state_sizes(ctx, steps, 2, bytes, heap, nin);
  LLVMValueRef *args = malloc(np * sizeof *args);
  for (unsigned i = 0; i < np; ++i)
    args[i] = LLVMGetParam(steps, i);
  LLVMBuilderRef b = m->b;
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, steps, "entry"),
                    head = LLVMAppendBasicBlockInContext(ctx, steps, "head"),
                    few = LLVMAppendBasicBlockInContext(ctx, steps, "few"),
                    loop = LLVMAppendBasicBlockInContext(ctx, steps, "taped"),
                    split = LLVMAppendBasicBlockInContext(ctx, steps, "split"),
                    done = LLVMAppendBasicBlockInContext(ctx, steps, "done");
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMSetCurrentDebugLocation2(b, NULL); /* <f>.ct_steps has no debug info of its own */
  LLVMBuildBr(b, head);
  /* the chain of later parts is a loop (each with one snapshot less), so
     the recursion is only as deep as the repetitions, not the snapshots */
  LLVMPositionBuilderAtEnd(b, head);
  LLVMValueRef k = LLVMBuildPhi(b, i64, "k"), snaps = LLVMBuildPhi(b, i32, "s");
  LLVMValueRef plain = LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntSLE, k, LLVMConstInt(i64, 1, 0), ""),
                                   LLVMBuildICmp(b, LLVMIntSLE, snaps, LLVMConstInt(i32, 0, 0), ""), "");
  LLVMBuildCondBr(b, plain, few, split);
  LLVMPositionBuilderAtEnd(b, few); /* k iterations, taped */
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, k, LLVMConstInt(i64, 0, 0), ""), loop, done);
  LLVMPositionBuilderAtEnd(b, loop);
  LLVMValueRef j = LLVMBuildPhi(b, i64, "j");
  LLVMBuildCall2(b, LLVMGlobalGetValueType(iter), iter, args + 2, nin, "");
  LLVMValueRef next = LLVMBuildAdd(b, j, LLVMConstInt(i64, 1, 0), "");
  LLVMValueRef zero = LLVMConstInt(i64, 0, 0);
  LLVMBasicBlockRef from[2] = {few, loop};
  LLVMValueRef in[2] = {zero, next};
  LLVMAddIncoming(j, in, from, 2);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, next, k, ""), loop, done);
  LLVMPositionBuilderAtEnd(b, split); /* Revolve: the first m recomputed from a snapshot, the rest with one less */
  LLVMValueRef sa[2] = {k, snaps};
  LLVMValueRef mid = call_named(m, "__ct_revolve_split", i64, sa, 2);
  args[0] = mid;
  args[1] = snaps;
  LLVMValueRef first = LLVMBuildCall2(b, fty, steps, args, np, "");
  LLVMAddCallSiteAttribute(first, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(ctx, "ct-recompute", 12, "", 0));
  LLVMAddCallSiteAttribute(first, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
  LLVMValueRef rest = LLVMBuildSub(b, k, mid, ""), fewer = LLVMBuildSub(b, snaps, LLVMConstInt(i32, 1, 0), "");
  LLVMBuildBr(b, head);
  LLVMBasicBlockRef kfrom[2] = {entry, split};
  LLVMValueRef kin[2] = {LLVMGetParam(steps, 0), rest}, sin_[2] = {LLVMGetParam(steps, 1), fewer};
  LLVMAddIncoming(k, kin, kfrom, 2);
  LLVMAddIncoming(snaps, sin_, kfrom, 2);
  LLVMPositionBuilderAtEnd(b, done);
  LLVMBuildRetVoid(b);
  free(params);
  free(args);
  return steps;
}

/* <f>.ct_while(i64 n, i32 s, i64 snapshot bytes, i64 iteration tape
 * bytes, the inputs..., i64 heap bytes...) -> i64: a loop whose trip count
 * is not known when it starts. With n < 0 (the program's own run, and the
 * gradient's forward pass) it runs iterations until one leaves (`iter`'s
 * result is not `cont`) and returns how many ran; with n >= 0 (the
 * reverse pass runs it again, a recomputed call, with the count it
 * returned: "ct-loop-while", checkpoint.c) it runs those n on Revolve's
 * schedule, `steps`, with the snapshots the count asks for. */
static LLVMValueRef build_while(ct_module *m, cloop_shape *s, LLVMValueRef iter, LLVMValueRef steps, LLVMValueRef cont,
                                const unsigned long long *bytes, const int *heap, unsigned nin, unsigned nheap) {
  LLVMContextRef ctx = m->ctx;
  LLVMTypeRef i64 = LLVMInt64TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  unsigned np = 4 + nin + nheap;
  LLVMTypeRef *params = malloc(np * sizeof *params);
  params[0] = i64;
  params[1] = i32;
  params[2] = params[3] = i64;
  LLVMValueRef p = LLVMGetFirstParam(iter);
  for (unsigned i = 0; i < nin; ++i, p = LLVMGetNextParam(p))
    params[4 + i] = LLVMTypeOf(p);
  for (unsigned i = 0; i < nheap; ++i)
    params[4 + nin + i] = i64;
  LLVMTypeRef fty = LLVMFunctionType(i64, params, np, 0);
  size_t len = 0;
  const char *fname = LLVMGetValueName2(s->fn, &len);
  char *name = util_format("%.*s.ct_while", (int)len, fname);
  LLVMValueRef fn = LLVMAddFunction(m->mod, name, fty);
  free(name);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  util_list_edit(m, "llvm.compiler.used", fn, 1);
  char where[160] = "";
  diag_location(LLVMGetBasicBlockTerminator(s->header), where, sizeof where);
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(ctx, "ct-loop-while", 13, where, (unsigned)strlen(where)));
  ir_copy_attributes(s->fn, fn, LLVMAttributeFunctionIndex);
  state_sizes(ctx, fn, 4, bytes, heap, nin);
  LLVMBuilderRef b = m->b;
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, fn, "entry"),
                    count = LLVMAppendBasicBlockInContext(ctx, fn, "count"),
                    counted = LLVMAppendBasicBlockInContext(ctx, fn, "counted"),
                    known = LLVMAppendBasicBlockInContext(ctx, fn, "known");
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMSetCurrentDebugLocation2(b, NULL);
  LLVMValueRef n = LLVMGetParam(fn, 0);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, n, LLVMConstInt(i64, 0, 0), ""), count, known);
  LLVMPositionBuilderAtEnd(b, count); /* until an iteration leaves, counting */
  LLVMValueRef c = LLVMBuildPhi(b, i64, "c");
  LLVMValueRef *args = malloc(np * sizeof *args);
  for (unsigned i = 0; i < np; ++i)
    args[i] = LLVMGetParam(fn, i);
  LLVMValueRef r = LLVMBuildCall2(b, LLVMGlobalGetValueType(iter), iter, args + 4, nin, "");
  LLVMValueRef next = LLVMBuildAdd(b, c, LLVMConstInt(i64, 1, 0), "");
  LLVMBasicBlockRef from[2] = {entry, count};
  LLVMValueRef in[2] = {LLVMConstInt(i64, 0, 0), next};
  LLVMAddIncoming(c, in, from, 2);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, r, cont, ""), count, counted);
  LLVMPositionBuilderAtEnd(b, counted);
  LLVMBuildRet(b, next);
  LLVMPositionBuilderAtEnd(b, known); /* n iterations, the binomial schedule */
  LLVMValueRef sa[4] = {n, LLVMGetParam(fn, 1), LLVMGetParam(fn, 2), LLVMGetParam(fn, 3)};
  LLVMValueRef sargs_s = call_named(m, "__ct_revolve_snapshots_while", i32, sa, 4);
  LLVMValueRef *sargs = malloc((2 + nin + nheap) * sizeof *sargs);
  sargs[0] = n;
  sargs[1] = sargs_s;
  for (unsigned i = 0; i < nin + nheap; ++i)
    sargs[2 + i] = args[4 + i];
  LLVMBuildCall2(b, LLVMGlobalGetValueType(steps), steps, sargs, 2 + nin + nheap, "");
  LLVMBuildRet(b, n);
  free(sargs);
  free(args);
  free(params);
  return fn;
}

/* Moves the body's locals into the iteration function's entry. */
static void move_locals(ct_module *m, cloop_shape *s, LLVMValueRef iter) {
  LLVMValueRef first = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(iter));
  for (unsigned i = 0; i < s->sink.n; ++i) {
    LLVMValueRef a = s->sink.v[i];
    LLVMInstructionRemoveFromParent(a);
    LLVMPositionBuilderBefore(m->b, first);
    LLVMInsertIntoBuilder(m->b, a);
  }
}

/* Deletes blocks that only reference each other: their instructions
 * first, then the blocks. */
static void delete_blocks(LLVMBasicBlockRef *bbs, unsigned n) {
  for (unsigned i = 0; i < n; ++i)
    for (LLVMValueRef inst = LLVMGetLastInstruction(bbs[i]), prev; inst; inst = prev) {
      prev = LLVMGetPreviousInstruction(inst);
      if (LLVMGetFirstUse(inst))
        LLVMReplaceAllUsesWith(inst, LLVMGetPoison(LLVMTypeOf(inst)));
      LLVMInstructionEraseFromParent(inst);
    }
  for (unsigned i = 0; i < n; ++i)
    LLVMDeleteBasicBlock(bbs[i]);
}

/* Points the edges of `from`'s terminator that go to `old` at `to`. */
static void retarget(LLVMBasicBlockRef from, LLVMBasicBlockRef old, LLVMBasicBlockRef to) {
  LLVMValueRef term = LLVMGetBasicBlockTerminator(from);
  for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term); ++k)
    if (LLVMGetSuccessor(term, k) == old)
      LLVMSetSuccessor(term, k, to);
}

static void remark(cloop_shape *s, unsigned long long bytes, unsigned nheap) {
  char snaps[32] = "the given number of";
  if (LLVMIsAConstantInt(s->snapshots))
    snprintf(snaps, sizeof snaps, "%lld", LLVMConstIntGetSExtValue(s->snapshots));
  if (LLVMIsAConstantInt(s->snapshots) && LLVMConstIntGetSExtValue(s->snapshots) < 1)
    snprintf(snaps, sizeof snaps, "%s", "an automatic number of");
  diag_report(s->fn, LLVMGetBasicBlockTerminator(s->header), CT_SEV_REMARK,
              "loop is checkpointed (%s): its gradient keeps at most about %s snapshots of the loop's state, %llu "
              "bytes each%s, instead of every iteration's tape; the reverse pass runs iterations again from them",
              s->is_while ? "its trip count is counted while it runs, then the reverse pass follows the binomial "
                            "schedule, Revolve, from one snapshot of its start"
                          : "binomial schedule, Revolve",
              snaps, bytes, nheap ? " plus the heap buffers it uses (sized at run time)" : "");
}

/* What one iteration tapes, read at run time (the tape budget): the
 * global <steps>.tape, which the gradient of <f>.ct_steps sets (forward.c)
 * where it can count it (a body without loops of its own), read
 * volatile so that nothing folds its initial 0; else 0, unknown. */
static LLVMValueRef iteration_tape_bytes(ct_module *m, cloop_shape *s, LLVMValueRef steps) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
  if (cloop_has_inner_loop(s))
    return LLVMConstInt(i64, 0, 0);
  size_t len = 0;
  const char *name = LLVMGetValueName2(steps, &len);
  char *gname = util_format("%.*s.tape", (int)len, name);
  LLVMValueRef g = LLVMAddGlobal(m->mod, i64, gname);
  free(gname);
  LLVMSetLinkage(g, LLVMInternalLinkage);
  LLVMSetInitializer(g, LLVMConstInt(i64, 0, 0));
  LLVMValueRef v = LLVMBuildLoad2(m->b, i64, g, "ct.iteration_tape");
  LLVMSetVolatile(v, 1);
  return v;
}

static int rewrite(ct_module *m, cloop_shape *s) {
  LLVMBuilderRef b = m->b;
  LLVMValueRef pre_term = LLVMGetBasicBlockTerminator(s->pre);
  LLVMValueRef where = LLVMGetBasicBlockTerminator(s->header);
  /* pointers read from locals the loop never writes: read once before it */
  for (unsigned i = 0; i < s->preload.n; ++i) {
    LLVMValueRef slot = s->preload.v[i], early = NULL;
    for (LLVMUseRef u = LLVMGetFirstUse(slot), next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef user = LLVMGetUser(u);
      if (!LLVMIsALoadInst(user) || !cloop_in(&s->region, user))
        continue;
      if (!early) {
        LLVMPositionBuilderBefore(b, pre_term);
        early = LLVMBuildLoad2(b, LLVMTypeOf(user), slot, "ct.state");
      }
      LLVMReplaceAllUsesWith(user, early);
      LLVMInstructionEraseFromParent(user);
    }
  }
  for (unsigned i = 0; i < s->sink.n; ++i) { /* into the body for the extractor */
    LLVMValueRef a = s->sink.v[i];
    LLVMInstructionRemoveFromParent(a);
    LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(s->body_entry));
    LLVMInsertIntoBuilder(b, a);
  }
  LLVMBasicBlockRef next = NULL; /* a while loop: its back edges and entry go to a new header, outside */
  if (s->is_while) {
    next = LLVMInsertBasicBlockInContext(m->ctx, s->header, "ct.while.next");
    LLVMPositionBuilderAtEnd(b, next);
    LLVMBuildBr(b, s->header);
    retarget(s->pre, s->header, next);
    for (unsigned i = 0; i < s->region.n; ++i)
      retarget(LLVMValueAsBasicBlock(s->region.v[i]), s->header, next);
  }
  LLVMBasicBlockRef *blocks = malloc(s->region.n * sizeof *blocks);
  blocks[0] = s->body_entry;
  for (unsigned i = 0, n = 1; i < s->region.n; ++i)
    if (s->region.v[i] != CLOOP_BLOCK(s->body_entry))
      blocks[n++] = LLVMValueAsBasicBlock(s->region.v[i]);
  LLVMValueRef call = ct_bridge_extract_region(blocks, s->region.n, "ct_loop");
  free(blocks);
  if (!call)
    return cloop_fail(s, where, "LLVM could not move its body into a function");
  LLVMValueRef iter = LLVMGetCalledValue(call), cont = NULL;
  if (s->is_while) { /* which of the iteration's results goes on: br i1 %r, <next or exit> */
    LLVMValueRef term = LLVMGetBasicBlockTerminator(LLVMGetInstructionParent(call));
    if (!LLVMIsABranchInst(term) || !LLVMIsConditional(term) || LLVMGetCondition(term) != call)
      return cloop_fail(s, where, "LLVM could not move its body into a function");
    cont = LLVMConstInt(LLVMInt1TypeInContext(m->ctx), LLVMGetSuccessor(term, 0) == next, 0);
  }
  move_locals(m, s, iter);
  LLVMAddAttributeAtIndex(iter, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
  unsigned nin = (unsigned)LLVMGetNumArgOperands(call), nheap = 0;
  unsigned long long *bytes = calloc(nin + 1, sizeof *bytes), total = 0;
  int *heap = calloc(nin + 1, sizeof *heap);
  for (unsigned i = 0; i < nin; ++i) {
    LLVMValueRef a = LLVMGetOperand(call, i);
    if (LLVMGetTypeKind(LLVMTypeOf(a)) != LLVMPointerTypeKind)
      continue;
    LLVMValueRef slot = LLVMIsALoadInst(a) && cloop_has(&s->preload, LLVMGetOperand(a, 0)) ? LLVMGetOperand(a, 0) : NULL;
    if (cloop_pointer_bytes(s, a, slot, &bytes[i], &heap[i]) < 0) {
      free(bytes);
      free(heap);
      return cloop_fail(s, where, "a pointer its body uses has a size the pass cannot tell");
    }
    nheap += heap[i];
    total += bytes[i];
  }
  LLVMValueRef steps = build_steps(m, s, iter, bytes, heap, nin, nheap);
  LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx), i32 = LLVMInt32TypeInContext(m->ctx);
  LLVMPositionBuilderBefore(b, pre_term);
  unsigned first = s->is_while ? 4 : 2; /* the state's first argument */
  LLVMValueRef *args = malloc((first + nin + nheap) * sizeof *args);
  args[0] = s->is_while ? LLVMConstInt(i64, (unsigned long long)-1, 1) : cloop_trip_count(s, b, i64);
  LLVMValueRef snaps = LLVMBuildIntCast2(b, s->snapshots, i32, 1, "");
  /* what one snapshot costs the tape: the state, and the recomputed
     call's arguments and records (about 8 bytes each) */
  LLVMValueRef state = LLVMConstInt(i64, total + 8ull * (first + nin + nheap) + 32, 0);
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    args[first + i] = LLVMGetOperand(call, i);
    if (heap[i]) {
      LLVMValueRef p = args[first + i];
      args[first + nin + h] = call_named(m, "__ct_heap_bytes", i64, &p, 1);
      state = LLVMBuildAdd(b, state, args[first + nin + h++], "");
    }
  }
  LLVMValueRef top, iter_bytes = iteration_tape_bytes(m, s, steps);
  if (s->is_while) { /* counts its iterations; the reverse pass runs them again on the schedule */
    LLVMValueRef wfn = build_while(m, s, iter, steps, cont, bytes, heap, nin, nheap);
    LLVMPositionBuilderBefore(b, pre_term);
    args[1] = snaps;
    args[2] = state;
    args[3] = iter_bytes;
    top = LLVMBuildCall2(b, LLVMGlobalGetValueType(wfn), wfn, args, first + nin + nheap, "");
    LLVMAddCallSiteAttribute(top, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(m->ctx, "ct-recompute", 12, "", 0));
    LLVMAddCallSiteAttribute(top, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
  } else {
    LLVMValueRef sa[4] = {args[0], snaps, state, iter_bytes};
    args[1] = call_named(m, "__ct_revolve_snapshots", i32, sa, 4);
    top = LLVMBuildCall2(b, LLVMGlobalGetValueType(steps), steps, args, 2 + nin + nheap, "");
  }
  LLVMInstructionSetDebugLoc(top, LLVMInstructionGetDebugLoc(where));
  retarget(s->pre, s->is_while ? next : s->header, s->exit);
  remark(s, total, nheap);
  LLVMBasicBlockRef dead[2] = {LLVMGetInstructionParent(call), s->is_while ? next : s->header};
  delete_blocks(dead, 2);
  free(args);
  free(bytes);
  free(heap);
  return 1;
}

static void lower_one(ct_module *m, LLVMValueRef mark) {
  cloop_shape s = {.fn = LLVMGetBasicBlockParent(LLVMGetInstructionParent(mark)), .mark = mark,
                  .snapshots = LLVMGetOperand(mark, 0)};
  int ok = cloop_find(&s);
  if (ok && !(cloop_check_condition(&s) && cloop_check_body(&s) && cloop_check_counted(&s)))
    ok = cloop_find_while(&s) && cloop_check_body(&s); /* its trip count is known only when it ends */
  if (ok) {
    cloop_find_state(&s);
    ok = cloop_check_inputs(&s) && rewrite(m, &s);
  }
  if (!ok) {
    char *msg = util_format("cannot checkpoint this loop (CT_CHECKPOINT_LOOP or #pragma ct checkpoint): %s", s.why);
    diag_report(s.fn, s.why_at ? s.why_at : mark, CT_SEV_ERROR, "%s", msg);
    free(msg);
  }
  LLVMInstructionEraseFromParent(mark);
  cloop_free(&s.loop);
  cloop_free(&s.region);
  cloop_free(&s.sink);
  cloop_free(&s.preload);
}

int checkpoint_loop_lower(ct_module *m) {
  LLVMValueRef markfn = LLVMGetNamedFunction(m->mod, LOOP_MARK);
  if (!markfn)
    return 0;
  LLVMBuilderRef caller_b = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  cloop_list marks = {0};
  for (LLVMUseRef u = LLVMGetFirstUse(markfn); u; u = LLVMGetNextUse(u))
    if (LLVMIsACallInst(LLVMGetUser(u)) && LLVMGetCalledValue(LLVMGetUser(u)) == markfn)
      cloop_push(&marks, LLVMGetUser(u));
  for (unsigned i = 0; i < marks.n; ++i)
    lower_one(m, marks.v[i]);
  cloop_free(&marks);
  LLVMDisposeBuilder(m->b);
  m->b = caller_b;
  if (!LLVMGetFirstUse(markfn))
    LLVMDeleteFunction(markfn);
  return 1;
}
