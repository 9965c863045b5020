// An operator applied to a void function with no pointer parameter: it has
// no result (returned, or written through a pointer) to differentiate; a
// clear error at the call.
// EXPECT: error @call:3 "'f' returns nothing and has no pointer parameter (not constant) to write a result through"
#include <cotangent.h>

static void f(double x) { (void)x; }

void use(double *dx) {
  ct_gradient(f, 2.0, dx); /*@call*/
}
