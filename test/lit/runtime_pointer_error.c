// An operator applied at run time to a function that is not differentiable
// stops the program with a message naming the operator and the function.
// RUN: %cc -O2 -rdynamic %S/../e2e/function_pointers.c -o %t
// RUN: %t | FileCheck %s --check-prefix=OK
// RUN: not --crash %t x 2>&1 | FileCheck %s
// OK: ok
// CHECK: cotangent: ct_gradient: the function 'not_diff' is not differentiable (declare it CT_DIFFERENTIABLE, in a file compiled with Cotangent)
