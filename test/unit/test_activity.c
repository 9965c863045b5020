/*
 * Unit tests of activity analysis (pass/activity.c) on hand-written IR:
 * which values activity_analyze marks active for a spec. Checked: a
 * parameter held constant and what is computed from it alone are inactive;
 * a value that depends on an active parameter but only reaches a call that
 * carries no derivative (printf) is not useful, hence inactive; integers
 * never are (counters, conversions from them); a duplicated pointer, its
 * GEPs and loads are active, a constant pointer's are not; a local array
 * becomes active when a differentiable value is stored into it, and so does
 * what is loaded back; without a differentiated result, stores into
 * duplicated memory are what is useful; ct_without_derivative cuts the
 * dependence (activity_held_constant tells it). Also the type predicate
 * activity_carries_derivative and the element type of memory deduced from
 * its accesses (activity_fp_type_of_memory).
 */
#include "pass_ir.h"

/* Runs activity_analyze for fn with `acts` (one letter per parameter),
 * into *active (caller frees). */
static void analyze(LLVMValueRef fn, const char *acts, ct_vmap *active) {
  ct_spec spec = test_spec(fn, acts);
  vmap_init(active);
  activity_analyze(&spec, fn, active);
}

static int is_active(const ct_vmap *active, LLVMValueRef fn, const char *name) {
  return vmap_get(active, test_value(fn, name)) != NULL;
}

static const char SCALARS[] =
    "@fmt = private constant [4 x i8] c\"%g\\0A\\00\"\n"
    "declare i32 @printf(ptr, ...)\n"
    "declare double @sin(double)\n"
    "declare double @exp(double)\n"
    "define double @scaled(double %x, double %c) {\n"
    "  %e = call double @exp(double %c)\n"
    "  %w = call double @sin(double %x)\n"
    "  %p = call i32 (ptr, ...) @printf(ptr @fmt, double %w)\n"
    "  %m = fmul double %x, %e\n"
    "  ret double %m\n"
    "}\n"
    "define double @repeat(double %x, i32 %n) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]\n"
    "  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]\n"
    "  %sq = fmul double %x, %x\n"
    "  %s.next = fadd double %s, %sq\n"
    "  %i.next = add nuw nsw i32 %i, 1\n"
    "  %more = icmp slt i32 %i.next, %n\n"
    "  br i1 %more, label %loop, label %exit\n"
    "exit:\n"
    "  %fi = sitofp i32 %i.next to double\n"
    "  %r = fmul double %s.next, %fi\n"
    "  ret double %r\n"
    "}\n";

static void test_constant_and_useless_values(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, SCALARS);
  LLVMValueRef f = test_function(&t, "scaled");
  ct_vmap active;
  analyze(f, "ac", &active);
  assert_true(is_active(&active, f, "x"));
  assert_true(is_active(&active, f, "m"));
  assert_false(is_active(&active, f, "c")); /* held constant */
  assert_false(is_active(&active, f, "e")); /* computed from c alone */
  assert_false(is_active(&active, f, "w")); /* varied, only printed */
  assert_false(is_active(&active, f, "p"));
  vmap_free(&active);
  /* both active: exp(c) is then active too */
  analyze(f, "aa", &active);
  assert_true(is_active(&active, f, "c"));
  assert_true(is_active(&active, f, "e"));
  assert_false(is_active(&active, f, "w"));
  vmap_free(&active);
  test_module_free(&t);
}

static void test_integers_never_active(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, SCALARS);
  LLVMValueRef f = test_function(&t, "repeat");
  ct_vmap active;
  analyze(f, "ac", &active);
  assert_true(is_active(&active, f, "s"));
  assert_true(is_active(&active, f, "sq"));
  assert_true(is_active(&active, f, "s.next"));
  assert_true(is_active(&active, f, "r"));
  assert_false(is_active(&active, f, "i"));
  assert_false(is_active(&active, f, "i.next"));
  assert_false(is_active(&active, f, "more"));
  assert_false(is_active(&active, f, "fi")); /* from an integer */
  assert_false(is_active(&active, f, "n"));
  vmap_free(&active);
  /* x constant: nothing is */
  analyze(f, "cc", &active);
  assert_int_equal(active.len, 0);
  vmap_free(&active);
  test_module_free(&t);
}

