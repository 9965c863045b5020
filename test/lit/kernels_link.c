// cotangent-cc links the runtime kernels, and libomp only into programs
// that call a kernel: a program without kernels has no libomp dependency,
// one with kernels has it and runs (the kernel's OpenMP path included).
// RUN: %cc -O2 -DNO_KERNELS %s -o %t.plain && %t.plain | FileCheck %s --check-prefix=PLAIN
// RUN: llvm-readelf -d %t.plain | FileCheck %s --check-prefix=PLAIN-DEPS
// RUN: %cc -O2 %s -o %t.kernels && %t.kernels | FileCheck %s --check-prefix=KERNELS
// RUN: llvm-readelf -d %t.kernels | FileCheck %s --check-prefix=KERNELS-DEPS
// PLAIN: plain 6
// PLAIN-DEPS-NOT: libomp
// KERNELS: kernels 262144
// KERNELS-DEPS: libomp
#include <cotangent.h>
#include <stdio.h>
#include <stdlib.h>

static double f(double x) { return x * x * x; }

int main(void) {
#ifdef NO_KERNELS
  double d = 0;
  ct_gradient(f, 1.0 + 1.0 / 3, &d);
  d = 0;
  ct_gradient(f, 1.4142135623730951, &d);
  printf("plain %.0f\n", d);
#else
  ct_kernels_set_parallel_min(65536);
  long n = 4 * 65536;
  double *x = malloc(n * sizeof *x);
  for (long i = 0; i < n; ++i)
    x[i] = 1.0;
  printf("kernels %.0f\n", ct_sum(x, n) + 0 * f(1));
  free(x);
#endif
  return 0;
}
