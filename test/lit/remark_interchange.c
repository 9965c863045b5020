// A loop of dot products along a strided index (i-j-k matrix product) is
// computed for the gradient with the loops interchanged and the sums in an
// array (pass/interchange.c), and -Rpass=cotangent says so at the loop; a
// loop whose sums start at another value than 0 is left as written.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

static double matmul_ijk(const double *a, const double *b, const double *t CT_NO_DERIVATIVE, int n) {
  double f = 0.0;
  for (int i = 0; i < n; i++)
    // CHECK: remark_interchange.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'matmul_ijk': this loop's dot products, along a strided index, are computed with the loops interchanged and the sums in an array (the same operations in the same order) [-Rpass=cotangent]
    for (int j = 0; j < n; j++) {
      double s = 0.0;
      for (int k = 0; k < n; k++)
        s += a[i * n + k] * b[k * n + j];
      double r = s - t[i * n + j];
      f += 0.5 * r * r;
    }
  return f;
}

static double biased(const double *a, const double *x, int m, int n) {
  double f = 0.0;
  // CHECK-NOT: gradient of 'biased': this loop's dot products
  for (int j = 0; j < n; j++) {
    double s = 0.5;
    for (int k = 0; k < m; k++)
      s += a[k * n + j] * x[k];
    f += s * s;
  }
  return f;
}

double grad_matmul(const double *a, double *da, const double *b, double *db, const double *t, int n) {
  return ct_value_with_gradient(matmul_ijk, a, da, b, db, t, n);
}
double grad_biased(const double *a, double *da, const double *x, double *dx, int m, int n) {
  return ct_value_with_gradient(biased, a, da, x, dx, m, n);
}
