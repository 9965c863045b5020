#include <cotangent.h>
CT_DIFFERENTIABLE double energy(const double *x, int n, double k);
CT_DIFFERENTIABLE double smooth(double x);
/* data and scale held constant: no shadow, no derivative pointer */
double fit(const double *w, const double *data, int n, double scale) CT_DIFFERENTIABLE_WRT(w);
