// Issue 12 item 20: a wrt list with an unknown name says which name is
// unknown ('z'), not "use of undeclared identifier 'n'".
// EXPECT: error @attr:49 "'z' is not a parameter of 'f'"
#include <cotangent.h>

double f(double x, int n) CT_DIFFERENTIABLE_WRT(z, n); /*@attr*/
double f(double x, int n) { return x * n; }
