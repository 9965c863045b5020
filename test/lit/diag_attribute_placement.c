// Cotangent's attributes on declarations they cannot apply to, and a wrt
// list naming something that is not a parameter, are errors at the
// attribute.
// RUN: not %cc -std=c2x -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

// CHECK: diag_attribute_placement.c:[[@LINE+1]]:3: error: 'differentiable' applies to functions only
[[ct::differentiable]] int counter;

// CHECK: diag_attribute_placement.c:[[@LINE+1]]:16: error: 'no_derivative' applies to functions, parameters and struct fields only
__attribute__((no_derivative)) double g;

// CHECK: diag_attribute_placement.c:[[@LINE+1]]:60: error: 'z' is not a parameter of 'h'
double h(double x, double y) __attribute__((differentiable(z)));

double f(double x) { return x; }
