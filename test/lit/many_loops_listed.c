// Every loop of a function is planned, however many there are: the planner
// used to list 64 and, when a function had more, turned loop-indexed
// records off for all of them. Here 80 counted loops: 80 listed (the
// COTANGENT_DEBUG listing), and the gradient is right (central
// differences). e2e/many_loops.c checks more loops in nested shapes.
// RUN: env COTANGENT_DEBUG=1 %cc -O1 -c %s -o /dev/null 2>&1 | grep -c "^cotangent: loop [0-9]* header" | FileCheck %s --check-prefix=LISTED
// RUN: %cc -O1 %s -o %t && %t | FileCheck %s
// RUN: %cc -O2 %s -o %t2 && %t2 | FileCheck %s
// LISTED: 80
// CHECK: ok
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

#define LOOP(k) for (int i = 0; i < n; ++i) s = s * 0.5 + sin(x[i] * (k + 1) + s);
#define LOOP10(k) LOOP(k##0) LOOP(k##1) LOOP(k##2) LOOP(k##3) LOOP(k##4) LOOP(k##5) LOOP(k##6) LOOP(k##7) LOOP(k##8) LOOP(k##9)

static double many(const double *x, int n) {
  double s = 0;
  LOOP10(1) LOOP10(2) LOOP10(3) LOOP10(4) LOOP10(5) LOOP10(6) LOOP10(7) LOOP10(8)
  return s;
}

int main(void) {
  double x[3] = {0.1, 0.2, 0.3}, dx[3] = {0};
  ct_gradient(many, x, dx, 3);
  int bad = 0;
  for (int i = 0; i < 3; ++i) {
    double a[3] = {x[0], x[1], x[2]}, b[3] = {x[0], x[1], x[2]}, h = 1e-6;
    a[i] += h;
    b[i] -= h;
    double fd = (many(a, 3) - many(b, 3)) / (2 * h);
    if (fabs(fd - dx[i]) > 1e-6 * fmax(1, fabs(fd))) {
      bad++;
      printf("dx[%d] = %g, want %g\n", i, dx[i], fd);
    }
  }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
