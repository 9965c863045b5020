// CT_TANGENT_ZERO and CT_TANGENT_MOVE need the type they work on: a pointer
// to void or to an incomplete struct, and a tangent of another type than
// the value, are errors at the argument.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
#include <cotangent.h>

typedef struct { double w[2], b; } Params;
typedef struct { float w[2], b; } Params32;
struct Opaque;

void step(Params *p, Params *dp, Params32 *q, void *raw, struct Opaque *o) {
  CT_TANGENT_ZERO(dp);
  CT_TANGENT_MOVE(p, dp, -0.1);
  // CHECK: diag_tangent_helpers.c:[[@LINE+1]]:19: error: CT_TANGENT_ZERO takes a pointer to a struct (or to a floating-point value or a fixed-size array) of a complete type, not 'void *'
  CT_TANGENT_ZERO(raw);
  // CHECK: diag_tangent_helpers.c:[[@LINE+1]]:19: error: CT_TANGENT_ZERO takes a pointer to a struct {{.*}} not 'struct Opaque *'
  CT_TANGENT_ZERO(o);
  // CHECK: diag_tangent_helpers.c:[[@LINE+1]]:22: error: CT_TANGENT_MOVE moves a value along a tangent of its own type: the tangent points to 'Params32', the value to 'Params'
  CT_TANGENT_MOVE(p, q, 1.0);
}
