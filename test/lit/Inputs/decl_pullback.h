/* A library's header: f and its pullback only declared (bodies in
 * decl_pullback_lib.c), with CT_DERIVATIVE on the pullback's declaration
 * and CT_DERIVATIVE_IS on the function's. */
#include <cotangent.h>
double wsum(const double *x, const double *w, long n); /* sum w[i] x[i]^2 */
CT_DERIVATIVE(wsum)
void wsum_pullback(const double *x, const double *w, long n, double seed, double *dx, double *dw);
double cube(double x) CT_DERIVATIVE_IS(cube_pullback);
