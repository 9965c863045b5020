// COTANGENT_TIME (the timing debug switch, pass/switches.c): one line per
// stage of each gradient, in the order the driver runs them, with CPU
// seconds; "passes" adds LLVM's table of each pass of each simplification;
// unset, nothing is printed.
// RUN: env COTANGENT_TIME=1 %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=STAGES --implicit-check-not="Pass execution timing report"
// RUN: env COTANGENT_TIME=passes %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASSES
// RUN: env -u COTANGENT_TIME %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=OFF --allow-empty
#include <cotangent.h>
#include <math.h>

static double f(const double *x, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += sin(x[i]) * x[i];
  return s;
}

double grad(const double *x, double *dx, int n) { return ct_value_with_gradient(f, x, dx, n); }

// STAGES: cotangent: time f prepare {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f analyse {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f copy {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f plan {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f forward {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f reverse {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f verify {{[0-9]+\.[0-9]+}} s
// STAGES-NEXT: cotangent: time f simplify {{[0-9]+\.[0-9]+}} s

// PASSES: cotangent: time of each pass simplifying f.ct_prepared:
// PASSES: Pass execution timing report
// PASSES: SROAPass
// PASSES: cotangent: time f prepare
// PASSES: cotangent: time of each pass simplifying f.ct_grad.
// PASSES: Pass execution timing report
// PASSES: cotangent: time f simplify

// OFF-NOT: cotangent: time
