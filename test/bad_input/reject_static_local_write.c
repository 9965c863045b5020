// A function-local static (a global in disguise) accumulating a
// differentiable value: same error as a global, at the store.
// EXPECT: error @store "stores a differentiable value into memory that has no shadow"
#include <cotangent.h>

static double f(double x) {
  static double memo;
  memo += x * x; /*@store*/
  return memo;
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
