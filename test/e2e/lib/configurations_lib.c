/* A function with two differentiable configurations, defined in another
 * file than its callers (test/e2e/differentiable_configurations.c): this
 * file exports the split gradient of each (__ct_aug_h, and __ct_aug_h.wrt.1
 * for the second), and calls there pick the one their derivatives need. */
#include <cotangent.h>
#include <math.h>

double lib_h(double x, double y) CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y);
double lib_h(double x, double y) { return exp(0.5 * x) * cos(y) + x * y * y; }
