// The tape's push/pop fast paths are linked into the module and inlined;
// allocating a new chunk stays a call into the runtime library, so the
// library's block cache, which __ct_tape_destroy fills, is the only one
// (a module-local copy of it would never get a block back, and every
// gradient call would fault its tape in afresh).
// RUN: %cc -O2 -std=c17 -S -emit-llvm %s -o - | FileCheck %s --implicit-check-not=ct_cache --implicit-check-not=aligned_alloc
#include <cotangent.h>
#include <math.h>

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sin(x[i]) * x[i];
  return s * s; /* not s alone: that loop's reverse would tape nothing (pass/fused.c) */
}

// CHECK-LABEL: define {{.*}}void @use(
// CHECK: call {{.*}}@__ct_tape_create(
// CHECK: call {{.*}}@__ct_tape_destroy(
void use(double *x, double *dx, int n) { ct_gradient(f, x, dx, n); }
// CHECK: define internal {{.*}}@push_slow(
// CHECK: call void @__ct_tape_advance(
// CHECK: declare void @__ct_tape_advance(
