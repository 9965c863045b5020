// README rejected row 18: CT_DERIVATIVE(f) on a mere declaration of a
// pullback when f is not declared before it: an error at the pullback.
// EXPECT: error @pb "which is not a function declared before it"
#include <cotangent.h>

CT_DERIVATIVE(later_defined)
void later_pullback(double x, double seed, double *dx); /*@pb*/

double later_defined(double x) { return x * x; }

void use(double x, double *dx) { ct_gradient(later_defined, x, dx); }
