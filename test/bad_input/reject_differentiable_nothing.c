// README rejected row 20: `differentiable` on a function with nothing to
// differentiate (no floating-point parameter or result) is an error at it.
// EXPECT: error @f:1 "'count'"
#include <cotangent.h>

CT_DIFFERENTIABLE int count(int n) { return n + 1; } /*@f*/
