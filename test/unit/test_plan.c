/*
 * Unit tests of the analyses and decisions before any code is generated:
 * control flow (pass/cfg.c) on a CFG built with the LLVM-C builder
 * (unique predecessors; blocks that run once; "stable" blocks, which run
 * once and dominate every return, so the reverse uses their values without
 * the tape), what the reverse of each instruction is (pass/classify.c),
 * and the tape planner's decisions (pass/plan.c) on small CFGs: nothing
 * for a straight line; in a counted loop, the values the reverse needs
 * taped (in a loop-indexed record), a load of memory nothing overwrites
 * recomputed, the induction variable counted down; a load of overwritten
 * memory taped; in a loop of unknown trip count, which predecessor came
 * before recorded with the phi's value, and nothing else; the
 * condition of an if without else telling the predecessor (no record); a
 * value invariant in an inner loop taped once at that loop's exit; a loop
 * whose iterations rewrite a scratch buffer recomputed per iteration, the
 * buffer's loads reloaded (and taped with COTANGENT_NO_REMAT); a shadow
 * invariant in inner loops taped once per loop run; and a
 * differentiated call asking the driver for the callee's split gradient
 * with the call's activity, its tape kept. And how the analyses scale:
 * thousands of loops, and a loop body of thousands of loads, are analysed
 * and planned in a time near-linear in the function's size (a CPU-time
 * bound far above it and far below what the quadratic versions took).
 */
#include "gen.h"
#include "pass_ir.h"

#include <time.h>

/* ---- control flow ------------------------------------------------------- */

/* entry -(c)-> left | right -> join -> loop (self) -> exit: ret */
static LLVMValueRef build_cfg(test_module *t) {
  LLVMContextRef ctx = t->ctx;
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(ctx), i1 = LLVMInt1TypeInContext(ctx);
  LLVMTypeRef params[2] = {dbl, i1};
  LLVMValueRef f = LLVMAddFunction(t->m.mod, "cfg", LLVMFunctionType(dbl, params, 2, 0));
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, f, "entry");
  LLVMBasicBlockRef left = LLVMAppendBasicBlockInContext(ctx, f, "left");
  LLVMBasicBlockRef right = LLVMAppendBasicBlockInContext(ctx, f, "right");
  LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(ctx, f, "join");
  LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(ctx, f, "loop");
  LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, f, "exit");
  LLVMBuilderRef b = t->m.b;
  LLVMValueRef x = LLVMGetParam(f, 0), c = LLVMGetParam(f, 1);
  LLVMPositionBuilderAtEnd(b, entry);
  LLVMBuildCondBr(b, c, left, right);
  LLVMPositionBuilderAtEnd(b, left);
  LLVMValueRef l = LLVMBuildFMul(b, x, x, "l");
  LLVMBuildBr(b, join);
  LLVMPositionBuilderAtEnd(b, right);
  LLVMBuildBr(b, join);
  LLVMPositionBuilderAtEnd(b, join);
  LLVMValueRef p = LLVMBuildPhi(b, dbl, "p");
  LLVMValueRef vals[2] = {l, x};
  LLVMBasicBlockRef from[2] = {left, right};
  LLVMAddIncoming(p, vals, from, 2);
  LLVMBuildBr(b, loop);
  LLVMPositionBuilderAtEnd(b, loop);
  LLVMValueRef v = LLVMBuildPhi(b, dbl, "v");
  LLVMValueRef h = LLVMBuildFMul(b, v, LLVMConstReal(dbl, 0.5), "h");
  LLVMValueRef more = LLVMBuildFCmp(b, LLVMRealOGT, h, LLVMConstReal(dbl, 1.0), "more");
  LLVMValueRef vin[2] = {p, h};
  LLVMBasicBlockRef vfrom[2] = {join, loop};
  LLVMAddIncoming(v, vin, vfrom, 2);
  LLVMBuildCondBr(b, more, loop, exit);
  LLVMPositionBuilderAtEnd(b, exit);
  LLVMBuildRet(b, h);
  return f;
}

