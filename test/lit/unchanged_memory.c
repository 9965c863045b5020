// Loads of memory that no write can reach after them are recomputed by the
// reverse pass, not taped: a malloc filled before the loop that reads it
// (its free moves into the reverse pass), and an argument read after its
// last write. A load whose memory a later loop overwrites stays taped.
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

void use(const double *p, double *dp, double *a, double *da, int d, int n) {
  ct_gradient(filled_before, p, dp, d, n);
  ct_gradient(overwritten_after, a, da, n);
}
