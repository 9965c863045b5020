// Shadow memory, the function's own memory and the tape never overlap in
// one gradient call, nor does the shadow of a local allocation overlap an
// argument's shadow: their loads and stores carry scoped-noalias tags, so
// LLVM needs no run-time overlap checks (which it hoists, for a loop nested
// in a loop running downwards, in a form that always fails). The reverse of
// the matrix product's j loop, db[k][j] += a[i][k] * drow[j] with drow the
// shadow of the local row, then runs two lanes at a time.
// RUN: %cc -O2 -S -emit-llvm %s -o - | FileCheck %s
#include <cotangent.h>
#include <stdlib.h>

static double loss(const double *a, const double *b, int n) {
  double *row = malloc((size_t)n * sizeof *row);
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++)
      row[j] = 0.0;
    for (int k = 0; k < n; k++)
      for (int j = 0; j < n; j++)
        row[j] += a[i * n + k] * b[k * n + j];
    for (int j = 0; j < n; j++)
      f += row[j] * row[j];
  }
  free(row);
  return f;
}

// CHECK-LABEL: define {{.*}}@use(
// the reverse of the j loop, two lanes at a time: daik's sum is a vector
// reduction
// CHECK: call reassoc nsz double @llvm.vector.reduce.fadd.v2f64(
// CHECK-LABEL: {{^}}}
double use(const double *a, double *da, const double *b, double *db, int n) {
  return ct_value_with_gradient(loss, a, da, b, db, n);
}
// CHECK-DAG: [[DOMAIN:![0-9]+]] = distinct !{[[DOMAIN]], !"cotangent loss.ct_grad.{{.*}}"}
// CHECK-DAG: [[PRIMAL:![0-9]+]] = distinct !{[[PRIMAL]], [[DOMAIN]], !"cotangent {{.*}}: primal"}
// CHECK-DAG: [[TAPE:![0-9]+]] = distinct !{[[TAPE]], [[DOMAIN]], !"cotangent {{.*}}: tape"}
// CHECK-DAG: [[OWN_S:![0-9]+]] = distinct !{[[OWN_S]], [[DOMAIN]], !"cotangent {{.*}}: own shadow"}
// CHECK-DAG: [[ARG_S:![0-9]+]] = distinct !{[[ARG_S]], [[DOMAIN]], !"cotangent {{.*}}: argument shadow"}
// CHECK-DAG: !{[[PRIMAL]], [[TAPE]], [[ARG_S]]}
// CHECK-DAG: !{[[PRIMAL]], [[TAPE]], [[OWN_S]]}
