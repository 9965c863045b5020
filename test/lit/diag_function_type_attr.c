// `differentiable` on a typedef makes a differentiable function-pointer
// type: the typedef must name a function or a pointer to one, and takes no
// wrt list (errors at the attribute).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
#include <cotangent.h>

// CHECK: diag_function_type_attr.c:[[@LINE+1]]:31: error: 'not_a_function' cannot be a differentiable function type: it names 'double', not a function or a pointer to a function
typedef double not_a_function CT_DIFFERENTIABLE;
// CHECK: diag_function_type_attr.c:[[@LINE+1]]:48: error: a differentiable function type takes no wrt list
typedef double (*with_wrt)(double x, double y) CT_DIFFERENTIABLE_WRT(x);
typedef double (*fine_type)(double) CT_DIFFERENTIABLE;
typedef double fine_function_type(double) CT_DIFFERENTIABLE;
