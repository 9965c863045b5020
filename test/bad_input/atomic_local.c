// An _Atomic double local that never escapes, stored and loaded atomically:
// no other thread can see it, so it is a plain value (LLVM makes it one) and
// the gradient is right.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdatomic.h>

static double f(double x) {
  _Atomic double cell;
  atomic_store(&cell, x * x);
  return atomic_load(&cell) * x;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  CHECK_D(dx, 12.0);
  return check_summary("atomic_local");
}
