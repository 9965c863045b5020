// The pass checks operator arguments with the C types the frontend records
// at each call (frontend_operators.cpp), where the IR alone cannot tell
// them apart: parameters after structs passed by value that become several
// IR parameters (two structs of three ints here: matched from the end), and
// an operator call inside a function inlined in several places (one error,
// not one per copy). With -save-temps the pass runs in another process
// than the frontend: the types are still checked, the error is at the call.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: not %cc -O2 -std=c17 -save-temps=obj -c %s -o %t.dir/x.o 2>&1 | FileCheck %s --check-prefix=TEMPS
#include <cotangent.h>

struct dims {
  int rows, cols, depth;
};
static double volume(struct dims a, struct dims b, double scale) { return a.rows * b.cols * scale * scale; }
static double total(const double *x, long n) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}
static void accumulate(const double *x, float *dx) {
  // CHECK-DAG: diag_operator_facts.c:[[@LINE+2]]:25: error: ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  // TEMPS-DAG: error: {{.*}}diag_operator_facts.c:[[@LINE+1]]:3: {{.*}}ct_gradient: parameter 1 ('x') of 'total' points to 'double', so its shadow must point to 'double' too, not be 'float *'
  ct_gradient(total, x, dx, 4L);
}

void use(struct dims a, struct dims b, float *ds, const double *x, float *dx) {
  // CHECK-DAG: diag_operator_facts.c:[[@LINE+2]]:34: error: ct_gradient: parameter 3 ('scale') of 'volume' has type 'double', so the pointer receiving its derivative must be 'double *', not 'float *'
  // TEMPS-DAG: error: {{.*}}diag_operator_facts.c:[[@LINE+1]]:3: {{.*}}ct_gradient: parameter 3 ('scale') of 'volume' has type 'double'
  ct_gradient(volume, a, b, 2.0, ds);
  accumulate(x, dx);
  accumulate(x + 4, dx + 4);
}
void more(const double *x, float *dx) { accumulate(x, dx); }
// CHECK-NOT: error:
// CHECK: 2 errors generated.
// TEMPS-NOT: error:
// TEMPS: 2 errors generated.
