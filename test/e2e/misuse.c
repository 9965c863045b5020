/* Run-time misuse of the operators stops the program with a "cotangent:"
 * message naming the operator and a non-zero exit, never a segfault or a
 * silent wrong result: each case runs in a child process (fork), whose
 * stderr and exit status are checked. Cases: ct_pullback_apply after
 * ct_pullback_free, ct_pullback_free twice, a NULL derivative pointer to
 * ct_pullback_apply, a NULL pullback, garbage pointers (a stack address, an
 * unmapped address) passed as a pullback, and, in the generated code, a
 * NULL derivative pointer or a NULL shadow (of a non-NULL array) given to
 * ct_gradient / ct_pullback (also through a function pointer known at run
 * time, and a ct_gradient_of function). Then the well-formed calls still work. */
#define _POSIX_C_SOURCE 200809L /* fork */
#include <cotangent.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"

static double f(double x, double y) { return x * sin(y); }

static double norm2(const double *v, int n) {
  double r = 0;
  for (int i = 0; i < n; ++i)
    r += v[i] * v[i];
  return r;
}

/* Runs fn in a child; checks it exits non-zero with `expect` on stderr. */
static void run_void(void *fn) { (*(void (**)(void))fn)(); }
static void expect_death(const char *what, void (*fn)(void), const char *expect) {
  check_child_stops(what, run_void, &fn, expect, 0);
}

static void apply_after_free(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  ct_pullback_free(pb);
  double dx, dy;
  ct_pullback_apply(pb, 1.0, &dx, &dy);
}

static void double_free(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  ct_pullback_free(pb);
  ct_pullback_free(pb);
}

/* freed, then 100 other pullbacks made and freed: still reported */
static void apply_after_free_later(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  ct_pullback_free(pb);
  for (int i = 0; i < 100; ++i)
    ct_pullback_free(ct_pullback(f, 1.0 + i, 2.0));
  double dx, dy;
  ct_pullback_apply(pb, 1.0, &dx, &dy);
}

static void null_derivative_pointer(void) {
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  double dx;
  ct_pullback_apply(pb, 1.0, &dx, (double *)NULL);
}

static void null_pullback(void) {
  double dx, dy;
  ct_pullback_apply(NULL, 1.0, &dx, &dy);
}

static void stack_pullback(void) {
  double not_a_pullback[8] = {0};
  double dx, dy;
  ct_pullback_apply((ct_pullback_t)not_a_pullback, 1.0, &dx, &dy);
}

static void unmapped_pullback(void) {
  double dx, dy;
  ct_pullback_apply((ct_pullback_t)(uintptr_t)0x10, 1.0, &dx, &dy);
}

static void free_garbage(void) {
  double not_a_pullback[8] = {0};
  ct_pullback_free((ct_pullback_t)not_a_pullback);
}

/* volatile: the NULL is only known at run time */
static double *volatile no_pointer;

static void gradient_null_out(void) {
  double dx;
  ct_gradient(f, 1.0, &dx, 2.0, no_pointer);
}

static void gradient_null_shadow(void) {
  double v[3] = {1, 2, 3};
  ct_gradient(norm2, v, no_pointer, 3);
}

/* a function pointer known only at run time, and ct_gradient_of */
CT_DIFFERENTIABLE double scaled(double x, double y) { return x * y; }
static double (*volatile some_function)(double, double) = scaled;

static void function_pointer_null_out(void) {
  double dx;
  ct_gradient(some_function, 1.0, &dx, 2.0, no_pointer);
}

static void gradient_of_null_out(void) {
  double (*g)(double, double *, double, double *) = ct_gradient_of(f);
  double dy;
  g(1.0, no_pointer, 2.0, &dy);
}

static void pullback_null_shadow(void) {
  double v[3] = {1, 2, 3};
  ct_pullback_t pb = ct_pullback(norm2, v, no_pointer, 3);
  ct_pullback_free(pb);
}

int main(void) {
  expect_death("apply after free", apply_after_free,
               "cotangent: ct_pullback_apply: the pullback 0x");
  expect_death("apply after free", apply_after_free, "was already freed by ct_pullback_free");
  expect_death("double free", double_free, "cotangent: ct_pullback_free: the pullback 0x");
  expect_death("double free", double_free, "was already freed by ct_pullback_free (double free)");
  expect_death("apply after free, later", apply_after_free_later, "was already freed by ct_pullback_free");
  expect_death("NULL derivative pointer", null_derivative_pointer,
               "cotangent: ct_pullback_apply: derivative pointer 2 (of 2) is NULL");
  expect_death("NULL pullback", null_pullback, "cotangent: ct_pullback_apply: the pullback is NULL");
  expect_death("stack address", stack_pullback, "cotangent: ct_pullback_apply: 0x");
  expect_death("stack address", stack_pullback, "is not a pullback (made by ct_pullback or ct_value_with_pullback)");
  expect_death("unmapped address", unmapped_pullback, "cotangent: ct_pullback_apply: 0x10 is not a pullback");
  expect_death("free of garbage", free_garbage, "cotangent: ct_pullback_free: 0x");
  expect_death("ct_gradient, NULL derivative pointer", gradient_null_out,
               "cotangent: ct_gradient: the derivative pointer of parameter 2 of 'f' is NULL");
  expect_death("ct_gradient, NULL shadow", gradient_null_shadow,
               "cotangent: ct_gradient: the shadow of parameter 1 of 'norm2' is NULL (the pointer is not)");
  expect_death("function pointer, NULL derivative pointer", function_pointer_null_out,
               "cotangent: ct_gradient: the derivative pointer of parameter 2 of 'scaled' is NULL");
  expect_death("ct_gradient_of, NULL derivative pointer", gradient_of_null_out,
               "cotangent: ct_gradient_of: the derivative pointer of parameter 1 of 'f' is NULL");
  expect_death("ct_pullback, NULL shadow", pullback_null_shadow,
               "cotangent: ct_pullback: the shadow of parameter 1 of 'norm2' is NULL (the pointer is not)");

  /* correct use is unaffected; a NULL array with a NULL shadow is fine */
  double dx = 0, dy = 0;
  ct_gradient(f, 1.0, &dx, 2.0, &dy);
  CHECK_D(dx, sin(2.0));
  CHECK_D(dy, cos(2.0));
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  ct_pullback_apply(pb, 2.0, &dx, &dy);
  CHECK_D(dx, 2 * sin(2.0));
  CHECK_D(dy, 2 * cos(2.0));
  ct_pullback_free(pb);
  ct_pullback_free(NULL); /* like free(NULL) */
  ct_gradient(norm2, no_pointer, no_pointer, 0);
  ct_gradient(some_function, 3.0, &dx, 4.0, &dy);
  CHECK_D(dx, 4.0);
  CHECK_D(dy, 3.0);
  return check_summary("misuse");
}
