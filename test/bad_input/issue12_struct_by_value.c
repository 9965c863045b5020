// Issue 12 item 20, then issue 19: a struct passed by value to an operator
// was an error naming the struct parameter; now it is differentiated (the
// struct is followed by a pointer to its tangent struct, which receives
// the derivative of each field).
// EXPECT: run
#include <cotangent.h>

#include "../e2e/check.h"

typedef struct { double a, b; } pair;
static double f(pair p) { return p.a * p.b; }

static void use(pair p, pair *dp) { ct_gradient(f, p, dp); }

int main(void) {
  pair p = {3.0, -2.0}, dp = {0};
  use(p, &dp);
  CHECK_D(dp.a, -2.0);
  CHECK_D(dp.b, 3.0);
  return check_summary("issue12_struct_by_value");
}
