/* Loop checkpointing: CT_CHECKPOINT_LOOP(snapshots) (and #pragma ct
 * checkpoint) before a counted loop.
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
 * The trip count must be known when the loop starts: `for (i = a; i OP b;
 * i++ or i--)` with b and the counter written nowhere else in the loop.
 * What this file cannot rewrite soundly (another loop shape, a break or
 * return out of the body, memory of a size it cannot tell, a global
 * variable) is an error at the loop saying why. */
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
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    if (bytes[i])
      LLVMAddAttributeAtIndex(steps, 3 + i,
                              LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName("dereferenceable", 15),
                                                      bytes[i]));
    else if (heap[i]) {
      char idx[16];
      snprintf(idx, sizeof idx, "%u", 2 + nin + h++);
      LLVMAddAttributeAtIndex(steps, 3 + i, LLVMCreateStringAttribute(ctx, "ct-bytes-arg", 12, idx, (unsigned)strlen(idx)));
    }
  }
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

static void delete_block(LLVMBasicBlockRef bb) {
  for (LLVMValueRef inst = LLVMGetLastInstruction(bb), prev; inst; inst = prev) {
    prev = LLVMGetPreviousInstruction(inst);
    if (LLVMGetFirstUse(inst))
      LLVMReplaceAllUsesWith(inst, LLVMGetPoison(LLVMTypeOf(inst)));
    LLVMInstructionEraseFromParent(inst);
  }
  LLVMDeleteBasicBlock(bb);
}

static void remark(cloop_shape *s, unsigned long long bytes, unsigned nheap) {
  char snaps[32] = "the given number of";
  if (LLVMIsAConstantInt(s->snapshots))
    snprintf(snaps, sizeof snaps, "%lld", LLVMConstIntGetSExtValue(s->snapshots));
  if (LLVMIsAConstantInt(s->snapshots) && LLVMConstIntGetSExtValue(s->snapshots) < 1)
    snprintf(snaps, sizeof snaps, "%s", "an automatic number of");
  diag_report(s->fn, LLVMGetBasicBlockTerminator(s->header), CT_SEV_REMARK,
              "loop is checkpointed (binomial schedule, Revolve): its gradient keeps at most about %s snapshots of "
              "the loop's state, %llu bytes each%s, instead of every iteration's tape; the reverse pass runs "
              "iterations again from them",
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
  LLVMBasicBlockRef *blocks = malloc(s->region.n * sizeof *blocks);
  blocks[0] = s->body_entry;
  for (unsigned i = 0, n = 1; i < s->region.n; ++i)
    if (s->region.v[i] != CLOOP_BLOCK(s->body_entry))
      blocks[n++] = LLVMValueAsBasicBlock(s->region.v[i]);
  LLVMValueRef call = ct_bridge_extract_region(blocks, s->region.n, "ct_loop");
  free(blocks);
  if (!call)
    return cloop_fail(s, where, "LLVM could not move its body into a function");
  LLVMValueRef iter = LLVMGetCalledValue(call);
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
  LLVMValueRef *args = malloc((2 + nin + nheap) * sizeof *args);
  args[0] = cloop_trip_count(s, b, i64);
  LLVMValueRef snaps = LLVMBuildIntCast2(b, s->snapshots, i32, 1, "");
  /* what one snapshot costs the tape: the state, and the recomputed
     call's arguments and records (about 8 bytes each) */
  LLVMValueRef state = LLVMConstInt(i64, total + 8ull * (2 + nin + nheap) + 32, 0);
  for (unsigned i = 0, h = 0; i < nin; ++i) {
    args[2 + i] = LLVMGetOperand(call, i);
    if (heap[i]) {
      LLVMValueRef p = args[2 + i];
      args[2 + nin + h] = call_named(m, "__ct_heap_bytes", i64, &p, 1);
      state = LLVMBuildAdd(b, state, args[2 + nin + h++], "");
    }
  }
  LLVMValueRef sa[4] = {args[0], snaps, state, iteration_tape_bytes(m, s, steps)};
  args[1] = call_named(m, "__ct_revolve_snapshots", i32, sa, 4);
  LLVMValueRef top = LLVMBuildCall2(b, LLVMGlobalGetValueType(steps), steps, args, 2 + nin + nheap, "");
  LLVMInstructionSetDebugLoc(top, LLVMInstructionGetDebugLoc(where));
  for (unsigned k = 0; k < LLVMGetNumSuccessors(pre_term); ++k)
    if (LLVMGetSuccessor(pre_term, k) == s->header)
      LLVMSetSuccessor(pre_term, k, s->exit);
  remark(s, total, nheap);
  delete_block(LLVMGetInstructionParent(call));
  delete_block(s->header);
  free(args);
  free(bytes);
  free(heap);
  return 1;
}

static void lower_one(ct_module *m, LLVMValueRef mark) {
  cloop_shape s = {.fn = LLVMGetBasicBlockParent(LLVMGetInstructionParent(mark)), .mark = mark,
                  .snapshots = LLVMGetOperand(mark, 0)};
  int ok = cloop_find(&s) && cloop_check_body(&s) && cloop_check_counted(&s);
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
