/* Run-time misuse of a differential stops the program with a "cotangent:"
 * message naming ct_differential_apply and a non-zero exit, never a
 * segfault or a garbage result: too few or too many tangents, a NULL
 * differential, a NULL tangent array for an array that was not NULL at
 * the recorded point. A NULL tangent array for a NULL array is fine (the
 * function does not read it), and well-formed applications still work. */
#define _POSIX_C_SOURCE 200809L /* fork */
#include <cotangent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"

static double norm2(const double *v, double s, int n) {
  double r = 0;
  for (int i = 0; i < n; ++i)
    r += v[i] * v[i];
  return s * r;
}

static void run_void(void *fn) { (*(void (**)(void))fn)(); }
static void expect_death(const char *what, void (*fn)(void), const char *expect) {
  check_child_stops(what, run_void, &fn, expect, 0);
}

static double *volatile no_pointer;
static double v3[3] = {1, 2, 3}, t3[3] = {1, 0, 0};

static void too_few(void) {
  ct_differential_t d;
  ct_value_with_differential(norm2, &d, v3, 2.0, 3);
  ct_differential_apply(d, t3);
}
static void too_many(void) {
  ct_differential_t d;
  ct_value_with_differential(norm2, &d, v3, 2.0, 3);
  ct_differential_apply(d, t3, 1.0, 1.0);
}
static void null_differential(void) { ct_differential_apply((ct_differential_t)0, t3, 1.0); }
static void null_tangent_array(void) {
  ct_differential_t d;
  ct_value_with_differential(norm2, &d, v3, 2.0, 3);
  ct_differential_apply(d, no_pointer, 1.0);
}

int main(void) {
  expect_death("too few tangents", too_few,
               "cotangent: ct_differential_apply: 1 tangents given, the differential takes 2");
  expect_death("too many tangents", too_many,
               "cotangent: ct_differential_apply: 3 tangents given, the differential takes 2");
  expect_death("NULL differential", null_differential, "cotangent: ct_differential_apply: the differential is NULL");
  expect_death("NULL tangent array", null_tangent_array,
               "cotangent: ct_differential_apply: tangent array 1 (of 2) is NULL (its array was not)");

  ct_differential_t d;
  double v = ct_value_with_differential(norm2, &d, v3, 2.0, 3);
  CHECK_D(v, 28.0);
  CHECK_D(ct_differential_apply(d, t3, 0.0), 4.0);  /* 2 s v0 */
  CHECK_D(ct_differential_apply(d, t3, 1.0), 18.0); /* + |v|^2 */
  ct_differential_free(d);
  v = ct_value_with_differential(norm2, &d, no_pointer, 2.0, 0); /* a NULL array of none */
  CHECK_D(v, 0.0);
  CHECK_D(ct_differential_apply(d, no_pointer, 1.0), 0.0);
  ct_differential_free(d);
  return check_summary("differential_misuse");
}
