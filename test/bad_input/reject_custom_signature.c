// README rejected row 17: a custom derivative with the wrong signature (the
// seed is missing) is an error at the pullback that spells out the right one.
// EXPECT: error @pb "cannot be the derivative of 'softplus'"
#include <cotangent.h>
#include <math.h>

static double softplus(double x) { return log1p(exp(x)); }

CT_DERIVATIVE(softplus)
void softplus_pullback(double x, double *dx) { /*@pb*/
  *dx += 1 / (1 + exp(-x));
}

void use(double x, double *dx) { ct_gradient(softplus, x, dx); }
