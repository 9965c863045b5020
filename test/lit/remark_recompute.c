// Iteration-level recomputation (pass/remat.c): a loop whose iterations
// rewrite a scratch buffer from values that stay unchanged has its
// iterations' writes recomputed by the reverse pass, and -Rpass=cotangent
// names the loop and the values it no longer tapes. A loop whose input
// buffer the function overwrites after it is not recomputed (its values
// stay taped); COTANGENT_NO_REMAT=1 turns the recomputation off.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=KEPT
// RUN: env COTANGENT_NO_REMAT=1 %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=OFF
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

static double scratch(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *c = malloc((size_t)d * sizeof *c);
  double f = 0.0;
  // CHECK: remark_recompute.c:[[@LINE+2]]:{{[0-9]+}}: remark: gradient of 'scratch': loop recomputed per iteration in the reverse pass (its writes to 1 object(s)); 2 value(s) read from them are not taped, 16 bytes per execution of their blocks [-Rpass=cotangent]
  // OFF-NOT: gradient of 'scratch': loop recomputed
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      c[j] = x[i * d + j] - p[j];
    for (int j = 0; j < d; j++)
      // CHECK-NOT: remark_recompute.c:[[@LINE+2]]:{{[0-9]+}}: remark: gradient of 'scratch': {{.*}} cached on the tape
      // OFF: remark_recompute.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'scratch': 1 value(s) from this line cached on the tape, 8 bytes per execution
      f += c[j] * c[j] * p[d + j];
    for (int j = 0; j < d; j++)
      f += sin(c[j]);
  }
  free(c);
  return f;
}

/* mu, read by every iteration, is overwritten after the loop */
static double overwritten(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *mu = malloc((size_t)d * sizeof *mu);
  double *c = malloc((size_t)d * sizeof *c);
  for (int j = 0; j < d; j++)
    mu[j] = p[j] * p[j];
  double f = 0.0;
  // KEPT-NOT: gradient of 'overwritten': loop recomputed
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      c[j] = x[i * d + j] - mu[j];
    for (int j = 0; j < d; j++)
      // KEPT: remark_recompute.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'overwritten': 1 value(s) from this line cached on the tape, 8 bytes per execution
      f += c[j] * c[j] * p[d + j];
    for (int j = 0; j < d; j++)
      f += sin(c[j]);
  }
  for (int j = 0; j < d; j++)
    mu[j] *= p[j];
  for (int j = 0; j < d; j++)
    f += mu[j];
  free(mu);
  free(c);
  return f;
}

double grad_scratch(const double *p, double *dp, const double *x, int n, int d) {
  return ct_value_with_gradient(scratch, p, dp, x, n, d);
}
double grad_overwritten(const double *p, double *dp, const double *x, int n, int d) {
  return ct_value_with_gradient(overwritten, p, dp, x, n, d);
}
