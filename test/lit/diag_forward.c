// Forward mode's errors, each at its construct (file:line:col, also without
// -g): what has no forward-mode derivative (a pullback of a function of
// arrays, a registered gradient without a forward derivative, a
// differentiable function of another file in vector mode), registered
// forward derivatives that do not fit or get a pointer without its
// shadow, operator misuse (enzyme_out, a
// missing tangent, a result that is not floating point,
// enzyme_primal_return of a void function or in reverse mode, where it was
// taken as enzyme_const), and what reverse mode rejects
// too (a differentiable value stored into a global, inline assembly).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <math.h>
int enzyme_dup, enzyme_const, enzyme_out, enzyme_primal_return;
extern double __enzyme_fwddiff(void *, ...);
typedef struct {
  double v, d;
} Dual;
extern Dual __enzyme_fwddiff_dual(void *, ...);

/* a custom derivative (pullback) of a function of arrays */
double norm2(const double *x, int n);
CT_DERIVATIVE(norm2)
void norm2_pullback(const double *x, int n, double seed, double *dx);
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:51: error: cannot differentiate 'use_norm2': call to 'norm2' passes differentiable memory (an array with a shadow) to a function whose custom derivative is a pullback; forward mode gets tangents from a pullback for functions of scalars only; give it a tangent (CT_TANGENT_IS on its declaration), or differentiate it in reverse mode
double use_norm2(const double *x, int n) { return norm2(x, n) * 2.0; }
double t_custom(const double *x, double *dx) { return ct_derivative(use_norm2, x, dx, 3); }

/* a differentiable function of another file in vector mode (its file
   exports a tangent of one direction: test/e2e/forward_separate.c) */
CT_DIFFERENTIABLE double remote(double x);
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:38: error: cannot differentiate 'use_remote': call to 'remote' is a differentiable function of another file, whose exported tangent takes one direction; use ct_derivative (one direction at a time), or define it in this file
double use_remote(double x) { return remote(x) + x; }
void t_remote(double x, double *d) { ct_derivative_n(2, use_remote, d, x, 1.0, 2.0); }

/* a registered gradient only */
double reg(double x);
double reg_aug(double x) { return reg(x); }
double reg_grad(double x, double d) { return d * cos(x); }
void *__enzyme_register_gradient_reg[] = {(void *)reg, (void *)reg_aug, (void *)reg_grad};
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:35: error: cannot differentiate 'use_reg': call to 'reg' has a registered gradient (reverse mode) but no forward derivative; register one for forward mode too (__enzyme_register_derivative_<f> = {f, f_fwd})
double use_reg(double x) { return reg(x) * x; }
double t_reg(double x) { return __enzyme_fwddiff((void *)use_reg, x, 1.0); }

/* registered forward derivatives of functions of pointers: one that does
   not fit (no tangent for k), one given a pointer without its shadow */
void scale3(double *x, double k) {
  for (int i = 0; i < 3; ++i)
    x[i] *= k;
}
void scale3_fwd(double *x, double *dx, double k) {
  for (int i = 0; i < 3; ++i) {
    dx[i] *= k;
    x[i] *= k;
  }
}
void *__enzyme_register_derivative_scale3[] = {(void *)scale3, (void *)scale3_fwd};
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:42: error: the forward derivative 'scale3_fwd' of 'scale3' (__enzyme_register_derivative_scale3) must take (a pointer, its shadow, double, its tangent) and return nothing
double use_scale3(double *x, double k) { scale3(x, k); return x[0]; }
double t_scale3(double *x, double *dx) { return ct_derivative(use_scale3, x, dx, 2.0, 1.0); }
void scale4(double *x, double k) { x[0] *= k; }
void scale4_fwd(double *x, double *dx, double k, double dk) {
  dx[0] = dx[0] * k + x[0] * dk;
  x[0] *= k;
}
void *__enzyme_register_derivative_scale4[] = {(void *)scale4, (void *)scale4_fwd};
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:28: error: cannot differentiate 'scale4' in forward mode: parameter 1 is a pointer without a shadow, and its registered forward derivative 'scale4_fwd' takes one
void t_scale4(double *x) { __enzyme_fwddiff((void *)scale4, enzyme_const, x, 2.0, 1.0); }

/* misuse of the operators */
double sq(double x) { return x * x; }
int whole(double x) { return (int)x; }
void nothing(double x, double *y) { *y = x; }
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:40: error: __enzyme_fwddiff: parameter 1 is marked enzyme_out, which forward mode does not take: a floating-point argument is followed by its tangent (enzyme_dup, or no marker)
double t_enzyme_out(double x) { return __enzyme_fwddiff((void *)sq, enzyme_out, x); }
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:33: error: ct_derivative: too few arguments: parameter 1 of the function has no value (or no tangent)
double t_few(double x) { return ct_derivative(sq, x); }
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:33: error: ct_derivative: 'whole' must return a floating-point value (or nothing)
double t_int(double x) { return ct_derivative(whole, x, 1.0); }
Dual t_primal_void(double x, double *y, double *dy) {
  // CHECK-DAG: diag_forward.c:[[@LINE+1]]:10: error: __enzyme_fwddiff: enzyme_primal_return asks for the value of 'nothing', which returns nothing
  return __enzyme_fwddiff_dual((void *)nothing, enzyme_primal_return, x, 1.0, y, dy);
}

extern double __enzyme_autodiff(void *, ...);
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:44: error: __enzyme_autodiff: enzyme_primal_return belongs to forward mode (__enzyme_fwddiff)
double t_primal_reverse(double x) { return __enzyme_autodiff((void *)sq, enzyme_primal_return, x); }

/* what reverse mode rejects too */
double g_state;
// CHECK-DAG: diag_forward.c:[[@LINE+1]]:33: error: cannot differentiate 'kept': 'store' instruction stores a differentiable value into memory that has no shadow (a global variable or a pointer argument passed as constant); pass that pointer with a shadow (enzyme_dup), or use a local variable
double kept(double x) { g_state = x * x; return g_state * x; }
double t_kept(double x) { return ct_derivative(kept, x, 1.0); }
double with_asm(double x) {
  double y;
  // CHECK-DAG: diag_forward.c:[[@LINE+1]]:3: error: cannot differentiate 'with_asm': inline assembly ('asm' statement) has no derivative; write the computation in C, or give the function containing it a custom derivative (CT_DERIVATIVE)
  __asm__("movsd %1, %0" : "=x"(y) : "x"(x));
  return y * x;
}
double t_asm(double x) { return ct_derivative(with_asm, x, 1.0); }