static void test_cfg(void **state) {
  (void)state;
  test_module t;
  test_module_empty(&t);
  LLVMValueRef f = build_cfg(&t);
  ct_spec spec = test_spec(f, "ac");
  ct_gen g = {.m = &t.m, .spec = &spec, .pc = f};
  vmap_init(&g.block_index);
  cfg_analyse(&g);
  assert_int_equal(g.nblocks, 6);
  ct_block *entry = cfg_block_of(&g, test_block(f, "entry")), *left = cfg_block_of(&g, test_block(f, "left"));
  ct_block *join = cfg_block_of(&g, test_block(f, "join")), *loop = cfg_block_of(&g, test_block(f, "loop"));
  ct_block *exit = cfg_block_of(&g, test_block(f, "exit"));
  assert_ptr_equal(entry->bb, test_block(f, "entry"));
  assert_int_equal(entry->npreds, 0);
  assert_int_equal(left->npreds, 1);
  assert_int_equal(join->npreds, 2);
  assert_int_equal(loop->npreds, 2); /* join and itself, each once */
  assert_true(entry->stable && entry->once);
  assert_true(!left->stable && left->once); /* does not dominate the return */
  assert_true(join->stable && join->once);
  assert_true(!loop->stable && !loop->once); /* in a cycle */
  assert_true(exit->stable && exit->once);
  assert_true(cfg_is_return_block(exit->bb));
  assert_false(cfg_is_return_block(loop->bb));
  for (unsigned i = 0; i < g.nblocks; ++i)
    free(g.blocks[i].preds);
  free(g.blocks);
  vmap_free(&g.block_index);
  /* split mode: nothing is stable (the reverse is another function) */
  spec.split = 1;
  g = (ct_gen){.m = &t.m, .spec = &spec, .pc = f};
  vmap_init(&g.block_index);
  cfg_analyse(&g);
  for (unsigned i = 0; i < g.nblocks; ++i) {
    assert_false(g.blocks[i].stable);
    free(g.blocks[i].preds);
  }
  free(g.blocks);
  vmap_free(&g.block_index);
  test_module_free(&t);
}

/* ---- planning ----------------------------------------------------------- */

/* The driver's recursion, stubbed: records what was asked. */
static int callee_requests;
static ct_spec callee_request;
static int stub_callee_gradient(ct_module *m, const ct_spec *spec, LLVMValueRef site, ct_split *out) {
  (void)m;
  (void)site;
  callee_requests++;
  callee_request = *spec;
  out->aug = out->rev = spec->fn;
  return 1;
}

typedef struct {
  test_module t;
  ct_spec spec;
  ct_gen g;
  LLVMValueRef fn;
} planned;

/* Analyses and plans fn of `ir` for the activity `acts`. */
static void plan(planned *p, const char *ir, const char *fname, const char *acts) {
  test_module_parse(&p->t, ir);
  p->fn = test_function(&p->t, fname);
  p->spec = test_spec(p->fn, acts);
  gradient_analyse_only(&p->g, &p->t.m, &p->spec, p->fn);
  p->g.callee_gradient = stub_callee_gradient;
  callee_requests = 0;
  plan_tape(&p->g);
  assert_false(p->g.failed);
}

static void plan_free(planned *p) {
  gradient_release(&p->g);
  test_module_free(&p->t);
}

static ct_block *block(planned *p, const char *name) { return cfg_block_of(&p->g, test_block(p->fn, name)); }

/* Does block `bb`'s reverse need value `v` as `kind`? */
static int needs(planned *p, const char *bb, const char *v, ct_need_kind kind) {
  ct_block *b = block(p, bb);
  LLVMValueRef val = test_value(p->fn, v);
  for (unsigned i = 0; i < b->nneeds; ++i)
    if (b->needs[i].value == val && b->needs[i].kind == kind)
      return 1;
  return 0;
}

/* How many of block bb's needs go on the tape. */
static unsigned taped(planned *p, const char *bb) {
  ct_block *b = block(p, bb);
  unsigned n = 0;
  for (unsigned i = 0; i < b->nneeds; ++i)
    n += need_on_tape(b->needs[i].kind);
  return n;
}

