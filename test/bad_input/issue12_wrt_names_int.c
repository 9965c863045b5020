// Issue 12 item 9: a wrt list naming an int parameter is an error at the
// attribute (an int has no derivative), not only a zero-derivative warning.
// EXPECT: error @attr:53 "'n' has type 'int', which has no derivative"
#include <cotangent.h>

double scale(double x, int n) CT_DIFFERENTIABLE_WRT(n); /*@attr*/
double scale(double x, int n) { return x * n; }
