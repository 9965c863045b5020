// README rejected row 7: atomic_store/atomic_load of a differentiable value
// in shared memory (an _Atomic double the caller owns) are errors (only
// atomic adds whose old value is unused are differentiated).
// EXPECT: error @store:3 "atomic operation on differentiable data"
#include <cotangent.h>
#include <stdatomic.h>

static double f(_Atomic double *cell, double x) {
  atomic_store(cell, x * x); /*@store*/
  return atomic_load(cell) * x;
}

void use(_Atomic double *c, _Atomic double *dc, double x, double *dx) { ct_gradient(f, c, dc, x, dx); }