static const char LOOPS[] =
    "declare double @sin(double) #0\n"
    "declare double @exp(double) #0\n"
    "define double @line(double %x, double %y) {\n"
    "entry:\n"
    "  %s = call double @sin(double %x)\n"
    "  %e = call double @exp(double %y)\n"
    "  %p = fmul double %s, %e\n"
    "  %r = fdiv double %p, %y\n"
    "  ret double %r\n"
    "}\n"
    /* s = s * sin(x[i]) + x[i] */
    "define double @recurrence(ptr %x, i64 %n) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]\n"
    "  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]\n"
    "  %p = getelementptr inbounds double, ptr %x, i64 %i\n"
    "  %v = load double, ptr %p\n"
    "  %sv = call double @sin(double %v)\n"
    "  %t = fmul double %sv, %s\n"
    "  %s.next = fadd double %t, %v\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %more = icmp ult i64 %i.next, %n\n"
    "  br i1 %more, label %loop, label %exit\n"
    "exit:\n"
    "  ret double %s.next\n"
    "}\n"
    /* x[i] = sin(x[i]) */
    "define void @in_place(ptr %x, i64 %n) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]\n"
    "  %p = getelementptr inbounds double, ptr %x, i64 %i\n"
    "  %v = load double, ptr %p\n"
    "  %s = call double @sin(double %v)\n"
    "  store double %s, ptr %p\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %more = icmp ult i64 %i.next, %n\n"
    "  br i1 %more, label %loop, label %exit\n"
    "exit:\n"
    "  ret void\n"
    "}\n"
    /* repeats while v*v/2 > 1 */
    "define double @halve(double %x) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %v = phi double [ %x, %entry ], [ %h, %loop ]\n"
    "  %sq = fmul double %v, %v\n"
    "  %h = fmul double %sq, 5.0e-1\n"
    "  %big = fcmp ogt double %h, 1.0\n"
    "  br i1 %big, label %loop, label %exit\n"
    "exit:\n"
    "  ret double %h\n"
    "}\n"
    /* sum_i sum_j sin(exp(x[i]) * y[j]) */
    "define double @nested(ptr %x, ptr %y, i64 %n, i64 %m) {\n"
    "entry:\n"
    "  br label %outer\n"
    "outer:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %latch ]\n"
    "  %s = phi double [ 0.0, %entry ], [ %t.next, %latch ]\n"
    "  %xp = getelementptr inbounds double, ptr %x, i64 %i\n"
    "  %xv = load double, ptr %xp\n"
    "  %a = call double @exp(double %xv)\n"
    "  br label %inner\n"
    "inner:\n"
    "  %j = phi i64 [ 0, %outer ], [ %j.next, %inner ]\n"
    "  %t = phi double [ %s, %outer ], [ %t.next, %inner ]\n"
    "  %yp = getelementptr inbounds double, ptr %y, i64 %j\n"
    "  %yv = load double, ptr %yp\n"
    "  %ay = fmul double %a, %yv\n"
    "  %sy = call double @sin(double %ay)\n"
    "  %t.next = fadd double %t, %sy\n"
    "  %j.next = add nuw nsw i64 %j, 1\n"
    "  %more.j = icmp ult i64 %j.next, %m\n"
    "  br i1 %more.j, label %inner, label %latch\n"
    "latch:\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %more.i = icmp ult i64 %i.next, %n\n"
    "  br i1 %more.i, label %outer, label %exit\n"
    "exit:\n"
    "  ret double %t.next\n"
    "}\n"
    "attributes #0 = { nounwind willreturn memory(none) }\n";

static void test_straight_line_needs_nothing(void **state) {
  (void)state;
  planned p;
  plan(&p, LOOPS, "line", "aa");
  assert_int_equal(p.g.nblocks, 1);
  assert_true(block(&p, "entry")->stable);
  assert_int_equal(block(&p, "entry")->nneeds, 0);
  plan_free(&p);
}

static void test_counted_loop(void **state) {
  (void)state;
  planned p;
  plan(&p, LOOPS, "recurrence", "dc");
  ct_block *loop = block(&p, "loop");
  /* the derivative of sin(v) * s needs sin(v) and s: taped */
  assert_true(needs(&p, "loop", "s", NEED_VALUE));
  assert_true(needs(&p, "loop", "sv", NEED_VALUE));
  /* x[i] is not written after its load: recomputed, not taped */
  assert_true(needs(&p, "loop", "v", NEED_REMAT));
  assert_false(needs(&p, "loop", "v", NEED_VALUE));
  /* the iteration counter batch.c added (0, 1, ... from entry) tells the
     predecessor; it and i are counted down in the reverse from their last
     values, which the exit computes from the trip count: neither is taped */
  assert_ptr_equal(loop->iv, p.g.loop_counters[0]);
  assert_ptr_equal(loop->preds[loop->iv_start_pred], test_block(p.fn, "entry"));
  assert_false(BLOCK_RECORDS_PRED(loop));
  assert_true(needs(&p, "loop", "i", NEED_HOISTED));
  assert_false(needs(&p, "loop", "i", NEED_VALUE));
  assert_true(needs(&p, "exit", "i", NEED_IV_EXIT));
  assert_int_equal(taped(&p, "exit"), 0);
  /* the trip count is known at the preheader: records in an array */
  assert_int_not_equal(loop->batch, 0);
  assert_int_equal(taped(&p, "loop"), 2);
  plan_free(&p);
}

static void test_overwritten_load_is_taped(void **state) {
  (void)state;
  planned p;
  plan(&p, LOOPS, "in_place", "dc");
  assert_true(needs(&p, "loop", "v", NEED_VALUE));
  assert_false(needs(&p, "loop", "v", NEED_REMAT));
  assert_true(needs(&p, "loop", "p", NEED_SHADOW) || needs(&p, "loop", "p", NEED_REMAT_SHADOW));
  plan_free(&p);
}

static void test_unknown_trip_count(void **state) {
  (void)state;
  planned p;
  plan(&p, LOOPS, "halve", "a");
  ct_block *loop = block(&p, "loop");
  /* no integer induction variable, no guard: the record says which
     predecessor came before */
  assert_null(loop->iv);
  assert_null(loop->guard);
  assert_true(BLOCK_RECORDS_PRED(loop));
  assert_int_equal(loop->batch, 0);
  /* v taped (d(v v)/dv needs it); v * v is not needed at all (the rule of
     sq * 0.5 reads only the constant) */
  assert_true(needs(&p, "loop", "v", NEED_VALUE));
  assert_false(needs(&p, "loop", "sq", NEED_REMAT));
  assert_false(needs(&p, "loop", "sq", NEED_VALUE));
  assert_false(needs(&p, "loop", "h", NEED_VALUE));
  assert_int_equal(taped(&p, "loop"), 1);
  plan_free(&p);
}

