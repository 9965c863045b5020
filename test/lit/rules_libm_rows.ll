; Rows of the rule table for libm functions that grad_libm.ll does not
; cover, read off the gradients: atan2(y, x) (both operands, the shared
; denominator y*y + x*x), hypot (d * x / r, the zero subgradient at
; r = 0 rather than 0/0), exp2 and log10 (their constants ln 2 and ln 10),
; erf (2/sqrt(pi) e^(-x*x)). Quotients are guarded so that a zero seed
; gives zero.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }

declare double @__enzyme_autodiff(ptr, ...)
declare %pair @__enzyme_autodiff_pair(ptr, ...)
declare double @atan2(double, double) #0
declare double @hypot(double, double) #0
declare double @exp2(double) #0
declare double @log10(double) #0
declare double @erf(double) #0

define double @f_atan2(double %y, double %x) {
  %r = call double @atan2(double %y, double %x)
  ret double %r
}
define double @f_hypot(double %x, double %y) {
  %r = call double @hypot(double %x, double %y)
  ret double %r
}
define double @f_exp2(double %x) {
  %r = call double @exp2(double %x)
  ret double %r
}
define double @f_log10(double %x) {
  %r = call double @log10(double %x)
  ret double %r
}
define double @f_erf(double %x) {
  %r = call double @erf(double %x)
  ret double %r
}

define double @use(double %x, double %y) {
  %1 = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @f_atan2, double %y, double %x)
  %2 = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @f_hypot, double %x, double %y)
  %3 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_exp2, double %x)
  %4 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_log10, double %x)
  %5 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_erf, double %x)
  ret double %x
}

; d atan2(y, x) = (d x / (y y + x x), -d y / (y y + x x)); atan2 itself is
; not needed
; CHECK-LABEL: define internal { double, double } @f_atan2.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK-NOT: @atan2
; CHECK: %[[DX:[0-9]+]] = fmul double %1, %2
; CHECK: %[[YY:[0-9]+]] = fmul double %0, %0
; CHECK: %[[XX:[0-9]+]] = fmul double %1, %1
; CHECK: %[[DEN:[0-9]+]] = fadd double %[[YY]], %[[XX]]
; CHECK: %[[QY:[0-9]+]] = fdiv double %[[DX]], %[[DEN]]
; CHECK: %[[Z:[0-9]+]] = fcmp oeq double %2, 0.000000e+00
; CHECK: %[[GY:[0-9]+]] = select i1 %[[Z]], double 0.000000e+00, double %[[QY]]
; CHECK: %[[NS:[0-9]+]] = fneg double %2
; CHECK: %[[NY:[0-9]+]] = fmul double %[[NS]], %0
; CHECK: %[[QX:[0-9]+]] = fdiv double %[[NY]], %[[DEN]]
; CHECK: %[[GX:[0-9]+]] = select i1 %[[Z]], double 0.000000e+00, double %[[QX]]
; CHECK: insertvalue { double, double } undef, double %[[GY]], 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[GX]], 1

; d hypot(x, y) = (d x / r, d y / r), zero where r = 0 (or the seed is)
; CHECK-LABEL: define internal { double, double } @f_hypot.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %r = tail call double @hypot(double %0, double %1)
; CHECK: %[[R0:[0-9]+]] = fcmp oeq double %r, 0.000000e+00
; CHECK: %[[NX:[0-9]+]] = fmul double %0, %2
; CHECK: %[[QX:[0-9]+]] = fdiv double %[[NX]], %r
; CHECK: %[[Z:[0-9]+]] = fcmp oeq double %2, 0.000000e+00
; CHECK: %[[EITHER:[0-9]+]] = select i1 %[[Z]], i1 true, i1 %[[R0]]
; CHECK: select i1 %[[EITHER]], double 0.000000e+00, double %[[QX]]
; CHECK: %[[NY:[0-9]+]] = fmul double %1, %2
; CHECK: %[[QY:[0-9]+]] = fdiv double %[[NY]], %r
; CHECK: select i1 %[[EITHER]], double 0.000000e+00, double %[[QY]]

; d exp2(x) = d r ln 2 (0x3FE62E42FEFA39EF = 0.6931471805599453)
; CHECK-LABEL: define internal { double } @f_exp2.ct_grad.a.r(double %0, double %1)
; CHECK: %r = tail call double @exp2(double %0)
; CHECK: %[[DR:[0-9]+]] = fmul double %r, %1
; CHECK: fmul double %[[DR]], 0x3FE62E42FEFA39EF

; d log10(x) = d / (x ln 10) (0x40026BB1BBB55516 = 2.302585092994046)
; CHECK-LABEL: define internal { double } @f_log10.ct_grad.a.r(double %0, double %1)
; CHECK-NOT: @log10
; CHECK: %[[XL:[0-9]+]] = fmul double %0, 0x40026BB1BBB55516
; CHECK: %[[Q:[0-9]+]] = fdiv double %1, %[[XL]]
; CHECK: %[[Z:[0-9]+]] = fcmp oeq double %1, 0.000000e+00
; CHECK: select i1 %[[Z]], double 0.000000e+00, double %[[Q]]

; d erf(x) = d 2/sqrt(pi) e^(-x x) (0x3FF20DD750429B6D = 1.1283791670955126)
; CHECK-LABEL: define internal { double } @f_erf.ct_grad.a.r(double %0, double %1)
; CHECK-NOT: @erf
; CHECK: %[[DC:[0-9]+]] = fmul double %1, 0x3FF20DD750429B6D
; CHECK: %[[N:[0-9]+]] = fneg double %0
; CHECK: %[[NXX:[0-9]+]] = fmul double %[[N]], %0
; CHECK: %[[E:[0-9]+]] = tail call double @llvm.exp.f64(double %[[NXX]])
; CHECK: fmul double %[[DC]], %[[E]]

attributes #0 = { nounwind willreturn memory(none) }
