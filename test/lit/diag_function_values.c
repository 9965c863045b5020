// Differentiable function-pointer types (typedef ... CT_DIFFERENTIABLE):
// converting a function whose derivative Cotangent does not know, or a
// pointer value of a type that is not differentiable, to one is an error at
// the conversion (initialised, assigned, passed, returned, in an initialiser
// list, named in a cast); a function defined after the conversion, one
// declared CT_DIFFERENTIABLE, a libm function, a value of the type and a
// cast pointer value are fine.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
#include <cotangent.h>
#include <math.h>

typedef double (*ct_fn)(double) CT_DIFFERENTIABLE;
typedef double (*plain_fn)(double);

double ext(double x);                    /* declared only */
CT_DIFFERENTIABLE double ext_diff(double x);
static double later(double x);
double with_pullback(double x);
CT_DERIVATIVE(with_pullback)
void with_pullback_pb(double x, double seed, double *dx) { *dx += seed * 2 * x; }

typedef struct {
  ct_fn f;
  double w;
} unit;

static double apply(ct_fn f, double x) { return f(x); }

// CHECK: diag_function_values.c:[[@LINE+1]]:14: error: 'ext' is converted to the differentiable function type 'ct_fn', but Cotangent knows no derivative of it
ct_fn bad1 = ext;
ct_fn good1 = later, good2 = ext_diff, good3 = sin, good4 = with_pullback, good5 = 0;
// CHECK: diag_function_values.c:[[@LINE+1]]:42: error: 'ext' is converted
static const ct_fn TABLE[3] = {ext_diff, ext, later};
// CHECK: diag_function_values.c:[[@LINE+1]]:25: error: 'ext' is converted
unit u1 = {.w = 1, .f = ext};

// CHECK: diag_function_values.c:[[@LINE+1]]:32: error: 'ext' is converted
ct_fn pick(int k) { return k ? ext : later; }

double use(plain_fn p, double x, int k) {
  // CHECK: diag_function_values.c:[[@LINE+1]]:13: error: 'p', of type 'plain_fn', is converted to the differentiable function type 'ct_fn', but nothing says it points to a function whose derivative Cotangent knows; give it the type 'ct_fn', or cast it, (ct_fn)(p), to assert that it does
  ct_fn g = p;
  ct_fn h = (ct_fn)p; /* the programmer's word */
  // CHECK: diag_function_values.c:[[@LINE+1]]:7: error: 'ext' is converted
  h = &ext;
  // CHECK: diag_function_values.c:[[@LINE+1]]:20: error: 'ext' is converted
  double a = apply(ext, x);
  // CHECK: diag_function_values.c:[[@LINE+1]]:27: error: 'ext' is converted
  double b = apply((ct_fn)ext, x);
  return g(x) + h(x) + a + b + TABLE[k](x) + apply(TABLE[k], x) + apply(later, x);
}

static double later(double x) { return x * x; }
