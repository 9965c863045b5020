// The tape remarks (-Rpass=cotangent) cover every source line, however many:
// a loop body of 300 lines, each taping a value, gets 300 remarks (the
// report kept 256 lines and dropped the rest without a word). The program
// is written out by awk: a macro would put every statement on one line.
// RUN: awk 'BEGIN { print "#include <cotangent.h>"; print "#include <math.h>"; print "static double f(const double *x, int n) {"; print "  double s = 0.5;"; print "  for (int i = 0; i < n; ++i) {"; for (k = 0; k < 300; ++k) print "    s = sin(s * x[i]);"; print "  }"; print "  return s;"; print "}"; print "void use(const double *x, double *dx, int n) { ct_gradient(f, x, dx, n); }" }' > %t.c
// RUN: %cc -O1 -Rpass=cotangent -c %t.c -o /dev/null 2>&1 | grep -c "from this line cached on the tape" | FileCheck %s
// CHECK: {{^}}300{{$}}
