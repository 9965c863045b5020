// Memory that has no shadow on the differentiated path is a compile error at
// the offending instruction, never a silently wrong derivative: a mutable
// global that receives a differentiable value, and an external function that
// receives a pointer to differentiable data.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
#include <cotangent.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);
double history[16];
extern void external_scale(double *v, int n);

static double remember(double x, int i) {
  // CHECK: diag_memory.c:[[@LINE+1]]:3: error: cannot differentiate 'remember': it writes differentiable values into the global variable 'history', which has no shadow
  history[i & 15] = x * x;
  return history[(i + 1) & 15] + x;
}

static double scaled_sum(double *v, int n) {
  // CHECK: diag_memory.c:[[@LINE+1]]:3: error: cannot differentiate 'scaled_sum': call to 'external_scale' has no derivative
  external_scale(v, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += v[i];
  return s;
}

// A pointer choosing between a duplicated array and a constant one, then
// advanced in a loop (a load, store or memcpy right through such a select is
// split into a branch and works; e2e select_const_and_dup).
static double pick(double *x, const double *w, int n) {
  // CHECK: diag_memory.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'pick': {{.*}} mixes memory with and without a shadow
  const double *p = x[0] < 0.5 ? x : w;
  double s = 0;
  for (int i = 0; i < n; ++i, p += 2)
    s += *p * x[i];
  return s;
}

void use(double x, int i, double *dx, double *v, double *dv) {
  ct_gradient(remember, x, &dx[0], i);
  __enzyme_autodiff((void *)scaled_sum, enzyme_dup, v, dv, 4);
  __enzyme_autodiff((void *)pick, enzyme_dup, v, dv, enzyme_const, v + 4, 4);
}
