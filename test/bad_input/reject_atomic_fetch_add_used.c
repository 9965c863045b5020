// README rejected row 7: an atomic add whose old value is used (fetch-add
// result feeding the result) is an error; only unused-result adds are
// differentiated.
// EXPECT: error @add "atomic operation on differentiable data"
#include <cotangent.h>

static double f(double *acc, double x) {
  double old = __atomic_fetch_add(acc, x * x, __ATOMIC_RELAXED); /*@add*/
  return old * x + *acc;
}

void use(double *a, double *da, double x, double *dx) { ct_gradient(f, a, da, x, dx); }
