// CT_NO_DERIVATIVE on a struct field whose type carries no derivative
// (integers, enums, pointers to integers, structs of those) is a warning at
// the attribute: it has no effect. On fields that carry one (floating
// point, pointers to it, arrays, structs holding it, void pointers,
// function pointers) it is quiet. The file still compiles.
// RUN: %cc -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=warning:
#include <cotangent.h>

typedef struct { int a, b; } Pair;
typedef struct { double w; int n; } Mixed;
enum Mode { FAST, SLOW };

struct Layer {
  double *w;
  CT_NO_DERIVATIVE double lr;
  CT_NO_DERIVATIVE double *frozen;
  CT_NO_DERIVATIVE float bias[4];
  CT_NO_DERIVATIVE Mixed m;
  CT_NO_DERIVATIVE void *user;
  CT_NO_DERIVATIVE double (*act)(double);
  // CHECK: diag_no_derivative_fields.c:[[@LINE+1]]:3: warning: 'no_derivative' has no effect on field 'n': its type 'int' carries no derivative (remove it)
  CT_NO_DERIVATIVE int n;
  // CHECK: diag_no_derivative_fields.c:[[@LINE+1]]:3: warning: 'no_derivative' has no effect on field 'sizes': its type 'long *' carries no derivative
  CT_NO_DERIVATIVE long *sizes;
  // CHECK: diag_no_derivative_fields.c:[[@LINE+1]]:3: warning: 'no_derivative' has no effect on field 'shape': its type 'Pair' carries no derivative
  CT_NO_DERIVATIVE Pair shape;
  // CHECK: diag_no_derivative_fields.c:[[@LINE+1]]:3: warning: 'no_derivative' has no effect on field 'mode': its type 'enum Mode' carries no derivative
  CT_NO_DERIVATIVE enum Mode mode;
};

double loss(struct Layer *l) { return l->w[0] * l->lr; }
