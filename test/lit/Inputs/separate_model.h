#include <cotangent.h>
CT_DIFFERENTIABLE double energy(const double *x, int n, double k);
CT_DIFFERENTIABLE double smooth(double x);