static void test_loop_invariant_taped_at_exit(void **state) {
  (void)state;
  planned p;
  plan(&p, LOOPS, "nested", "dccc");
  /* a = exp(x[i]) is needed by the inner reverse (d(a y)/dy... and
     d/da): invariant there, it is taped once per run of the inner loop,
     at its exit, not per inner iteration */
  assert_true(needs(&p, "inner", "a", NEED_HOISTED));
  assert_false(needs(&p, "inner", "a", NEED_VALUE));
  assert_true(needs(&p, "latch", "a", NEED_VALUE));
  /* a * y[j] is recomputed for the reverse of sin */
  assert_true(needs(&p, "inner", "ay", NEED_REMAT));
  assert_true(needs(&p, "inner", "yv", NEED_REMAT));
  assert_int_equal(taped(&p, "inner"), 0);
  /* exp's rule reads its result: taped in the outer block */
  assert_true(needs(&p, "outer", "a", NEED_VALUE));
  plan_free(&p);
}

static const char SCRATCH[] =
    "declare double @sin(double) #0\n"
    "declare noalias ptr @malloc(i64)\n"
    "declare void @free(ptr)\n"
    /* for i: c[j] = x[i*d + j] - p[j] (j < d); f += sum_k c[k]^2 + sin(c[k]) (c[k] loaded twice) */
    "define double @scratch(ptr %x, ptr %p, i64 %n, i64 %d) {\n"
    "entry:\n"
    "  %bytes = shl nuw nsw i64 %d, 3\n"
    "  %c = call noalias ptr @malloc(i64 %bytes)\n"
    "  br label %outer\n"
    "outer:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %latch ]\n"
    "  %f = phi double [ 0.0, %entry ], [ %f2, %latch ]\n"
    "  %row = mul nuw nsw i64 %i, %d\n"
    "  %xr = getelementptr inbounds double, ptr %x, i64 %row\n"
    "  br label %fill\n"
    "fill:\n"
    "  %j = phi i64 [ 0, %outer ], [ %j.next, %fill ]\n"
    "  %xp = getelementptr inbounds double, ptr %xr, i64 %j\n"
    "  %xv = load double, ptr %xp\n"
    "  %pp = getelementptr inbounds double, ptr %p, i64 %j\n"
    "  %pv = load double, ptr %pp\n"
    "  %cv = fsub double %xv, %pv\n"
    "  %cp = getelementptr inbounds double, ptr %c, i64 %j\n"
    "  store double %cv, ptr %cp\n"
    "  %j.next = add nuw nsw i64 %j, 1\n"
    "  %fill.done = icmp eq i64 %j.next, %d\n"
    "  br i1 %fill.done, label %use.pre, label %fill\n"
    "use.pre:\n"
    "  br label %use\n"
    "use:\n"
    "  %k = phi i64 [ 0, %use.pre ], [ %k.next, %use ]\n"
    "  %g = phi double [ %f, %use.pre ], [ %g2, %use ]\n"
    "  %cq = getelementptr inbounds double, ptr %c, i64 %k\n"
    "  %cw = load double, ptr %cq\n"
    "  %sq = fmul double %cw, %cw\n"
    "  %cw2 = load double, ptr %cq\n"
    "  %sn = call double @sin(double %cw2)\n"
    "  %t = fadd double %sq, %sn\n"
    "  %g2 = fadd double %g, %t\n"
    "  %k.next = add nuw nsw i64 %k, 1\n"
    "  %use.done = icmp eq i64 %k.next, %d\n"
    "  br i1 %use.done, label %latch, label %use\n"
    "latch:\n"
    "  %f2 = phi double [ %g2, %use ]\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %out.done = icmp eq i64 %i.next, %n\n"
    "  br i1 %out.done, label %exit, label %outer\n"
    "exit:\n"
    "  call void @free(ptr %c)\n"
    "  ret double %f2\n"
    "}\n"
    /* for i: t = malloc(d); t[j] = p[j] * i (j < d); f += sum_k t[k] * p[k]; free(t) */
    "define double @inner_malloc(ptr %p, i64 %n, i64 %d) {\n"
    "entry:\n"
    "  %bytes = shl nuw nsw i64 %d, 3\n"
    "  br label %outer\n"
    "outer:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %latch ]\n"
    "  %f = phi double [ 0.0, %entry ], [ %f2, %latch ]\n"
    "  %t = call noalias ptr @malloc(i64 %bytes)\n"
    "  %fi = uitofp i64 %i to double\n"
    "  br label %fill\n"
    "fill:\n"
    "  %j = phi i64 [ 0, %outer ], [ %j.next, %fill ]\n"
    "  %pp = getelementptr inbounds double, ptr %p, i64 %j\n"
    "  %pv = load double, ptr %pp\n"
    "  %tv = fmul double %pv, %fi\n"
    "  %tp = getelementptr inbounds double, ptr %t, i64 %j\n"
    "  store double %tv, ptr %tp\n"
    "  %j.next = add nuw nsw i64 %j, 1\n"
    "  %fill.done = icmp eq i64 %j.next, %d\n"
    "  br i1 %fill.done, label %use.pre, label %fill\n"
    "use.pre:\n"
    "  br label %use\n"
    "use:\n"
    "  %k = phi i64 [ 0, %use.pre ], [ %k.next, %use ]\n"
    "  %g = phi double [ %f, %use.pre ], [ %g2, %use ]\n"
    "  %tq = getelementptr inbounds double, ptr %t, i64 %k\n"
    "  %tw = load double, ptr %tq\n"
    "  %pq = getelementptr inbounds double, ptr %p, i64 %k\n"
    "  %pw = load double, ptr %pq\n"
    "  %m = fmul double %tw, %pw\n"
    "  %g2 = fadd double %g, %m\n"
    "  %k.next = add nuw nsw i64 %k, 1\n"
    "  %use.done = icmp eq i64 %k.next, %d\n"
    "  br i1 %use.done, label %latch, label %use\n"
    "latch:\n"
    "  %f2 = phi double [ %g2, %use ]\n"
    "  call void @free(ptr %t)\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %out.done = icmp eq i64 %i.next, %n\n"
    "  br i1 %out.done, label %exit, label %outer\n"
    "exit:\n"
    "  ret double %f2\n"
    "}\n"
    "attributes #0 = { nounwind willreturn memory(none) }\n";

