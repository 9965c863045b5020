// A function that writes its result through a pointer at the end (the
// Enzyme ABI's convention) does not make the loads of its inputs taped:
// the reverse pass puts the output's old value back before it recomputes
// them (pass/memory.c, undone stores). When the output is written twice,
// through pointers that may be the same, the first write stays a write
// after the loads, and they are taped.
// RUN: %cc -O2 -Rpass=cotangent -c %s -o /dev/null 2>&1 | FileCheck %s
#include <math.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

static void last_write(const double *a, int n, double *out) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    // CHECK-NOT: output_store_undone.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'last_write': {{.*}} cached on the tape
    s += a[i] * a[i] * a[i];
  *out = s;
}

static void two_writes(const double *a, int n, double *out, double *out2) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    // CHECK: output_store_undone.c:[[@LINE+1]]:{{[0-9]+}}: remark: gradient of 'two_writes': 1 value(s) from this line cached on the tape, 8 bytes per execution
    s += a[i] * a[i] * a[i];
  *out = s;
  *out2 = 2.0 * s;
}

void use(const double *a, double *da, int n, double *out, double *dout, double *out2, double *dout2) {
  __enzyme_autodiff((void *)last_write, enzyme_dup, a, da, enzyme_const, n, enzyme_dup, out, dout);
  __enzyme_autodiff((void *)two_writes, enzyme_dup, a, da, enzyme_const, n, enzyme_dup, out, dout, enzyme_dup, out2,
                    dout2);
}
