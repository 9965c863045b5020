// A function-pointer argument of an operator call that cannot be proven
// differentiable at compile time (a plain function-pointer value, a
// function without a known derivative) gets a warning at the call naming
// the expression; a function named directly, a value of a differentiable
// function-pointer type (typedef ... CT_DIFFERENTIABLE) or cast to one, and
// function pointers whose calls carry no derivatives (an int comparator) get
// none. The operator's first argument (the function differentiated) is
// checked at run time instead.
// RUN: %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=error:
// RUN: %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=error:
#include <cotangent.h>

typedef double (*rhs)(double t, double y);
typedef double (*ct_rhs)(double t, double y) CT_DIFFERENTIABLE;
typedef int (*compare)(int, int);

static double field(double t, double y) { return -y + t; }
static double other(double t, double y) { return y * t; }
double lib_rhs(double t, double y); /* declared only */
static rhs TABLE[2] = {field, other};

double euler(rhs g, compare c, double y0, int n) {
  double y = y0;
  for (int i = 0; i < n; ++i)
    y += 0.1 * g(0.1 * i, y) * (c(i, n) > 0 ? 1 : 2);
  return y;
}
double euler_typed(ct_rhs g, double y0, int n) {
  double y = y0;
  for (int i = 0; i < n; ++i)
    y += 0.1 * g(0.1 * i, y);
  return y;
}
static int less(int a, int b) { return a < b; }

void run(int k, rhs chosen, ct_rhs typed, compare cmp, double (*loss)(double)) {
  double d = 0;
  ct_gradient(euler, field, less, 1.0, &d, 10);
  // CHECK: diag_function_value_args.c:[[@LINE+1]]:22: warning: ct_gradient: the function pointer 'TABLE[k]' cannot be proven differentiable at compile time: if it holds a function whose derivative the differentiated code's calls through it do not know, the program stops there; give it a differentiable function type (typedef ... CT_DIFFERENTIABLE), or pass a function by name
  ct_gradient(euler, TABLE[k], cmp, 1.0, &d, 10);
  // CHECK: diag_function_value_args.c:[[@LINE+1]]:39: warning: ct_value_with_gradient: the function pointer 'chosen' cannot be proven
  d += ct_value_with_gradient(euler, (chosen), less, 1.0, &d, 10);
  ct_gradient(euler_typed, typed, 1.0, &d, 10);
  ct_gradient(euler, (ct_rhs)chosen, less, 1.0, &d, 10);
  // CHECK: diag_function_value_args.c:[[@LINE+1]]:22: warning: ct_gradient: the function 'lib_rhs' passed here has no derivative Cotangent knows (no body in this file, no CT_DIFFERENTIABLE, no custom derivative): a call through it in the differentiated code stops the program, or fails to compile; declare it CT_DIFFERENTIABLE
  ct_gradient(euler, lib_rhs, less, 1.0, &d, 10);
  ct_gradient(loss, 1.0, &d);
}
