// Differentiable functions of another file whose names are 1,920 characters
// long and differ only at the end: the gradients that file exports
// (__ct_aug_<name>, __ct_rev_<name>) keep the whole name, so each caller
// gets its own function's gradient (names were cut at 300 characters, and
// the second export collided with the first). Analytic checks.
// RUN: %cc -O2 -c %S/Inputs/long_names_lib.c -o %t.lib.o
// RUN: %cc -O0 -I%S/Inputs -c %s -o %t.main0.o
// RUN: %cc -O2 -I%S/Inputs -c %s -o %t.main2.o
// RUN: %cc %t.main0.o %t.lib.o -o %t0 && %t0 | FileCheck %s
// RUN: %cc %t.main2.o %t.lib.o -o %t2 && %t2 | FileCheck %s
// RUN: nm %t.lib.o | FileCheck %s --check-prefix=SYMS
// CHECK: ok
// SYMS-DAG: T __ct_aug_a_long_prefix_{{(a_long_prefix_)+}}cube
// SYMS-DAG: T __ct_rev_a_long_prefix_{{(a_long_prefix_)+}}cube
// SYMS-DAG: T __ct_aug_a_long_prefix_{{(a_long_prefix_)+}}sine
// SYMS-DAG: T __ct_rev_a_long_prefix_{{(a_long_prefix_)+}}sine
#include "long_names.h"
#include <math.h>
#include <stdio.h>
static double both(double x) { return NAME(cube)(x) + 10 * NAME(sine)(x); }
int main(void) {
  double x = 0.7, d = 0;
  int bad = 0;
  ct_gradient(both, x, &d);
  bad += fabs(d - (3 * x * x + 10 * cos(x))) > 1e-12;
  ct_gradient(NAME(sine), x, &d);
  bad += fabs(d - cos(x)) > 1e-12;
  ct_gradient(NAME(cube), x, &d);
  bad += fabs(d - 3 * x * x) > 1e-12;
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