static void test_iteration_recomputed(void **state) {
  (void)state;
  planned p;
  plan(&p, SCRATCH, "scratch", "cdcc");
  /* c is rewritten by every iteration of the outer loop before the use
     loop reads it: the reverse of an iteration recomputes the fill loop
     (the marker leads the latch's needs), and c[k] is reloaded, not taped */
  assert_true(needs(&p, "latch", "outer", NEED_ITERATION));
  assert_true(needs(&p, "use", "cw", NEED_REMAT));
  assert_true(needs(&p, "use", "cw2", NEED_REMAT));
  assert_false(needs(&p, "use", "cw", NEED_VALUE));
  assert_int_equal(taped(&p, "use"), 0);
  /* c's free waits for the reverse of its malloc */
  assert_non_null(vmap_get(&p.g.deferred_free, test_value(p.fn, "c")));
  plan_free(&p);
  /* without recomputation, c[k] is taped */
  setenv("COTANGENT_NO_REMAT", "1", 1);
  ct_switches_load();
  plan(&p, SCRATCH, "scratch", "cdcc");
  assert_true(needs(&p, "use", "cw", NEED_VALUE));
  assert_false(needs(&p, "latch", "outer", NEED_ITERATION));
  plan_free(&p);
  unsetenv("COTANGENT_NO_REMAT");
  ct_switches_load();
}

static void test_shadow_taped_once_per_loop_run(void **state) {
  (void)state;
  planned p;
  plan(&p, SCRATCH, "inner_malloc", "dcc");
  /* t's shadow, fixed during the inner loops, is read from a slot there,
     taped once per run of each (at its exit), not per inner iteration */
  assert_true(needs(&p, "use", "t", NEED_HOISTED_SHADOW) || needs(&p, "use", "tq", NEED_REMAT_SHADOW));
  assert_false(needs(&p, "use", "t", NEED_SHADOW));
  assert_false(needs(&p, "fill", "t", NEED_SHADOW));
  assert_true(needs(&p, "latch", "t", NEED_SHADOW) || needs(&p, "use.pre", "t", NEED_SHADOW));
  plan_free(&p);
}

static const char BRANCHES[] =
    "declare double @sin(double) #0\n"
    "define double @if_then(double %x, double %y) {\n"
    "entry:\n"
    "  %c = fcmp olt double %x, %y\n"
    "  br i1 %c, label %then, label %join\n"
    "then:\n"
    "  %a = call double @sin(double %x)\n"
    "  br label %join\n"
    "join:\n"
    "  %p = phi double [ %a, %then ], [ %y, %entry ]\n"
    "  %r = fmul double %p, %x\n"
    "  ret double %r\n"
    "}\n"
    "define double @p(double %x, i32 %n) {\n"
    "entry:\n"
    "  %z = icmp eq i32 %n, 0\n"
    "  br i1 %z, label %base, label %rec\n"
    "base:\n"
    "  ret double 1.0\n"
    "rec:\n"
    "  %m = sub i32 %n, 1\n"
    "  %r = call double @p(double %x, i32 %m)\n"
    "  %v = fmul double %x, %r\n"
    "  ret double %v\n"
    "}\n"
    "attributes #0 = { nounwind willreturn memory(none) }\n";

