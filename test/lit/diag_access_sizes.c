// CT_ACCESS gives an array's length as the product of at most 8 integer
// parameters; a longer list is an error at the declaration (the ninth and
// later digits were silently dropped, so a kept copy was too short).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

void tensor_pullback(const double *x, long a, long b, long c, long d, long e, long f, long g, long h, long i,
                     double seed, double *dx);
// CHECK: diag_access_sizes.c:[[@LINE+1]]:{{[0-9]+}}: error: CT_ACCESS("r123456789.........:d") on 'tensor_sum': an array's length is the product of at most 8 size parameters
double tensor_sum(const double *x, long a, long b, long c, long d, long e, long f, long g, long h, long i)
    CT_DERIVATIVE_IS(tensor_pullback) CT_ACCESS("r123456789.........:d");

double use(double *x, double *dx) {
  ct_gradient(tensor_sum, x, dx, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L);
  return 0;
}