static const char POINTERS[] =
    "declare double @sin(double)\n"
    "define double @dot(ptr %x, ptr %a, i64 %n) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]\n"
    "  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]\n"
    "  %xp = getelementptr inbounds double, ptr %x, i64 %i\n"
    "  %ap = getelementptr inbounds double, ptr %a, i64 %i\n"
    "  %xv = load double, ptr %xp\n"
    "  %av = load double, ptr %ap\n"
    "  %t = fmul double %xv, %av\n"
    "  %s.next = fadd double %s, %t\n"
    "  %i.next = add nuw nsw i64 %i, 1\n"
    "  %more = icmp ult i64 %i.next, %n\n"
    "  br i1 %more, label %loop, label %exit\n"
    "exit:\n"
    "  ret double %s.next\n"
    "}\n"
    "define double @scratch(ptr %x, i64 %j) {\n"
    "  %tmp = alloca [2 x double]\n"
    "  %unused = alloca [2 x double]\n"
    "  %x0 = load double, ptr %x\n"
    "  %s0 = call double @sin(double %x0)\n"
    "  store double %s0, ptr %tmp\n"
    "  store double 1.0, ptr %unused\n"
    "  %tjp = getelementptr inbounds double, ptr %tmp, i64 %j\n"
    "  %tj = load double, ptr %tjp\n"
    "  %uj = load double, ptr %unused\n"
    "  %r = fmul double %tj, %uj\n"
    "  ret double %r\n"
    "}\n"
    "define void @out(ptr %x, ptr %y) {\n"
    "  %v = load double, ptr %x\n"
    "  %w = fmul double %v, %v\n"
    "  %dead = fmul double %v, 3.0\n"
    "  store double %w, ptr %y\n"
    "  ret void\n"
    "}\n";

static void test_pointers(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, POINTERS);
  LLVMValueRef f = test_function(&t, "dot");
  ct_vmap active;
  analyze(f, "dcc", &active);
  assert_true(is_active(&active, f, "x"));
  assert_true(is_active(&active, f, "xp"));
  assert_true(is_active(&active, f, "xv"));
  assert_true(is_active(&active, f, "t"));
  assert_false(is_active(&active, f, "a"));
  assert_false(is_active(&active, f, "ap"));
  assert_false(is_active(&active, f, "av"));
  assert_false(is_active(&active, f, "i"));
  vmap_free(&active);
  test_module_free(&t);
}

static void test_local_memory(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, POINTERS);
  LLVMValueRef f = test_function(&t, "scratch");
  ct_vmap active;
  analyze(f, "dc", &active);
  assert_true(is_active(&active, f, "tmp")); /* holds sin(x[0]): needs a shadow */
  assert_true(is_active(&active, f, "tjp"));
  assert_true(is_active(&active, f, "tj"));
  assert_false(is_active(&active, f, "unused")); /* holds only a constant */
  assert_false(is_active(&active, f, "uj"));
  assert_true(is_active(&active, f, "r"));
  vmap_free(&active);
  test_module_free(&t);
}

static void test_void_result_stores_are_useful(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, POINTERS);
  LLVMValueRef f = test_function(&t, "out");
  ct_vmap active;
  analyze(f, "dd", &active);
  assert_true(is_active(&active, f, "v"));
  assert_true(is_active(&active, f, "w"));    /* stored into y */
  assert_false(is_active(&active, f, "dead")); /* reaches nothing */
  vmap_free(&active);
  test_module_free(&t);
}