static void test_guard_tells_predecessor(void **state) {
  (void)state;
  planned p;
  plan(&p, BRANCHES, "if_then", "aa");
  ct_block *join = block(&p, "join");
  assert_int_equal(join->npreds, 2);
  /* the branch condition, available in the reverse, says where join was
     entered from: true from `then` */
  assert_ptr_equal(join->guard, test_value(p.fn, "c"));
  assert_ptr_equal(join->preds[join->guard_true_pred], test_block(p.fn, "then"));
  assert_false(BLOCK_RECORDS_PRED(join));
  plan_free(&p);
}

static void test_call_asks_for_callee_gradient(void **state) {
  (void)state;
  planned p;
  plan(&p, BRANCHES, "p", "ac");
  /* the recursive call of p: the callee's split gradient, for the call's
     activity (x active, n constant), with its result differentiated */
  assert_int_equal(callee_requests, 1);
  assert_ptr_equal(callee_request.fn, p.fn);
  assert_int_equal(callee_request.nparams, 2);
  assert_int_equal(callee_request.act[0], ACT_ACTIVE);
  assert_int_equal(callee_request.act[1], ACT_CONST);
  assert_true(callee_request.split);
  assert_true(callee_request.ret_active);
  /* a callee with a body pushes onto this gradient's tape: no tape of its
     own to record; the call's result is recorded (d(x r)/dx) */
  assert_true(callee_request.shared_tape);
  assert_true(p.g.shares_tape);
  assert_false(needs(&p, "rec", "r", NEED_CALL_TAPE));
  assert_true(needs(&p, "rec", "r", NEED_VALUE));
  plan_free(&p);
}

/* ---- scaling ------------------------------------------------------------ */

/* IR text built piece by piece. */
typedef struct {
  char *text;
  size_t len, cap;
} text_buf;

