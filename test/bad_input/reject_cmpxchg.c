// README rejected row 7: an explicit compare-and-swap on differentiable data
// (__atomic_compare_exchange on a double) is an error at the call.
// EXPECT: error @cas "atomic operation on differentiable data"
#include <cotangent.h>

static double f(double *cell, double x) {
  double expected = *cell, desired = expected + x * x;
  __atomic_compare_exchange(cell, &expected, &desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); /*@cas*/
  return *cell * x;
}

void use(double *c, double *dc, double x, double *dx) { ct_gradient(f, c, dc, x, dx); }
