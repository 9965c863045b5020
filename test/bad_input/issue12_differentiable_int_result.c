// Issue 12 item 9: CT_DIFFERENTIABLE on a function returning int (a double
// parameter but no floating-point result to take the derivative of) is an
// error at the function, not a silent no-op.
// EXPECT: error @f:1 "'bucket'"
#include <cotangent.h>

CT_DIFFERENTIABLE int bucket(double x) { return (int)(x * 10); } /*@f*/