static void put(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_buf *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  while (t->len + (size_t)n + 1 > t->cap) {
    t->cap = t->cap ? 2 * t->cap : 4096;
    t->text = realloc(t->text, t->cap);
  }
  va_start(ap, fmt);
  vsnprintf(t->text + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

static double cpu_seconds(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* `loops` counted loops one after another, as C's for loops come out of
 * clang -O2 (a zero-trip guard g<k>, preheader p<k>, header h<k>,
 * dedicated exit x<k>, join e<k>), each s = s * x[i] + x[i]; with `loads`,
 * the first loop's body reads x[0] .. x[loads - 1] (each needed by the
 * reverse of a product with it). */
static char *many_loops_ir(unsigned loops, unsigned loads) {
  text_buf t = {0};
  put(&t, "define double @many(ptr %%x, i64 %%n) {\nentry:\n  br label %%g0\n");
  for (unsigned k = 0; k < loops; ++k) {
    char in[24];
    snprintf(in, sizeof in, k ? "%%o%u" : "0.0", k - 1);
    put(&t, "g%u:\n  %%z%u = icmp eq i64 %%n, 0\n  br i1 %%z%u, label %%e%u, label %%p%u\n", k, k, k, k, k);
    put(&t, "p%u:\n  br label %%h%u\n", k, k);
    put(&t, "h%u:\n  %%i%u = phi i64 [ 0, %%p%u ], [ %%i%u.next, %%h%u ]\n", k, k, k, k, k);
    put(&t, "  %%s%u = phi double [ %s, %%p%u ], [ %%s%u.next, %%h%u ]\n", k, in, k, k, k);
    if (k == 0 && loads) {
      put(&t, "  %%a0 = fadd double %%s0, 1.0\n");
      for (unsigned j = 0; j < loads; ++j)
        put(&t, "  %%q%u = getelementptr inbounds double, ptr %%x, i64 %u\n  %%w%u = load double, ptr %%q%u\n"
                "  %%a%u = fmul double %%a%u, %%w%u\n",
            j, j, j, j, j + 1, j, j);
      put(&t, "  %%s0.next = fadd double %%a%u, 1.0\n", loads);
    } else {
      put(&t, "  %%q%u = getelementptr inbounds double, ptr %%x, i64 %%i%u\n  %%v%u = load double, ptr %%q%u\n"
              "  %%t%u = fmul double %%s%u, %%v%u\n  %%s%u.next = fadd double %%t%u, %%v%u\n",
          k, k, k, k, k, k, k, k, k, k);
    }
    put(&t, "  %%i%u.next = add nuw nsw i64 %%i%u, 1\n  %%m%u = icmp ult i64 %%i%u.next, %%n\n"
            "  br i1 %%m%u, label %%h%u, label %%x%u\n",
        k, k, k, k, k, k, k);
    put(&t, "x%u:\n  br label %%e%u\ne%u:\n  %%o%u = phi double [ %s, %%g%u ], [ %%s%u.next, %%x%u ]\n", k, k, k, k,
        in, k, k, k);
    if (k + 1 < loops)
      put(&t, "  br label %%g%u\n", k + 1);
    else
      put(&t, "  ret double %%o%u\n}\n", k);
  }
  return t.text;
}

/* Analyses and plans `ir`'s @many (x duplicated), each part within
 * `bound` CPU seconds. */
static void plan_within(planned *p, const char *ir, double bound) {
  test_module_parse(&p->t, ir);
  p->fn = test_function(&p->t, "many");
  p->spec = test_spec(p->fn, "dc");
  double t0 = cpu_seconds();
  gradient_analyse_only(&p->g, &p->t.m, &p->spec, p->fn);
  double t1 = cpu_seconds();
  p->g.callee_gradient = stub_callee_gradient;
  plan_tape(&p->g);
  double t2 = cpu_seconds();
  assert_false(p->g.failed);
  print_message("analyses %.2f s, planning %.2f s (bound %.1f s each)\n", t1 - t0, t2 - t1, bound);
  assert_true(t1 - t0 < bound);
  assert_true(t2 - t1 < bound);
}

static void test_many_loops_scale(void **state) {
  (void)state;
  enum { LOOPS = 10000 };
  char *ir = many_loops_ir(LOOPS, 0);
  planned p;
  plan_within(&p, ir, 2.0); /* here 0.4 s and 0.2 s; quadratic (cfg.c, memory.c, loop lookups): 8 s to minutes */
  assert_int_equal(p.g.nblocks, 5 * LOOPS + 1);
  assert_int_equal(p.g.nloops, LOOPS);
  for (unsigned k = 0; k < LOOPS; k += LOOPS / 10) {
    char name[32], v[32];
    snprintf(name, sizeof name, "h%u", k);
    ct_block *h = block(&p, name);
    assert_false(h->once); /* a loop */
    assert_false(h->stable);
    assert_int_not_equal(h->batch, 0); /* counted: records in an array */
    assert_int_equal(batch_innermost_loop(&p.g, h->bb), h->batch - 1);
    assert_true(cfg_loop_contains(&p.g, &p.g.loops[h->batch - 1], h->bb));
    snprintf(v, sizeof v, "v%u", k); /* x[i] is never written: recomputed, not taped */
    assert_true(needs(&p, name, v, NEED_REMAT));
    assert_false(needs(&p, name, v, NEED_VALUE));
    snprintf(name, sizeof name, "x%u", k);
    ct_block *x = block(&p, name);
    const unsigned *exiting;
    assert_int_equal(cfg_exit_loops(&p.g, x->bb, &exiting), 1);
    assert_int_equal(exiting[0], (unsigned)h->batch - 1);
    assert_false(cfg_loop_contains(&p.g, &p.g.loops[h->batch - 1], x->bb));
    ct_block *arrays[TAPE_MAX_EXIT_ARRAYS];
    assert_int_equal(tape_exit_arrays(&p.g, x, arrays, TAPE_MAX_EXIT_ARRAYS), 1); /* the loop's record array */
    assert_ptr_equal(arrays[0], h);
    snprintf(name, sizeof name, "e%u", k);
    ct_block *e = block(&p, name);
    assert_true(e->once && e->stable); /* runs once, on the way to the return */
    assert_int_equal(e->npreds, 2);
  }
  plan_free(&p);
  free(ir);
}

static void test_many_loads_scale(void **state) {
  (void)state;
  enum { LOADS = 16000 };
  char *ir = many_loops_ir(1, LOADS);
  planned p;
  plan_within(&p, ir, 2.0); /* here 0.05 s; quadratic (memory.c, searching needs): 7 s and more */
  char w[32];
  for (unsigned j = 0; j < LOADS; j += LOADS / 10) {
    snprintf(w, sizeof w, "w%u", j);
    assert_true(needs(&p, "h0", w, NEED_REMAT)); /* never written: recomputed */
    assert_false(needs(&p, "h0", w, NEED_VALUE));
  }
  plan_free(&p);
  free(ir);
}

/* ---- classification ----------------------------------------------------- */

/* The first call in fn of a function whose name starts with `prefix`. */
static LLVMValueRef call_of(LLVMValueRef fn, const char *prefix) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
      size_t len = 0;
      const char *name = util_callee_name(inst, &len);
      if (name && len >= strlen(prefix) && !strncmp(name, prefix, strlen(prefix)))
        return inst;
    }
  fail();
  return NULL;
}

