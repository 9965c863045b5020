// Functions of more than 64 parameters (the most Cotangent differentiates)
// get a compile error naming the limit wherever they meet an operator,
// never a buffer overrun or a silently dropped gradient: differentiated
// directly, through ct_gradient_of, declared differentiable (its gradient
// was silently not exported), called inside a differentiated function,
// given a custom derivative, or given more than 2 x 64 arguments through a
// run-time function pointer. Each case is compiled on its own (-DCASE=n).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null -DCASE=1 2>&1 | FileCheck %s --check-prefix=DIRECT
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null -DCASE=1 2>&1 | FileCheck %s --check-prefix=DIRECT
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null -DCASE=2 2>&1 | FileCheck %s --check-prefix=GRADOF
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null -DCASE=3 2>&1 | FileCheck %s --check-prefix=EXPORT
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null -DCASE=3 2>&1 | FileCheck %s --check-prefix=EXPORT
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null -DCASE=4 2>&1 | FileCheck %s --check-prefix=CALLED
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null -DCASE=4 2>&1 | FileCheck %s --check-prefix=CALLED
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null -DCASE=5 2>&1 | FileCheck %s --check-prefix=CUSTOM
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null -DCASE=6 2>&1 | FileCheck %s --check-prefix=POINTER
#include <cotangent.h>

#define P10(p) double p##0, double p##1, double p##2, double p##3, double p##4, \
               double p##5, double p##6, double p##7, double p##8, double p##9
#define PARAMS70 P10(a), P10(b), P10(c), P10(d), P10(e), P10(f), P10(g)
#define A10(v) v, v, v, v, v, v, v, v, v, v
#define ARGS70(v) A10(v), A10(v), A10(v), A10(v), A10(v), A10(v), A10(v)

#if CASE == 1 || CASE == 2
static double wide(PARAMS70) { return a0 * g9; }
#if CASE == 1
double use(double *d) {
  // DIRECT: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'wide': it has 70 parameters, more than the 64 Cotangent differentiates
  return ct_value_with_gradient(wide, ARGS70(1.0), d);
}
#else
void *use(void) {
  // GRADOF: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'wide': it has 70 parameters, more than the 64 Cotangent differentiates
  return ct_gradient_of(wide);
}
#endif
#elif CASE == 3
// EXPORT: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: 'exported' is declared differentiable but has 70 parameters, more than the 64 Cotangent differentiates
CT_DIFFERENTIABLE double exported(PARAMS70) { return a0 * g9; }
#elif CASE == 4
/* recursive, so it stays a call in the differentiated function (external:
   its unused parameters stay) */
double deep(int n, PARAMS70) { return n > 1 ? deep(n - 1, ARGS70(a0 * 0.5)) + deep(n - 2, ARGS70(g9)) : a0 * g9; }
static double outer(double x) {
  // CALLED: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'outer': call to 'deep' has 71 parameters, more than the 64 Cotangent differentiates
  return deep(3, ARGS70(x));
}
double use(double x) {
  double dx;
  ct_gradient(outer, x, &dx);
  return dx;
}
#elif CASE == 5
double wide(PARAMS70);
CT_DERIVATIVE(wide)
// CUSTOM: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: 'wide_pullback' cannot be the derivative of 'wide': it has 70 parameters, more than the 64 Cotangent differentiates
void wide_pullback(PARAMS70, double seed, double *da0) { *da0 += seed * g9; }
static double outer(double x) { return wide(ARGS70(x)); }
double use(double x) {
  double dx;
  ct_gradient(outer, x, &dx);
  return dx;
}
#elif CASE == 6
double use(double (*fp)(double), double *d) {
  // POINTER: diag_too_many_params.c:[[@LINE+1]]:{{[0-9]+}}: error: ct_gradient: 140 arguments after the function pointer, more than a function of at most 64 parameters takes
  ct_gradient(fp, ARGS70(1.0), ARGS70(d));
  return *d;
}
#endif