static void test_without_derivative(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, "declare double @__ct_without_derivative(double)\n"
                        "define double @f(double %x) {\n"
                        "  %held = call double @__ct_without_derivative(double %x)\n"
                        "  %h2 = fmul double %held, %held\n"
                        "  %r = fmul double %h2, %x\n"
                        "  ret double %r\n"
                        "}\n");
  LLVMValueRef f = test_function(&t, "f");
  ct_vmap active;
  analyze(f, "a", &active);
  assert_true(activity_is_without_derivative(test_value(f, "held")));
  assert_false(activity_is_without_derivative(test_value(f, "h2")));
  assert_false(is_active(&active, f, "held"));
  assert_false(is_active(&active, f, "h2"));
  assert_true(is_active(&active, f, "r"));
  ct_spec spec = test_spec(f, "a");
  assert_true(activity_held_constant(&spec, f, test_value(f, "h2")));
  assert_false(activity_held_constant(&spec, f, test_value(f, "x")));
  spec = test_spec(f, "c"); /* nothing to hold: x is constant anyway */
  assert_false(activity_held_constant(&spec, f, test_value(f, "h2")));
  vmap_free(&active);
  test_module_free(&t);
}

static void test_types(void **state) {
  (void)state;
  LLVMContextRef ctx = LLVMContextCreate();
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  LLVMTypeRef mixed[2] = {i32, dbl}, ints[2] = {i32, i32};
  assert_true(activity_carries_derivative(dbl));
  assert_true(activity_carries_derivative(LLVMFloatTypeInContext(ctx)));
  assert_true(activity_carries_derivative(LLVMVectorType(LLVMFloatTypeInContext(ctx), 4)));
  assert_true(activity_carries_derivative(LLVMPointerTypeInContext(ctx, 0)));
  assert_true(activity_carries_derivative(LLVMStructTypeInContext(ctx, mixed, 2, 0)));
  assert_true(activity_carries_derivative(LLVMArrayType2(dbl, 3)));
  assert_false(activity_carries_derivative(i32));
  assert_false(activity_carries_derivative(LLVMStructTypeInContext(ctx, ints, 2, 0)));
  assert_false(activity_carries_derivative(LLVMArrayType2(i32, 3)));
  assert_false(activity_carries_derivative(LLVMVoidTypeInContext(ctx)));
  LLVMContextDispose(ctx);
}

static void test_memory_element_type(void **state) {
  (void)state;
  test_module t;
  test_module_parse(&t, "declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)\n"
                        "define void @f(ptr %d, ptr %s, ptr %m, ptr %u, ptr %c) {\n"
                        "  %d1 = getelementptr inbounds double, ptr %d, i64 1\n"
                        "  store double 1.0, ptr %d1\n"
                        "  store float 1.0, ptr %s\n"
                        "  %mv = load double, ptr %m\n"
                        "  store float 1.0, ptr %m\n"
                        "  store i64 0, ptr %u\n"
                        "  call void @llvm.memcpy.p0.p0.i64(ptr %c, ptr %d, i64 16, i1 false)\n"
                        "  ret void\n"
                        "}\n");
  LLVMValueRef f = test_function(&t, "f");
  LLVMTypeRef dbl = LLVMDoubleTypeInContext(t.ctx), flt = LLVMFloatTypeInContext(t.ctx);
  assert_ptr_equal(activity_fp_type_of_memory(f, test_value(f, "d")), dbl);
  assert_ptr_equal(activity_fp_type_of_memory(f, test_value(f, "d1")), dbl); /* same object */
  assert_ptr_equal(activity_fp_type_of_memory(f, test_value(f, "s")), flt);
  assert_null(activity_fp_type_of_memory(f, test_value(f, "m"))); /* double and float */
  assert_null(activity_fp_type_of_memory(f, test_value(f, "u")));  /* integers only */
  assert_ptr_equal(activity_fp_type_of_memory(f, test_value(f, "c")), dbl); /* copied from d */
  test_module_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_constant_and_useless_values),
      cmocka_unit_test(test_integers_never_active),
      cmocka_unit_test(test_pointers),
      cmocka_unit_test(test_local_memory),
      cmocka_unit_test(test_void_result_stores_are_useful),
      cmocka_unit_test(test_without_derivative),
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_memory_element_type),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