static void test_classify(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, "@fmt = private constant [3 x i8] c\"%g\\00\"\n"
                        "declare i32 @printf(ptr, ...)\n"
                        "declare double @sin(double) #0\n"
                        "declare void @mystery(ptr)\n"
                        "declare double @custom(double) #1\n"
                        "declare void @pb(double, double, ptr)\n"
                        "declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)\n"
                        "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)\n"
                        "define double @g(double %u) {\n"
                        "  %w = fmul double %u, %u\n"
                        "  ret double %w\n"
                        "}\n"
                        "define double @f(ptr %x, ptr %y, ptr %c, i64 %n, i1 %b) {\n"
                        "entry:\n"
                        "  %v = load double, ptr %x\n"
                        "  %cv = load double, ptr %c\n"
                        "  %s = call double @sin(double %v)\n"
                        "  %m = fmul double %s, %cv\n"
                        "  %k = add i64 %n, 1\n"
                        "  %pr = call i32 (ptr, ...) @printf(ptr @fmt, double %m)\n"
                        "  %gc = call double @g(double %m)\n"
                        "  %cu = call double @custom(double %gc)\n"
                        "  store double %cu, ptr %y\n"
                        "  call void @llvm.memcpy.p0.p0.i64(ptr %y, ptr %x, i64 %n, i1 false)\n"
                        "  call void @llvm.memset.p0.i64(ptr %x, i8 0, i64 %n, i1 false)\n"
                        "  call void @mystery(ptr %y)\n"
                        "  br i1 %b, label %next, label %next\n"
                        "next:\n"
                        "  %ph = phi double [ %cu, %entry ]\n"
                        "  %again = load double, ptr %y\n"
                        "  %r = fadd double %again, %ph\n"
                        "  ret double %r\n"
                        "}\n"
                        "attributes #0 = { nounwind willreturn memory(none) }\n"
                        "attributes #1 = { \"ct-custom-derivative\"=\"pb\" }\n");
  LLVMValueRef f = test_function(&t, "f");
  ct_spec spec = test_spec(f, "ddcc" "c");
  ct_gen g;
  gradient_analyse_only(&g, &t.m, &spec, f); /* no planning: it would report @mystery */
  assert_int_equal(classify(&g, test_value(f, "v")), REV_LOAD);
  assert_int_equal(classify(&g, test_value(f, "cv")), REV_NONE); /* a constant array */
  assert_int_equal(classify(&g, test_value(f, "s")), REV_RULE);
  assert_int_equal(classify(&g, test_value(f, "m")), REV_RULE);
  assert_int_equal(classify(&g, test_value(f, "k")), REV_NONE);
  assert_int_equal(classify(&g, test_value(f, "pr")), REV_NONE); /* printf carries no derivative */
  assert_int_equal(classify(&g, test_value(f, "gc")), REV_CALL); /* a body: its own gradient */
  assert_int_equal(classify(&g, test_value(f, "cu")), REV_CUSTOM);
  assert_int_equal(classify(&g, test_value(f, "ph")), REV_PHI);
  assert_int_equal(classify(&g, test_value(f, "again")), REV_LOAD);
  assert_int_equal(classify(&g, LLVMGetNextInstruction(test_value(f, "cu"))), REV_STORE);
  assert_int_equal(classify(&g, call_of(f, "llvm.memcpy")), REV_MEMCPY);
  assert_int_equal(classify(&g, call_of(f, "llvm.memset")), REV_MEMSET);
  /* a declaration given differentiable memory: neither differentiated nor
     known harmless */
  assert_int_equal(classify(&g, call_of(f, "mystery")), REV_UNSUPPORTED);
  assert_non_null(classify_rule(test_value(f, "s")));
  assert_null(classify_rule(test_value(f, "k")));
  assert_true(classify_is_inactive_call(test_value(f, "pr")));
  assert_false(classify_is_inactive_call(call_of(f, "mystery")));
  assert_int_equal(t.diags.errors, 0);
  /* planned, the unsupported call is reported, naming it */
  plan_tape(&g);
  assert_true(g.failed);
  assert_int_equal(t.diags.errors, 1);
  assert_non_null(strstr(t.diags.text, "call to 'mystery' has no derivative"));
  gradient_release(&g);
  test_module_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cfg),
      cmocka_unit_test(test_straight_line_needs_nothing),
      cmocka_unit_test(test_counted_loop),
      cmocka_unit_test(test_overwritten_load_is_taped),
      cmocka_unit_test(test_unknown_trip_count),
      cmocka_unit_test(test_loop_invariant_taped_at_exit),
      cmocka_unit_test(test_iteration_recomputed),
      cmocka_unit_test(test_shadow_taped_once_per_loop_run),
      cmocka_unit_test(test_guard_tells_predecessor),
      cmocka_unit_test(test_call_asks_for_callee_gradient),
      cmocka_unit_test(test_many_loops_scale),
      cmocka_unit_test(test_many_loads_scale),
      cmocka_unit_test(test_classify),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
