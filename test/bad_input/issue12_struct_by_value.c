// Issue 12 item 20: a struct passed by value to an operator is an error that
// names the struct parameter (not "floating-point parameter 1").
// EXPECT: error @call:18 "is a struct passed by value"
#include <cotangent.h>

typedef struct { double a, b; } pair;
static double f(pair p) { return p.a * p.b; }

void use(pair p, pair *dp) {
  ct_gradient(f, p, dp); /*@call*/
}
