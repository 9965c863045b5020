// A call through a function pointer in differentiated code dispatches at run
// time among the functions of its type whose address may reach it and whose
// derivative Cotangent knows; a pointer to any other function (here one of
// another file that is not declared differentiable) stops the program with
// a message naming the call and the function, instead of a wrong gradient.
// Off the differentiated path (an inactive call) the same pointer is fine.
// RUN: %cc -O0 -rdynamic %s %S/../e2e/lib/callbacks_lib.c -o %t0 -lm
// RUN: %t0 | FileCheck %s --check-prefix=OK
// RUN: not --crash %t0 x 2>&1 | FileCheck %s
// RUN: %cc -O2 -rdynamic %s %S/../e2e/lib/callbacks_lib.c -o %t2 -lm
// RUN: %t2 | FileCheck %s --check-prefix=OK
// RUN: not --crash %t2 x 2>&1 | FileCheck %s
// OK: ok 12 0
// CHECK: cotangent: {{.*}}indirect_call_unknown.c:[[@LINE+10]]:{{[0-9]+}}: in 'through': the function 'lib_plain', called through a pointer in code being differentiated, is not one whose derivative that call knows
#include <cotangent.h>
#include <stdio.h>

typedef void (*scalar_out)(double x, double *out);
static void cube_out(double x, double *out) { *out = x * x * x; }
void lib_plain(double x, double *out); /* not differentiable */
static double through(double x, double c, int k) {
  scalar_out ops[2] = {cube_out, lib_plain};
  double r, s;
  ops[k](x, &r);
  ops[k](c, &s); /* c constant: this call's derivative is not needed */
  return r + s * 0;
}

int main(int argc, char **argv) {
  (void)argv;
  double dx = 0;
  ct_gradient(through, 2.0, &dx, ct_const(1.0), 0);
  double dc = 0;
  ct_gradient(through, ct_const(2.0), 1.0, &dc, 0);
  printf("ok %g %g\n", dx, dc);
  if (argc > 1)
    ct_gradient(through, 2.0, &dx, ct_const(1.0), 1);
  return 0;
}
