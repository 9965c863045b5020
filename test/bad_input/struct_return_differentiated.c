// An operator applied to a function whose result is a struct (not a float
// or double): there is no scalar to differentiate, an error at the call.
// EXPECT: error @call:3 "ct_gradient"
#include <cotangent.h>

typedef struct { double a, b; } pair;
static pair f(double x) { return (pair){x * x, x}; }

void use(double *dx) {
  ct_gradient(f, 2.0, dx); /*@call*/
}
