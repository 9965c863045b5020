// Loads of memory that no write can reach after them are recomputed by the
// reverse pass, not taped: a malloc filled before the loop that reads it
// (its free moves into the reverse pass), and an argument read after its
// last write, or a restrict argument whatever the writes through other
// pointers. A load whose memory a later loop overwrites stays taped.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=TAPED
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=RECOMPUTED
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

static double filled_before(const double *p, int d, int n) {
  double *q = malloc((size_t)d * sizeof *q);
  for (int j = 0; j < d; j++)
    q[j] = p[j] * p[j];
  double s = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < d; j++)
      // RECOMPUTED-NOT: unchanged_memory.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'filled_before': {{.*}} cached on the tape
      s += q[j] * q[j] * (i + j);
  free(q);
  return s;
}

static double overwritten_after(double *a, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    // TAPED: unchanged_memory.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'overwritten_after': 1 value(s) from this line cached on the tape, 8 bytes per execution
    s += a[i] * a[i] * a[i];
  for (int i = 0; i < n; i++)
    a[i] = 0.5 * a[i];
  return s;
}

// b is restrict: the writes through c cannot change it, so its loads are
// recomputed; without restrict c could point into b
static double product_restrict(const double *restrict b, double *restrict c, const double *a, int n) {
  double s = 0.0;
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      // RECOMPUTED-NOT: unchanged_memory.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'product_restrict': {{.*}} cached on the tape
      c[j] += a[k] * b[k * n + j];
  for (int j = 0; j < n; j++)
    s += c[j];
  return s;
}

static double product_plain(const double *b, double *c, const double *a, int n) {
  double s = 0.0;
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      // TAPED: unchanged_memory.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'product_plain': {{.*}} cached on the tape
      c[j] += a[k] * b[k * n + j];
  for (int j = 0; j < n; j++)
    s += c[j];
  return s;
}

void use(const double *p, double *dp, double *a, double *da, int d, int n) {
  ct_gradient(filled_before, p, dp, d, n);
  ct_gradient(overwritten_after, a, da, n);
  ct_gradient(product_restrict, p, dp, a, da, p, dp, n);
  ct_gradient(product_plain, p, dp, a, da, p, dp, n);
}
