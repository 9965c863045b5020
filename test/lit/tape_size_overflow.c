// The tape space a counted loop reserves before it runs (trips x bytes per
// iteration) saturates at UINT64_MAX instead of wrapping, so a huge trip
// count reaches the runtime's out-of-memory message (e2e/out_of_memory.c
// runs the loop-record arrays; this is the reservation of loops whose
// records are pushed one by one, here forced by COTANGENT_NO_BATCH).
// RUN: env COTANGENT_NO_BATCH=1 %cc -O2 -S -emit-llvm %s -o - | FileCheck %s
// RUN: env COTANGENT_NO_BATCH=1 %cc -O2 -g -S -emit-llvm %s -o - | FileCheck %s
#include <cotangent.h>
#include <math.h>

static double chain(const double *x, unsigned long n) {
  double r = 1;
  for (unsigned long i = 0; i < n; ++i)
    r = r * x[i & 3] + sin(r);
  return r;
}

// CHECK-LABEL: define {{.*}}void @use(
// CHECK: %[[BYTES:[0-9]+]] = select i1 %{{[0-9]+}}, i64 -1, i64 %{{[0-9]+}}
// CHECK-NEXT: call void @__ct_tape_reserve(ptr %{{[0-9]+}}, i64 %[[BYTES]])
void use(const double *x, double *dx, unsigned long n) { ct_gradient(chain, x, dx, n); }
